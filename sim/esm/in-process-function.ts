import type { Context, SQSEvent } from "aws-lambda";
import type { Clock } from "../../domain/clock";
import type { FunctionPort, InvocationOutcome } from "./ports";

/** An async Lambda handler; the production handler's context type is a subset of Context. */
export type InProcessHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface InProcessFunctionOptions {
  handler: InProcessHandler;
  clock: Clock;
  functionName: string;
  memoryMb?: number;
  region?: string;
  /** ReservedConcurrentExecutions: invocations beyond it are throttled; null = no limit. */
  reservedConcurrency?: number | null;
}

export interface InProcessFunction extends FunctionPort {
  /** Invocations running now (a timed-out one stops counting when it times out, as in Lambda). */
  running(): number;
}

/**
 * Runs a handler in this process as Lambda would: a context whose remaining time follows the
 * clock, the response serialised to JSON, a timeout that fails the invocation. A timed-out
 * handler cannot be killed here, so it runs on in the background; its result is ignored.
 */
export function createInProcessFunction(options: InProcessFunctionOptions): InProcessFunction {
  const { handler, clock, functionName } = options;
  const region = options.region ?? "ap-northeast-2";
  const reserved = options.reservedConcurrency ?? null;
  let running = 0;
  let invocations = 0;

  function contextFor(deadline: number): Context {
    const requestId = `00000000-0000-4000-8000-${(++invocations).toString(16).padStart(12, "0")}`;
    const unsupported = () => {
      throw new Error("context.done/fail/succeed are not supported: return or throw from the async handler");
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
      memoryLimitInMB: String(options.memoryMb ?? 128),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `smsim/[$LATEST]${requestId.replaceAll("-", "")}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - clock.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  }

  async function run(event: SQSEvent, context: Context): Promise<InvocationOutcome> {
    try {
      const result = await handler(event, context);
      // Lambda's Node runtime serialises the returned value; undefined becomes null.
      return { kind: "returned", payload: JSON.stringify(result) ?? "null" };
    } catch (error) {
      return { kind: "error", error };
    }
  }

  return {
    running: () => running,
    async invoke(event, timeoutMs) {
      if (reserved !== null && running >= reserved) return { kind: "throttled" };
      running++;
      try {
        const timedOut = clock.sleep(timeoutMs).then((): InvocationOutcome => ({ kind: "timeout" }));
        return await Promise.race([run(event, contextFor(clock.now() + timeoutMs)), timedOut]);
      } finally {
        running--;
      }
    },
  };
}
