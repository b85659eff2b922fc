import { ValidationError } from "../../domain/errors";
import type { EsmAssumptionReport } from "../../reports/summary";
import { formatDuration } from "../scenario/durations";

/**
 * How the mapping backs off, where AWS documents the mechanism but publishes no numbers.
 *
 * AWS (Lambda guide, services-sqs-errorhandling, "Backoff strategy for failed invocations"):
 * on a throttle Lambda "gradually backs off retries by reducing the amount of concurrency allocated
 * to your Amazon SQS event source mapping" and retries the batch "until the message's timestamp
 * exceeds your queue's visibility timeout"; on a function error it stops retrying and "gradually
 * backs off, reducing the amount of concurrency". Neither the retry schedule nor the pace of
 * "gradually" is published: each is a named setting here, and a run's summary names the ones its
 * outcome rests on (docs/CONFORMANCE.md, "Assumptions").
 */
export interface EsmBackoff {
  /**
   * Wait before the first retry of a throttled batch. Default 1 s: the only throttle-retry
   * schedule Lambda publishes (asynchronous invocation: "from 1 second after the first attempt").
   */
  throttleRetryInitialMs: number;
  /** Each retry waits this many times longer than the last. Default 2 (that schedule is exponential). */
  throttleRetryMultiplier: number;
  /** The longest wait between retries. Default 5 minutes, that schedule's maximum. */
  throttleRetryMaxMs: number;
  /**
   * Concurrency taken off the mapping per minute while a batch is held throttled or function errors
   * go on. Default 60 (one batch a second): "gradually", yet a 5-batch mapping reaches the floor
   * in 3 s and a 1,000-batch one in about 17 minutes.
   */
  shrinkPerMinute: number;
  /**
   * Concurrency regained per minute once they stop, up to where the backing off began. Default 300,
   * the published scale-up rate: "When the errors are resolved, Lambda continues to scale the
   * function" (AWS knowledge center, lambda-sqs-scaling).
   */
  recoverPerMinute: number;
  /**
   * The least concurrency backing off leaves. Default 2: the smallest MaximumConcurrency AWS
   * accepts, and the fewest concurrent batches the mapping scales down to (services-sqs-scaling).
   */
  floor: number;
}

export const DEFAULT_ESM_BACKOFF: EsmBackoff = {
  throttleRetryInitialMs: 1000,
  throttleRetryMultiplier: 2,
  throttleRetryMaxMs: 300_000,
  shrinkPerMinute: 60,
  recoverPerMinute: 300,
  floor: 2,
};

/** The scenario-facing names of the settings, for summaries and errors. */
export const ESM_BACKOFF_NAMES: Record<keyof EsmBackoff, string> = {
  throttleRetryInitialMs: "esm.throttleRetry.initial",
  throttleRetryMultiplier: "esm.throttleRetry.multiplier",
  throttleRetryMaxMs: "esm.throttleRetry.max",
  shrinkPerMinute: "esm.shrinkPerMinute",
  recoverPerMinute: "esm.recoverPerMinute",
  floor: "esm.floor",
};

export function resolveEsmBackoff(overrides: Partial<EsmBackoff> = {}): EsmBackoff {
  const backoff = { ...DEFAULT_ESM_BACKOFF, ...overrides };
  const check = (key: keyof EsmBackoff, ok: boolean, expected: string) => {
    if (!ok) throw new ValidationError(ESM_BACKOFF_NAMES[key], backoff[key], expected);
  };
  const { throttleRetryInitialMs: initial, throttleRetryMaxMs: max } = backoff;
  check("throttleRetryInitialMs", Number.isFinite(initial) && initial > 0, "expected a time > 0");
  check("throttleRetryMultiplier", backoff.throttleRetryMultiplier >= 1, "expected a number >= 1");
  check("throttleRetryMaxMs", Number.isFinite(max) && max >= initial, "expected a time >= the initial wait");
  check("shrinkPerMinute", backoff.shrinkPerMinute > 0, "expected a number > 0");
  check("recoverPerMinute", backoff.recoverPerMinute > 0, "expected a number > 0");
  check("floor", Number.isInteger(backoff.floor) && backoff.floor >= 1, "expected an integer >= 1");
  return backoff;
}

/** The wait before retry number `retry` (0 = the first) of a throttled batch. */
export function throttleRetryDelayMs(backoff: EsmBackoff, retry: number): number {
  const delay = backoff.throttleRetryInitialMs * backoff.throttleRetryMultiplier ** retry;
  return Math.min(backoff.throttleRetryMaxMs, delay);
}

/** The mapping's counters a report needs (EsmStats has them). */
export interface EsmBackoffCounters {
  throttledBatches: number;
  droppedBatches: number;
  recordsDropped: number;
  errors: number;
  timeouts: number;
  invalidResponses: number;
}

export function reportEsmAssumptions(
  backoff: EsmBackoff,
  counters: EsmBackoffCounters,
  run: { reportBatchItemFailures: boolean; recipientsInDlq: number },
): EsmAssumptionReport {
  const n = ESM_BACKOFF_NAMES;
  const settings: Record<string, string> = {
    [n.throttleRetryInitialMs]: formatDuration(backoff.throttleRetryInitialMs),
    [n.throttleRetryMultiplier]: String(backoff.throttleRetryMultiplier),
    [n.throttleRetryMaxMs]: formatDuration(backoff.throttleRetryMaxMs),
    [n.shrinkPerMinute]: String(backoff.shrinkPerMinute),
    [n.recoverPerMinute]: String(backoff.recoverPerMinute),
    [n.floor]: String(backoff.floor),
  };
  const named = (keys: (keyof EsmBackoff)[]) => keys.map((k) => `${n[k]} ${settings[n[k]]}`).join(", ");
  const retry = named(["throttleRetryInitialMs", "throttleRetryMultiplier", "throttleRetryMaxMs"]);
  const shrink = named(["shrinkPerMinute", "recoverPerMinute", "floor"]);
  const assumptions: string[] = [];
  const { throttledBatches: held, droppedBatches: dropped } = counters;
  if (dropped > 0) {
    assumptions.push(
      `${count(dropped, "throttled batch", "throttled batches")} (${count(counters.recordsDropped, "message", "messages")}) ` +
        `starved past the visibility timeout and were dropped, each drop spending a receive: the DLQ outcome ` +
        `(${count(run.recipientsInDlq, "recipient", "recipients")}) rests on the assumed retry schedule (${retry}) ` +
        `and backoff (${shrink}), which AWS does not publish.`,
    );
  } else if (held > 0) {
    assumptions.push(
      `${count(held, "throttled batch was", "throttled batches were")} held and retried, none past its visibility timeout: ` +
        `no recipient's DLQ outcome rests on the assumed settings, but delivery times do (${retry}; ${shrink}).`,
    );
  }
  const failures = counters.errors + counters.timeouts + counters.invalidResponses;
  if (failures > 0 && !run.reportBatchItemFailures) {
    assumptions.push(
      `${count(failures, "failed invocation", "failed invocations")} backed the mapping off (no ReportBatchItemFailures): ` +
        `throughput while they lasted rests on the assumed backoff (${shrink}).`,
    );
  }
  return {
    throttledBatches: held,
    droppedBatches: dropped,
    messagesDropped: counters.recordsDropped,
    settings,
    assumptions,
  };
}

function count(value: number, one: string, many: string): string {
  return `${value.toLocaleString("en-US")} ${value === 1 ? one : many}`;
}
