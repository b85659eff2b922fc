import type { Context, SQSEvent } from "aws-lambda";
import { SmsimError, ValidationError } from "../../domain/errors";
import type { LambdaConfig } from "../../infra/pipeline-config";
import { hashString, type Random } from "../../provider-mock/random";
import type { FunctionPort, InvocationOutcome } from "../esm/ports";
import { requireInt, requireTime } from "./checks";
import { Deque } from "./deque";
import { LambdaMarshalError } from "./errors";
import type { VirtualClock } from "./scheduler";

export type LambdaHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface LambdaModelOptions {
  functionName: string;
  handler: LambdaHandler;
  clock: VirtualClock;
  memoryMb: number;
  architecture: "x86_64" | "arm64";
  /** null: the function shares the account's pool (`accountConcurrency`). */
  reservedConcurrency: number | null;
  /** Default 1000, AWS's default account limit. */
  accountConcurrency?: number;
  /** Init duration of a new execution environment; a function draws from `random`. Default 250. */
  coldStartMs?: number | ((random: Random) => number);
  /** Needed when `coldStartMs` is a function. */
  random?: Random;
  /** How long an idle environment stays warm. Default 10 minutes (AWS keeps them ~5-15). */
  idleInstanceTtlMs?: number;
  region?: string;
  accountId?: string;
}

export interface LambdaStats {
  /** Picks the GB-second price (arm64 is ~20% cheaper). */
  architecture: "x86_64" | "arm64";
  /** Invocations that ran (errors and timeouts included, throttles not), as CloudWatch counts. */
  invocations: number;
  /** Invocations whose handler threw or returned what JSON cannot carry. */
  errors: number;
  timeouts: number;
  throttles: number;
  coldStarts: number;
  concurrent: number;
  maxConcurrent: number;
  /** Billed milliseconds: each invocation's init + run, rounded up to 1 ms. */
  billedMs: number;
  gbSeconds: number;
}

export interface LambdaModel extends FunctionPort {
  stats(): LambdaStats;
}

interface Instance {
  id: number;
  idleSince: number;
}

const TIMEOUT: InvocationOutcome = { kind: "timeout" };
const THROTTLED: InvocationOutcome = { kind: "throttled" };

/**
 * One Lambda function in virtual time: concurrency limits, execution environments that start cold
 * and stay warm while used, the timeout, and billing.
 *
 * Choices: the init phase counts toward concurrency and billing (AWS bills INIT since Aug 2025) but
 * not toward the timeout; an environment whose invocation timed out is discarded, so the next one
 * starts cold; warm environments are reused most-recently-idle first. A timed-out handler's promise
 * runs on in the background (nothing can stop it in-process) and its result is dropped: side effects
 * it makes after the deadline are ones a real Lambda would not make.
 */
/** The template's function (memory, architecture, reserved concurrency) as a model, for either engine. */
export function createTemplateLambdaModel(
  lambda: LambdaConfig,
  options: Pick<LambdaModelOptions, "handler" | "clock" | "random" | "region">,
): LambdaModel {
  return createLambdaModel({
    ...options,
    functionName: lambda.functionName,
    memoryMb: lambda.memoryMb,
    architecture: lambda.architecture,
    reservedConcurrency: lambda.reservedConcurrency,
  });
}

