import { readFile } from "node:fs/promises";
import { InvokeCommand, type LambdaClient, TooManyRequestsException } from "@aws-sdk/client-lambda";
import { readFunctionErrorPayload } from "../lambda/invoke-api";
import { SweepPointError } from "./errors";
import type { PointJob, PointOutcome, PointRunner } from "./point-job";
import type { SweepEvent } from "./sweep-function";

/** SweepFunction's FunctionName in infra/template.yaml. */
export const SWEEP_FUNCTION_NAME = "smsim-sweep";

export interface LambdaRunnerOptions {
  client: LambdaClient;
  functionName: string;
  /** Points in flight at once (--jobs). */
  concurrency: number;
  /** The template every point runs on (sent with each point: the function has none). */
  templatePath: string;
  /** Throttled invocations are retried after 250 ms, 500 ms, ... this many times. */
  maxThrottleRetries?: number;
}

/**
 * Runs each point on SweepFunction through the Lambda Invoke API (RequestResponse), up to
 * `concurrency` at once. A throttle (the account's or the function's concurrency) waits and
 * retries; a function error fails the point with the function's own message.
 */
export function createLambdaRunner(options: LambdaRunnerOptions): PointRunner {
  const retries = options.maxThrottleRetries ?? 8;
  let template: Promise<string> | undefined;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    while (inFlight >= options.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
  };
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };

  const invoke = async (event: SweepEvent): Promise<PointOutcome> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await options.client.send(
          new InvokeCommand({
            FunctionName: options.functionName,
            InvocationType: "RequestResponse",
            Payload: JSON.stringify(event),
          }),
        );
        const text = response.Payload?.transformToString() ?? "";
        if (response.FunctionError !== undefined) {
          const failure = readFunctionErrorPayload(text);
          throw new SweepPointError(
            options.functionName,
            `${failure.errorType ?? "Error"}: ${failure.errorMessage}`,
          );
        }
        return JSON.parse(text) as PointOutcome;
      } catch (error) {
        if (!(error instanceof TooManyRequestsException) || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * (attempt + 1)));
      }
    }
  };

  return {
    concurrency: options.concurrency,
    async run(job: PointJob) {
      template ??= readFile(options.templatePath, "utf8");
      await slot();
      try {
        return await invoke({ job, templateYaml: await template });
      } finally {
        release();
      }
    },
    async close() {
      options.client.destroy();
    },
  };
}
