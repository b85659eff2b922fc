import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLambdaClient, createLambdaInvokeFunction } from "../../esm/lambda-invoke-function";
import type { FunctionPort } from "../../esm/ports";
import { LambdaHostError } from "../errors";
import { createLambdaServer, type LambdaServerOptions } from "../lambda-server";
import { fixtureArtifact, fixtureEvent } from "./fixtures";

/** The JSON a returned outcome carries. */
function returned(outcome: Awaited<ReturnType<FunctionPort["invoke"]>>): Record<string, unknown> {
  if (outcome.kind !== "returned")
    throw new Error(`expected a returned outcome, got ${JSON.stringify(outcome)}`);
  return JSON.parse(outcome.payload as string);
}

describe("createLambdaServer", () => {
  let dir: string;
  let zipPath: string;
  const servers: FastifyInstance[] = [];
  const clients: LambdaClient[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-lambda-server-"));
    zipPath = await fixtureArtifact(join(dir, "handler.zip"));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    vi.unstubAllEnvs();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** The fixture artifact served on a free port: its endpoint and the function through the Invoke API. */
  async function serve(options: Partial<LambdaServerOptions> = {}) {
    const app = await createLambdaServer({ zipPath, env: {}, functionName: "fixture", ...options });
    servers.push(app);
    const endpoint = await app.listen({ port: 0, host: "127.0.0.1" });
    const client = createLambdaClient({ endpoint });
    clients.push(client);
    const fn = createLambdaInvokeFunction({ client, functionName: options.functionName ?? "fixture" });
    return { endpoint, fn, url: `${endpoint}/2015-03-31/functions/fixture/invocations` };
  }

  /** A folder for one held invocation: whether it has started, and `release()` to let it return. */
  async function holdDir(name: string) {
    const path = await mkdtemp(join(dir, `${name}-`));
    return {
      path,
      started: () => existsSync(join(path, "started")),
      release: () => writeFile(join(path, "release"), ""),
    };
  }

  it("runs the artifact's handler with only the function's environment and a Lambda-like context", async () => {
    // Prepare: a variable of the server's process, which the function must not see.
    vi.stubEnv("SMSIM_SERVER_ONLY", "leaked");
    const { fn } = await serve({ env: { GREETING: "안녕" }, timeoutMs: 5000, memoryMb: 256 });
    // Act
    const variables = ["GREETING", "SMSIM_SERVER_ONLY", "AWS_LAMBDA_FUNCTION_NAME"];
    const first = returned(await fn.invoke(fixtureEvent("describe", { variables }), 5000));
    const second = returned(await fn.invoke(fixtureEvent("describe"), 5000));
    // Assess
    expect(first).toEqual({
      event: { action: "describe", variables },
      servedByThisEnvironment: 1,
      functionName: "fixture",
      memoryLimitInMB: "256",
      awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      remainingMs: expect.any(Number),
      variables: { GREETING: "안녕", AWS_LAMBDA_FUNCTION_NAME: "fixture" },
    });
    expect(first.remainingMs).toBeGreaterThan(0);
    expect(first.remainingMs).toBeLessThanOrEqual(5000);
    // The environment stayed warm for the next invocation.
    expect(second).toMatchObject({ servedByThisEnvironment: 2 });
    expect(second.awsRequestId).not.toBe(first.awsRequestId);
  });

  it("reports the function's settings and environment through GetFunctionConfiguration, secrets masked", async () => {
    // Prepare
    const { endpoint } = await serve({
      env: {
        MYSQL_URL: "mysql://app:secret@db:3306/smsim",
        CARRIER_API_KEY: "k-123",
        QUEUE_URL: "http://q/1/a",
      },
      timeoutMs: 7000,
      memoryMb: 256,
    });
    const client = createLambdaClient({ endpoint });
    clients.push(client);
    // Act
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: "fixture" }));
    const unknown = client.send(new GetFunctionConfigurationCommand({ FunctionName: "other" }));
    // Assess
    expect(configuration).toMatchObject({ FunctionName: "fixture", Timeout: 7, MemorySize: 256 });
    expect(configuration.Environment?.Variables).toEqual({
      MYSQL_URL: "mysql://app:***@db:3306/smsim",
      CARRIER_API_KEY: "***",
      QUEUE_URL: "http://q/1/a",
    });
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("answers a thrown error with X-Amz-Function-Error and the Node runtime's error payload", async () => {
    // Prepare
    const { url } = await serve();
    // Act
    const response = await fetch(url, {
      method: "POST",
      body: JSON.stringify(fixtureEvent("throw", { message: "no carrier" })),
    });
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(response.headers.get("x-amz-executed-version")).toBe("$LATEST");
    expect(await response.json()).toEqual({
      errorType: "TypeError",
      errorMessage: "no carrier",
      trace: expect.arrayContaining(["TypeError: no carrier"]),
    });
  });

  it("reports the thrown error to the event source mapping as a function error", async () => {
    // Prepare
    const { fn } = await serve();
    // Act
    const outcome = await fn.invoke(fixtureEvent("throw", { message: "no carrier" }), 3000);
    // Assess
    expect(outcome).toEqual({ kind: "error", error: expect.objectContaining({ errorType: "TypeError" }) });
    expect((outcome as { error: Error }).error.message).toBe("Unhandled TypeError: no carrier");
  });

  it("times the function out with Lambda's Task timed out error and resets its environment", async () => {
    // Prepare: held invocations that are never released.
    const { fn, url } = await serve({ timeoutMs: 1000 });
    const hold = await holdDir("never");
    // Act
    const [outcome, raw] = await Promise.all([
      fn.invoke(fixtureEvent("hold", { dir: hold.path }), 1000),
      fetch(url, { method: "POST", body: JSON.stringify(fixtureEvent("hold", { dir: hold.path })) }),
    ]);
    const after = returned(await fn.invoke(fixtureEvent("describe"), 1000));
    // Assess
    expect(outcome).toEqual({ kind: "timeout" });
    expect(raw.headers.get("x-amz-function-error")).toBe("Unhandled");
    const requestId = raw.headers.get("x-amzn-requestid");
    expect(await raw.json()).toEqual({
      errorMessage: expect.stringMatching(
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z ${requestId} Task timed out after 1\\.00 seconds$`),
      ),
    });
    // Both environments that timed out were discarded: this one is a cold start.
    expect(after).toMatchObject({ servedByThisEnvironment: 1 });
  });

  it("throttles invocations beyond the reserved concurrency with TooManyRequestsException", async () => {
    // Prepare: one invocation holds the only slot.
    const { fn } = await serve({ reservedConcurrency: 1 });
    const hold = await holdDir("slot");
    const held = fn.invoke(fixtureEvent("hold", { dir: hold.path }), 3000);
    await expect.poll(hold.started).toBe(true);
    // Act
    const throttled = await fn.invoke(fixtureEvent("describe"), 3000);
    await hold.release();
    const released = await held;
    const after = await fn.invoke(fixtureEvent("ok"), 3000);
    // Assess
    expect(throttled).toEqual({ kind: "throttled" });
    expect(returned(released)).toEqual({ released: true, servedByThisEnvironment: 1 });
    expect(after).toEqual({ kind: "returned", payload: '{"batchItemFailures":[]}' });
  });

  it("runs concurrent invocations in environments of their own, kept warm for the next ones", async () => {
    // Prepare
    const { fn } = await serve({ reservedConcurrency: 2 });
    /** Two invocations held at once, so that each has an environment to itself, then released. */
    const holdTwo = async (round: string) => {
      const [a, b] = await Promise.all([holdDir(`${round}-a`), holdDir(`${round}-b`)]);
      const held = [a, b].map((h) => fn.invoke(fixtureEvent("hold", { dir: h.path }), 3000));
      await expect.poll(() => a.started() && b.started()).toBe(true);
      await Promise.all([a.release(), b.release()]);
      return (await Promise.all(held)).map((outcome) => returned(outcome).servedByThisEnvironment);
    };
    // Act
    const first = await holdTwo("first");
    const second = await holdTwo("second");
    // Assess
    expect(first).toEqual([1, 1]);
    expect(second).toEqual([2, 2]);
  });

  it("fails an invocation whose handler ends the runtime, and cold-starts the next", async () => {
    // Prepare
    const { fn } = await serve();
    // Act
    const exited = await fn.invoke(fixtureEvent("exit"), 3000);
    const after = returned(await fn.invoke(fixtureEvent("describe"), 3000));
    // Assess
    expect(exited).toEqual({
      kind: "error",
      error: expect.objectContaining({ errorType: "Runtime.ExitError" }),
    });
    expect(after).toMatchObject({ servedByThisEnvironment: 1 });
  });

  it("passes a handler's undefined result on as null, as Lambda's runtime does", async () => {
    // Prepare
    const { fn } = await serve();
    // Act
    const outcome = await fn.invoke(fixtureEvent("nothing"), 3000);
    // Assess
    expect(outcome).toEqual({ kind: "returned", payload: "null" });
  });

  it("answers ResourceNotFoundException for another function or version, and accepts its ARN", async () => {
    // Prepare
    const { endpoint } = await serve();
    const invoke = (name: string, query = "") =>
      fetch(`${endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations${query}`, {
        method: "POST",
        body: "{}",
      });
    // Act
    const other = await invoke("other");
    const version = await invoke("fixture", "?Qualifier=3");
    const arn = await invoke("arn:aws:lambda:ap-northeast-2:123456789012:function:fixture:$LATEST");
    // Assess
    expect([other.status, other.headers.get("x-amzn-errortype")]).toEqual([404, "ResourceNotFoundException"]);
    expect(await other.json()).toEqual({ Type: "User", message: "Function not found: other" });
    expect(version.status).toBe(404);
    expect(arn.status).toBe(200);
  });

  it("rejects a payload that is not JSON and an asynchronous invocation type", async () => {
    // Prepare
    const { url } = await serve();
    const post = (body: string, invocationType?: string) =>
      fetch(url, {
        method: "POST",
        body,
        headers: invocationType ? { "X-Amz-Invocation-Type": invocationType } : {},
      });
    // Act
    const badJson = await post("{not json");
    const asynchronous = await post("{}", "Event");
    const dryRun = await post("{}", "DryRun");
    // Assess
    expect([badJson.status, badJson.headers.get("x-amzn-errortype")]).toEqual([
      400,
      "InvalidRequestContentException",
    ]);
    expect([asynchronous.status, asynchronous.headers.get("x-amzn-errortype")]).toEqual([
      400,
      "InvalidParameterValueException",
    ]);
    expect(dryRun.status).toBe(204);
  });

  it("refuses an artifact without index.mjs, without a handler, or whose init throws, naming the cause", async () => {
    // Prepare
    const artifact = (name: string, entries: { name: string; data: string }[]) =>
      fixtureArtifact(join(dir, name), entries);
    const [noIndex, noHandler, initThrows] = await Promise.all([
      artifact("no-index.zip", [{ name: "main.mjs", data: "" }]),
      artifact("no-handler.zip", [{ name: "index.mjs", data: "export const main = () => null;" }]),
      artifact("init-throws.zip", [
        { name: "index.mjs", data: 'throw new Error("MYSQL_URL: is required (got undefined)");' },
      ]),
    ]);
    // Act
    const failure = (path: string) =>
      createLambdaServer({ zipPath: path, env: {} }).then(
        (app) => app.close().then(() => null),
        (error: unknown) => error,
      );
    const errors = await Promise.all([noIndex, noHandler, initThrows].map(failure));
    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(LambdaHostError);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      expect.stringMatching(/no-index\.zip: no index\.mjs at the root \(files: main\.mjs\)$/),
      expect.stringMatching(
        /no-handler\.zip: init failed: Runtime\.HandlerNotFound: index\.handler is undefined/,
      ),
      expect.stringMatching(/init-throws\.zip: init failed: Error: MYSQL_URL: is required/),
    ]);
  });
});