export function createLambdaModel(options: LambdaModelOptions): LambdaModel {
  const { clock, handler, functionName } = options;
  const memoryMb = requireInt("memoryMb", options.memoryMb, 128, 10_240);
  const limit =
    options.reservedConcurrency === null
      ? requireInt("accountConcurrency", options.accountConcurrency ?? 1000, 1, 1_000_000)
      : requireInt("reservedConcurrency", options.reservedConcurrency, 0, 1_000_000);
  const idleTtlMs = requireTime("idleInstanceTtlMs", options.idleInstanceTtlMs ?? 600_000, 0);
  const coldStart = coldStartDrawer(options);
  const region = options.region ?? "us-east-1";
  const arn = `arn:aws:lambda:${region}:${options.accountId ?? "000000000000"}:function:${functionName}`;
  const tag = hashString(functionName).toString(16).padStart(14, "0").slice(-8);

  const idle = new Deque<Instance>();
  const stats: Omit<LambdaStats, "gbSeconds"> = {
    architecture: options.architecture,
    invocations: 0,
    errors: 0,
    timeouts: 0,
    throttles: 0,
    coldStarts: 0,
    concurrent: 0,
    maxConcurrent: 0,
    billedMs: 0,
  };
  let billedMbMs = 0;
  let requests = 0;

  /** The most recently idle warm environment, after retiring the ones idle past the TTL. */
  const warmInstance = (now: number): Instance | undefined => {
    for (
      let oldest = idle.peekFirst();
      oldest && oldest.idleSince + idleTtlMs <= now;
      oldest = idle.peekFirst()
    ) {
      idle.shift();
    }
    return idle.pop();
  };

  const context = (requestId: string, instance: Instance, deadline: number): Context => ({
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: arn,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `[$LATEST]${tag}${instance.id.toString(16).padStart(24, "0")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock.now()),
    done: callbackApi,
    fail: callbackApi,
    succeed: callbackApi,
  });

  /**
   * Races the handler against the deadline on a cancellable timer, so no dead timer lingers. The
   * first to finish wins: a promise resolves once, and cancelling a timer that fired does nothing.
   */
  const runHandler = (event: SQSEvent, ctx: Context, timeoutMs: number) =>
    new Promise<InvocationOutcome>((resolve) => {
      const finish = (outcome: InvocationOutcome) => {
        timer.cancel();
        resolve(outcome);
      };
      const timer = clock.after(timeoutMs, () => finish(TIMEOUT));
      let result: Promise<unknown>;
      try {
        result = Promise.resolve(handler(event, ctx));
      } catch (error) {
        finish({ kind: "error", error });
        return;
      }
      result.then(
        (payload) => finish(marshal(payload)),
        (error: unknown) => finish({ kind: "error", error }),
      );
    });

  return {
    async invoke(event, timeoutMs) {
      requireInt("timeoutMs", timeoutMs, 1, 900_000);
      if (stats.concurrent >= limit) {
        stats.throttles++;
        return THROTTLED;
      }
      stats.concurrent++;
      stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.concurrent);
      const requestId = `${tag}-0000-4000-a000-${(++requests).toString(16).padStart(12, "0")}`;
      const initStart = clock.now();
      let instance = warmInstance(initStart);
      if (instance === undefined) {
        stats.coldStarts++;
        instance = { id: stats.coldStarts, idleSince: 0 };
        const initMs = coldStart();
        if (initMs > 0) await clock.sleep(initMs);
      }
      stats.invocations++;
      const start = clock.now();
      const outcome = await runHandler(event, context(requestId, instance, start + timeoutMs), timeoutMs);
      const end = clock.now();
      const billed = Math.ceil(end - initStart);
      stats.billedMs += billed;
      billedMbMs += billed * memoryMb;
      if (outcome.kind === "timeout") stats.timeouts++;
      else {
        if (outcome.kind === "error") stats.errors++;
        instance.idleSince = end;
        idle.push(instance);
      }
      stats.concurrent--;
      return outcome;
    },
    stats: () => ({ ...stats, gbSeconds: billedMbMs / 1024 / 1000 }),
  };
}

function coldStartDrawer(options: LambdaModelOptions): () => number {
  const coldStartMs = options.coldStartMs ?? 250;
  if (typeof coldStartMs === "number") {
    requireTime("coldStartMs", coldStartMs, 0);
    return () => coldStartMs;
  }
  const random = options.random;
  if (random === undefined) {
    throw new ValidationError("random", random, "is required when coldStartMs is a function");
  }
  return () => requireTime("coldStartMs()", coldStartMs(random), 0);
}

/** Lambda hands the function's result over as JSON: what does not survive that is an error. */
function marshal(payload: unknown): InvocationOutcome {
  if (payload === undefined) return { kind: "returned", payload: null };
  try {
    return { kind: "returned", payload: JSON.parse(JSON.stringify(payload)) };
  } catch (error) {
    return { kind: "error", error: new LambdaMarshalError(error) };
  }
}

function callbackApi(): never {
  throw new SmsimError("UNSUPPORTED", "context.done/fail/succeed: the model runs async handlers only");
}
