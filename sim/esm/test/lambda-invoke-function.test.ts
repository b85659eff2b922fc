import { type LambdaClient, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import Fastify from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { sqsEvent, sqsRecord } from "../../../test/support/sqs-event";
import { FunctionInvocationError } from "../../lambda/errors";
import { parseBatchResponse } from "../batch-response";
import { createLambdaClient, createLambdaInvokeFunction } from "../lambda-invoke-function";

/** What the stub answers next: a status, headers and a body, or no answer at all. */
type StubAnswer =
  | { status: number; headers?: Record<string, string>; body: string; delayMs?: number }
  | "hang";

interface SeenRequest {
  functionName: string;
  invocationType: string | undefined;
  body: string;
}

/**
 * Stands in for the Invoke API endpoints a test cannot reach (AWS, `sam local start-lambda`),
 * answering with exactly what the test scripts, so each mapping rule is checked on its own.
 */
function createInvokeStub() {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const seen: SeenRequest[] = [];
  let next: StubAnswer = { status: 200, body: "null" };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
  app.post<{ Params: { name: string } }>(
    "/2015-03-31/functions/:name/invocations",
    async (request, reply) => {
      seen.push({
        functionName: request.params.name,
        invocationType: request.headers["x-amz-invocation-type"] as string | undefined,
        body: String(request.body),
      });
      const answer = next;
      if (answer === "hang") return new Promise(() => {});
      if (answer.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      return reply
        .code(answer.status)
        .headers(answer.headers ?? {})
        .type("application/json")
        .send(answer.body);
    },
  );
  return {
    app,
    seen,
    answer(answer: StubAnswer) {
      next = answer;
    },
  };
}

function functionError(kind: "Unhandled" | "Handled", payload: unknown): StubAnswer {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return { status: 200, headers: { "X-Amz-Function-Error": kind }, body };
}

describe("createLambdaInvokeFunction", () => {
  const stub = createInvokeStub();
  let lambda: LambdaClient;
  const client = () => lambda;
  beforeAll(async () => {
    lambda = createLambdaClient({ endpoint: await stub.app.listen({ port: 0, host: "127.0.0.1" }) });
  });
  beforeEach(() => {
    stub.seen.length = 0;
  });
  afterAll(async () => {
    lambda.destroy();
    await stub.app.close();
  });

  it("invokes synchronously with the event as the JSON payload and hands the response text on", async () => {
    // Prepare
    const event = sqsEvent(sqsRecord({ messageId: "m-1" }), sqsRecord({ messageId: "m-2" }));
    stub.answer({ status: 200, body: '{"batchItemFailures":[{"itemIdentifier":"m-2"}]}' });
    const fn = createLambdaInvokeFunction({ client: client(), functionName: "messaging-lambda" });
    // Act
    const outcome = await fn.invoke(event, 20_000);
    // Assess
    expect(stub.seen).toEqual([
      { functionName: "messaging-lambda", invocationType: "RequestResponse", body: JSON.stringify(event) },
    ]);
    expect(outcome).toEqual({
      kind: "returned",
      payload: '{"batchItemFailures":[{"itemIdentifier":"m-2"}]}',
    });
    const verdict = parseBatchResponse((outcome as { payload: unknown }).payload, ["m-1", "m-2"], true);
    expect(verdict).toEqual({ kind: "partial", failedMessageIds: ["m-2"] });
  });

  it("leaves a response that is not JSON to the batch response parser, which fails the batch", async () => {
    // Prepare
    stub.answer({ status: 200, body: "OK" });
    const fn = createLambdaInvokeFunction({ client: client(), functionName: "f" });
    // Act
    const outcome = await fn.invoke(sqsEvent(sqsRecord({ messageId: "m-1" })), 20_000);
    // Assess
    expect(outcome).toEqual({ kind: "returned", payload: "OK" });
    const verdict = parseBatchResponse((outcome as { payload: unknown }).payload, ["m-1"], true);
    expect(verdict.kind).toBe("invalid-response");
  });

  it.each([
    {
      answer: functionError("Unhandled", {
        errorType: "TypeError",
        errorMessage: "boom",
        trace: ["TypeError: boom"],
      }),
      functionError: "Unhandled",
      message: "Unhandled TypeError: boom",
    },
    {
      answer: functionError("Handled", "the function said no"),
      functionError: "Handled",
      message: "Handled error: the function said no",
    },
  ])("reports X-Amz-Function-Error $functionError as a function error", async (row) => {
    // Prepare
    stub.answer(row.answer);
    const fn = createLambdaInvokeFunction({ client: client(), functionName: "f" });
    // Act
    const outcome = await fn.invoke(sqsEvent(sqsRecord()), 20_000);
    // Assess
    expect(outcome.kind).toBe("error");
    const { error } = outcome as { error: FunctionInvocationError };
    expect(error).toBeInstanceOf(FunctionInvocationError);
    expect([error.functionError, error.message]).toEqual([row.functionError, row.message]);
  });

  it.each([
    {
      form: "the classic message",
      payload: { errorMessage: "2026-03-01T00:00:00.000Z abc Task timed out after 20.02 seconds" },
    },
    {
      form: "Sandbox.Timedout",
      payload: {
        errorType: "Sandbox.Timedout",
        errorMessage: "RequestId: abc Error: Task timed out after 20.00 seconds",
      },
    },
  ])("reports the function's own timeout ($form) as a timeout", async ({ payload }) => {
    // Prepare
    stub.answer(functionError("Unhandled", payload));
    const fn = createLambdaInvokeFunction({ client: client(), functionName: "f" });
    // Act
    const outcome = await fn.invoke(sqsEvent(sqsRecord()), 20_000);
    // Assess
    expect(outcome).toEqual({ kind: "timeout" });
  });

  it("reports TooManyRequestsException as a throttle, without retrying it", async () => {
    // Prepare
    stub.answer({
      status: 429,
      headers: { "x-amzn-ErrorType": "TooManyRequestsException" },
      body: JSON.stringify({
        Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
        Type: "User",
        message: "Rate Exceeded.",
      }),
    });
    const fn = createLambdaInvokeFunction({ client: client(), functionName: "f" });
    // Act
    const outcome = await fn.invoke(sqsEvent(sqsRecord()), 20_000);
    // Assess
    expect(outcome).toEqual({ kind: "throttled" });
    expect(stub.seen).toHaveLength(1);
  });

  it("gives an invocation up as timed out when no answer comes within the timeout and the margin", async () => {
    // Prepare
    stub.answer("hang");
    const fn = createLambdaInvokeFunction({ client: client(), functionName: "f", abortMarginMs: 100 });
    // Act
    const outcome = await fn.invoke(sqsEvent(sqsRecord()), 200);
    // Assess
    expect(outcome).toEqual({ kind: "timeout" });
  });

  it("waits past the function timeout by the margin: an answer that comes in it is read", async () => {
    // Prepare: the answer comes 300 ms after a 100 ms timeout, within a 2 s margin (a cold start's init).
    stub.answer({ status: 200, body: "null", delayMs: 300 });
    const fn = createLambdaInvokeFunction({ client: client(), functionName: "f", abortMarginMs: 2000 });
    // Act
    const outcome = await fn.invoke(sqsEvent(sqsRecord()), 100);
    // Assess
    expect(outcome).toEqual({ kind: "returned", payload: "null" });
  });

  it("rejects when the API refuses the call, for the mapping to count as a failed invoke", async () => {
    // Prepare
    stub.answer({
      status: 404,
      headers: { "x-amzn-ErrorType": "ResourceNotFoundException" },
      body: JSON.stringify({ Type: "User", message: "Function not found: f" }),
    });
    const fn = createLambdaInvokeFunction({ client: client(), functionName: "f" });
    // Act
    const invoke = fn.invoke(sqsEvent(sqsRecord()), 20_000);
    // Assess
    await expect(invoke).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(invoke).rejects.toThrow("Function not found: f");
  });
});

describe("createLambdaClient", () => {
  it("never retries, and on AWS signs for the region given with the SDK's default credentials", async () => {
    // Prepare: the default chain finds credentials in the environment first.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    // Act
    const aws = createLambdaClient({ region: "eu-west-1" });
    // Assess
    expect(await aws.config.region()).toBe("eu-west-1");
    expect(await aws.config.maxAttempts()).toBe(1);
    expect(await aws.config.credentials()).toMatchObject({ accessKeyId: "AKIAIOSFODNN7EXAMPLE" });
    aws.destroy();
    vi.unstubAllEnvs();
  });

  it("gives a local endpoint dummy credentials and a region to sign with", async () => {
    // Prepare / Act
    const local = createLambdaClient({ endpoint: "http://127.0.0.1:3001" });
    // Assess
    expect(await local.config.region()).toBe("us-east-1");
    expect(await local.config.maxAttempts()).toBe(1);
    expect(await local.config.credentials()).toMatchObject({ accessKeyId: "x", secretAccessKey: "x" });
    local.destroy();
  });
});
