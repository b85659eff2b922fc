import { z } from "zod";

/**
 * The subset of Lambda's Invoke REST API (2015-03-31) that @aws-sdk/client-lambda's InvokeCommand
 * speaks: shared by the server that hosts the artifact and the client that invokes through it.
 */
export const INVOKE_ROUTE = "/2015-03-31/functions/:name/invocations";
/** GetFunctionConfiguration: how a caller checks which services the function is set up for. */
export const CONFIGURATION_ROUTE = "/2015-03-31/functions/:name/configuration";
export const INVOCATION_TYPE_HEADER = "x-amz-invocation-type";
/** Set on a 200 answer when the function failed: "Unhandled" (thrown, timed out) or "Handled". */
export const FUNCTION_ERROR_HEADER = "x-amz-function-error";
export const EXECUTED_VERSION_HEADER = "x-amz-executed-version";
/** Names the API error (ResourceNotFoundException, TooManyRequestsException...) for the SDK. */
export const ERROR_TYPE_HEADER = "x-amzn-errortype";
export const REQUEST_ID_HEADER = "x-amzn-requestid";
export const LATEST = "$LATEST";

/** A function error as Lambda's Node runtime reports it in the response payload (lambda-runtime.mjs). */
export interface FunctionErrorPayload {
  errorType?: string;
  errorMessage: string;
  trace?: string[];
}

const functionErrorPayloadSchema = z.object({
  errorType: z.string().optional(),
  errorMessage: z.string(),
  trace: z.array(z.string()).optional(),
});

/** Lambda's answer when the function outlives its timeout (FunctionError Unhandled). */
export function timeoutPayload(requestId: string, timeoutMs: number, at: Date): FunctionErrorPayload {
  const seconds = (timeoutMs / 1000).toFixed(2);
  return { errorMessage: `${at.toISOString()} ${requestId} Task timed out after ${seconds} seconds` };
}

/**
 * The error payload of a failed invocation; one that is not shaped like the runtime's (a custom
 * runtime, a proxy) keeps its text as the message.
 */
export function readFunctionErrorPayload(text: string): FunctionErrorPayload {
  try {
    const parsed = functionErrorPayloadSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return { errorMessage: text };
}

/** Both forms Lambda has used: the classic message, and errorType Sandbox.Timedout. */
export function isTimeoutPayload(payload: FunctionErrorPayload): boolean {
  return payload.errorType === "Sandbox.Timedout" || /Task timed out after/.test(payload.errorMessage);
}
