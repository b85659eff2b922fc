import {
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { FunctionInvocationError } from "../lambda/errors";
import { isTimeoutPayload, readFunctionErrorPayload } from "../lambda/invoke-api";
import type { FunctionPort } from "./ports";

export interface LambdaClientOptions {
  /** A Lambda-Invoke-compatible endpoint (`smsim lambda serve`, `sam local start-lambda`); unset = AWS. */
  endpoint?: string;
  /** Unset: the SDK's own chain on AWS; any region signs for a local endpoint. */
  region?: string;
}

/**
 * A Lambda client for the event source mapping. It never retries: a throttle or a failed call
 * reaches the mapping, which handles it by Lambda's rules rather than the SDK's. A local
 * endpoint gets dummy credentials; AWS gets the SDK's default credential chain.
 */
export function createLambdaClient(options: LambdaClientOptions = {}): LambdaClient {
  const { endpoint, region } = options;
  if (endpoint === undefined) return new LambdaClient({ region, maxAttempts: 1 });
  return new LambdaClient({
    endpoint,
    region: region ?? "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });
}

export interface LambdaInvokeFunctionOptions {
  client: LambdaClient;
  /** A name, an ARN or a partial ARN, as InvokeCommand takes it. */
  functionName: string;
  /**
   * How long past the function timeout to wait for an answer before giving the invocation up as
   * timed out. Default 10 s: the init phase of a cold start (up to 10 s) is not part of the timeout.
   */
  abortMarginMs?: number;
}

const DEFAULT_ABORT_MARGIN_MS = 10_000;

/**
 * The function behind the mapping, invoked synchronously through the Lambda Invoke API. The
 * response maps as the real mapping reads it: a function error (X-Amz-Function-Error) fails the
 * batch, a timeout too (the "Task timed out" error, or no answer within the timeout and a
 * margin), TooManyRequestsException is a throttle, and otherwise the payload text goes to the
 * batch response parser as it came. Any other API error (unknown function, network) rejects.
 *
 * The function runs in wall time wherever it is hosted, whatever clock the mapping has.
 */
export function createLambdaInvokeFunction(options: LambdaInvokeFunctionOptions): FunctionPort {
  const { client, functionName } = options;
  const marginMs = options.abortMarginMs ?? DEFAULT_ABORT_MARGIN_MS;
  return {
    async invoke(event, timeoutMs) {
      const command = new InvokeCommand({
        FunctionName: functionName,
        InvocationType: "RequestResponse",
        Payload: JSON.stringify(event),
      });
      // AbortSignal.timeout's timer does not hold the process open once the answer is in.
      const abortSignal = AbortSignal.timeout(timeoutMs + marginMs);
      let response: InvokeCommandOutput;
      try {
        response = await client.send(command, { abortSignal });
      } catch (error) {
        if (error instanceof TooManyRequestsException) return { kind: "throttled" };
        if (abortSignal.aborted) return { kind: "timeout" };
        throw error;
      }
      const text = response.Payload?.transformToString() ?? "";
      if (response.FunctionError === undefined) return { kind: "returned", payload: text };
      const failure = readFunctionErrorPayload(text);
      if (isTimeoutPayload(failure)) return { kind: "timeout" };
      return { kind: "error", error: new FunctionInvocationError(response.FunctionError, failure) };
    },
  };
}
