import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { parseWith } from "../../domain/validation";
import { loadPipelineConfig } from "../../infra/pipeline-config";
import { MAX_PAYLOAD_BYTES } from "../esm/event-source-mapping";
import { type HostResult, startFunctionHost } from "./function-host";
import {
  CONFIGURATION_ROUTE,
  ERROR_TYPE_HEADER,
  EXECUTED_VERSION_HEADER,
  FUNCTION_ERROR_HEADER,
  INVOCATION_TYPE_HEADER,
  INVOKE_ROUTE,
  LATEST,
  REQUEST_ID_HEADER,
  timeoutPayload,
} from "./invoke-api";
import { maskedVariables } from "./masked-variables";

export interface LambdaServerOptions {
  /** The deployable artifact: a zip with index.mjs exporting `handler` (Handler: index.handler). */
  zipPath: string;
  /** The function's environment variables: it sees these and no others (not this process's). */
  env: Readonly<Record<string, string | undefined>>;
  /** Defaults, like the settings below, come from infra/template.yaml. */
  functionName?: string;
  timeoutMs?: number;
  memoryMb?: number;
  /** ReservedConcurrentExecutions: more invocations in flight are answered 429; null = no limit. */
  reservedConcurrency?: number | null;
}

const settingsSchema = z.object({
  functionName: z.string().regex(/^[\w-]{1,64}$/, "expected 1-64 letters, digits, - or _"),
  timeoutMs: z.number().int().min(1000).max(900_000),
  memoryMb: z.number().int().min(128).max(10_240),
  reservedConcurrency: z.number().int().min(0).nullable(),
});

/** A name, a partial ARN (account:function:name) or a full ARN, with an optional :qualifier. */
const FUNCTION_REF =
  /^(?:arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:|\d{12}:function:)?([\w-]+)(?::([\w$-]+))?$/;

/**
 * Hosts the deployable Lambda artifact behind the part of the Lambda API that
 * @aws-sdk/client-lambda's InvokeCommand uses (RequestResponse and DryRun invocations of
 * $LATEST), so the event source mapping, or any SDK client, invokes the zip itself; and
 * GetFunctionConfiguration, whose Environment tells a caller which database, carrier and queue
 * the function works with (secrets masked). The function
 * runs in execution environments of its own (see function-host.ts): worker threads with the
 * function's environment variables, its memory as their heap limit and its timeout enforced.
 * Answers as Lambda does: function errors and timeouts are 200s with X-Amz-Function-Error and the
 * runtime's error payload; throttles, unknown functions and bad requests are API errors.
 *
 * Resolves once one environment has started, so a broken artifact fails here (LambdaHostError).
 */
export async function createLambdaServer(options: LambdaServerOptions): Promise<FastifyInstance> {
  const defaults = loadPipelineConfig().lambda;
  const settings = parseWith(
    settingsSchema,
    {
      functionName: options.functionName ?? defaults.functionName,
      timeoutMs: options.timeoutMs ?? defaults.timeoutSeconds * 1000,
      memoryMb: options.memoryMb ?? defaults.memoryMb,
      reservedConcurrency:
        options.reservedConcurrency === undefined
          ? defaults.reservedConcurrency
          : options.reservedConcurrency,
    },
    "lambda server",
  );
  const { functionName, timeoutMs } = settings;
  const host = await startFunctionHost({ ...settings, zipPath: options.zipPath, env: options.env });

  const app = Fastify({ logger: false, bodyLimit: MAX_PAYLOAD_BYTES });
  app.addHook("onClose", () => host.close());
  // The payload is the event as bytes, whatever content type the client names.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: { code?: string }, _request, reply) => {
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const message = `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`;
      return apiError(reply, 413, "RequestTooLargeException", message);
    }
    return reply.send(error);
  });

  type FunctionRequest = { Params: { name: string }; Querystring: { Qualifier?: string } };
  const isThisFunction = (request: FastifyRequest<FunctionRequest>) => {
    const ref = FUNCTION_REF.exec(request.params.name);
    const qualifier = request.query.Qualifier ?? ref?.[2];
    return ref?.[1] === functionName && (qualifier === undefined || qualifier === LATEST);
  };
  const notFound = (request: FastifyRequest<FunctionRequest>, reply: FastifyReply) =>
    apiError(reply, 404, "ResourceNotFoundException", `Function not found: ${request.params.name}`);

  app.get<FunctionRequest>(CONFIGURATION_ROUTE, async (request, reply) => {
    if (!isThisFunction(request)) return notFound(request, reply);
    return reply.type("application/json").send(
      JSON.stringify({
        FunctionName: functionName,
        Runtime: `nodejs${process.versions.node.split(".")[0]}.x`,
        Handler: "index.handler",
        Timeout: timeoutMs / 1000,
        MemorySize: settings.memoryMb,
        Version: LATEST,
        Environment: { Variables: maskedVariables(options.env) },
      }),
    );
  });

  app.post<FunctionRequest>(INVOKE_ROUTE, async (request, reply) => {
    if (!isThisFunction(request)) return notFound(request, reply);
    const invocationType = request.headers[INVOCATION_TYPE_HEADER] ?? "RequestResponse";
    if (invocationType === "DryRun") return reply.code(204).send();
    if (invocationType !== "RequestResponse") {
      const message = `InvocationType ${JSON.stringify(invocationType)} is not served here: expected RequestResponse or DryRun`;
      return apiError(reply, 400, "InvalidParameterValueException", message);
    }
    // Lambda hands an invocation without a payload an empty object.
    const payload = typeof request.body === "string" && request.body.trim() !== "" ? request.body : "{}";
    try {
      JSON.parse(payload);
    } catch (error) {
      const message = `Could not parse request body into json: ${(error as Error).message}`;
      return apiError(reply, 400, "InvalidRequestContentException", message);
    }
    const requestId = randomUUID();
    reply.header(REQUEST_ID_HEADER, requestId);
    return answer(reply, await host.invoke(requestId, payload), requestId, timeoutMs);
  });
  return app;
}

function answer(reply: FastifyReply, result: HostResult, requestId: string, timeoutMs: number) {
  if (result.kind === "throttled") {
    return apiError(reply, 429, "TooManyRequestsException", "Rate Exceeded.", {
      Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
    });
  }
  reply.code(200).header(EXECUTED_VERSION_HEADER, LATEST).type("application/json");
  if (result.kind === "returned") return reply.send(result.payload);
  const error = result.kind === "error" ? result.error : timeoutPayload(requestId, timeoutMs, new Date());
  return reply.header(FUNCTION_ERROR_HEADER, "Unhandled").send(JSON.stringify(error));
}

/** An API error as Lambda sends it: the type in a header for the SDK, a JSON body for people. */
function apiError(
  reply: FastifyReply,
  status: number,
  type: string,
  message: string,
  extra: Record<string, string> = {},
) {
  return reply
    .code(status)
    .header(ERROR_TYPE_HEADER, type)
    .type("application/json")
    .send(JSON.stringify({ Type: "User", message, ...extra }));
}
