import { setMaxListeners } from "node:events";
import type { SQSRecord } from "aws-lambda";
import type { Clock } from "../../domain/clock";
import { ValidationError } from "../../domain/errors";
import type { Logger } from "../../domain/logger";
import type { PipelineConfig } from "../../infra/pipeline-config";
import { parseBatchResponse } from "./batch-response";
import type { FunctionPort, InvocationOutcome, QueueMessage, QueuePort } from "./ports";
import { recordBytes, sqsEventOf, sqsRecordOf } from "./sqs-event";

export interface EsmConfig {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** ScalingConfig.MaximumConcurrency; null = the mapping's own limit (scaling.max). */
  maximumConcurrency: number | null;
  reportBatchItemFailures: boolean;
  functionTimeoutSeconds: number;
}

/** How the mapping scales (Lambda guide, services-sqs-scaling). */
export interface EsmScaling {
  /** Concurrent batches once messages arrive. */
  initialConcurrency: number;
  /** Added per minute while every poll finds messages and no batch fails as a whole. */
  addPerMinute: number;
  /** The mapping's own ceiling. */
  max: number;
  /** Function errors, timeouts and throttles bring concurrency down to this, one batch at a time. */
  minConcurrency: number;
}

export const AWS_SQS_SCALING: EsmScaling = {
  initialConcurrency: 5,
  addPerMinute: 300,
  max: 1000,
  minConcurrency: 2,
};

/** Lambda's limit on a synchronous invocation's payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** ReceiveMessage returns, and DeleteMessageBatch takes, at most 10 messages a call. */
const MAX_RECEIVE = 10;
const MAX_DELETE = 10;
const SCALE_TICK_MS = 1000;
const MAX_RECEIVE_BACKOFF_MS = 20_000;

export type InvocationResult =
  | "succeeded"
  | "partial"
  | "error"
  | "invalid-response"
  | "timeout"
  | "throttled"
  | "invoke-failed";

/** One invocation, for timelines. */
export interface InvocationEvent {
  startedAt: number;
  endedAt: number;
  records: number;
  result: InvocationResult;
  /** Records left on the queue to come back after their visibility timeout. */
  failed: number;
  deleted: number;
  /** Records whose delete failed: they come back too, as duplicates. */
  deleteFailed: number;
  /** Invocations in flight when this one started, itself included. */
  concurrency: number;
  /** Why a whole batch failed. */
  reason?: string;
}

export interface EsmStats {
  /** Batches handed to the function (throttled ones included). */
  batches: number;
  /** Invocations that ran the function (throttled ones excluded). */
  invocations: number;
  recordsReceived: number;
  recordsDeleted: number;
  recordsFailed: number;
  deleteFailures: number;
  partialBatches: number;
  errors: number;
  invalidResponses: number;
  timeouts: number;
  throttled: number;
  receiveErrors: number;
  /** Invocations in flight now, and the most ever at once. */
  inFlight: number;
  maxConcurrent: number;
  /** Pollers running now, and the concurrency the mapping is scaling towards. */
  pollers: number;
  concurrency: number;
}

export interface EventSourceMappingOptions {
  queue: QueuePort;
  fn: FunctionPort;
  clock: Clock;
  config: EsmConfig;
  scaling?: Partial<EsmScaling>;
  logger?: Logger;
  onInvocation?: (event: InvocationEvent) => void;
  /** Long-poll wait of each ReceiveMessage (default 20 s, SQS's maximum). */
  pollWaitSeconds?: number;
}

export interface EventSourceMapping {
  start(): void;
  /** Stops polling and resolves once every batch in flight has been invoked and deleted. */
  stop(): Promise<void>;
  stats(): EsmStats;
}

/** The mapping settings of a template, as createEventSourceMapping takes them. */
export function esmConfigOf(pipeline: Pick<PipelineConfig, "esm" | "lambda">): EsmConfig {
  return {
    batchSize: pipeline.esm.batchSize,
    maxBatchingWindowSeconds: pipeline.esm.maxBatchingWindowSeconds,
    maximumConcurrency: pipeline.esm.maximumConcurrency,
    reportBatchItemFailures: pipeline.esm.reportBatchItemFailures,
    functionTimeoutSeconds: pipeline.lambda.timeoutSeconds,
  };
}

/**
 * An emulator of Lambda's SQS event source mapping. Each poller gathers a batch (ReceiveMessage
 * in calls of 10 within the batching window and the payload limit), invokes the function, reads
 * its response by AWS's rules, deletes the records that succeeded and leaves the rest to come
 * back after the visibility timeout; redrive to the DLQ is the queue's business.
 *
 * Scaling, checked every second: concurrency starts at `initialConcurrency`, grows by
 * `addPerMinute` while every poll finds messages, is capped by MaximumConcurrency, and falls back
 * to `initialConcurrency` while polls come back empty. Each batch that fails as a whole (function
 * error, timeout, invalid response, throttle) takes one step off, down to `minConcurrency`, and
 * stops growth for that second; with ReportBatchItemFailures a partial failure is not an error
 * (services-sqs-errorhandling). A throttled batch is left to return to the queue after its
 * visibility timeout (AWS retries it within that time; either way its receive count grows).
 *
 * Every wait goes through `clock`, so the same code runs in virtual time.
 */
export function createEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const { queue, fn, clock, config, logger, onInvocation } = options;
  const scaling = { ...AWS_SQS_SCALING, ...options.scaling };
  checkConfig(config, scaling);
  const pollWaitSeconds = options.pollWaitSeconds ?? 20;
  const cap = Math.min(config.maximumConcurrency ?? scaling.max, scaling.max);
  const idleFloor = Math.min(scaling.initialConcurrency, cap);
  const errorFloor = Math.min(scaling.minConcurrency, idleFloor);
  const timeoutMs = config.functionTimeoutSeconds * 1000;

  const counters = {
    batches: 0,
    invocations: 0,
    recordsReceived: 0,
    recordsDeleted: 0,
    recordsFailed: 0,
    deleteFailures: 0,
    partialBatches: 0,
    errors: 0,
    invalidResponses: 0,
    timeouts: 0,
    throttled: 0,
    receiveErrors: 0,
    maxConcurrent: 0,
  };
  let inFlight = 0;
  let target = idleFloor;
  let started = false;
  let stopping = false;
  const abort = new AbortController();
  // Every poller's long poll listens on this signal; more than 10 pollers is not a leak.
  setMaxListeners(cap + 10, abort.signal);
  const stopped = new Promise<void>((resolve) => abort.signal.addEventListener("abort", () => resolve()));
  const pollers = new Set<Promise<void>>();
  // Pollers that have not decided to retire; `pollers` also holds retiring ones until they finish.
  let active = 0;
  // What the pollers saw since the last scaling tick.
  let sawMessages = false;
  let sawEmptyPoll = false;
  let sawBatchFailure = false;

  function spawnPollers() {
    while (!stopping && active < Math.floor(target)) {
      active++;
      const poller: Promise<void> = poll().finally(() => pollers.delete(poller));
      pollers.add(poller);
    }
  }

  // A scale loop waiting for something to change (see settledState()), and what would change it.
  let waiting: { wakeOn: "messages" | "empty"; wake: () => void } | null = null;
  const observe = (what: "messages" | "empty" | "failure") => {
    if (waiting && (what === "failure" || what === waiting.wakeOn)) {
      // The tick after a wait covers what happens from the wake on: a poll seen during the wait
      // (say an empty one long before messages came) is older than that tick, and must not count.
      sawMessages = sawEmptyPoll = sawBatchFailure = false;
      const { wake } = waiting;
      waiting = null;
      wake();
    }
    if (what === "messages") sawMessages = true;
    else if (what === "empty") sawEmptyPoll = true;
    else sawBatchFailure = true;
  };

  /**
   * Nothing can move the target until the pollers see something new: idle at the floor (only
   * messages change that), or busy at the cap (only an empty poll or a failure does). Waiting
   * instead of ticking keeps an idle month cheap in virtual time; the outcome is the same.
   */
  const settledState = (): "messages" | "empty" | null => {
    if (sawBatchFailure) return null;
    if (!sawMessages && target <= idleFloor) return "messages";
    if (sawMessages && !sawEmptyPoll && target >= cap) return "empty";
    return null;
  };

  async function scaleLoop() {
    const step = (scaling.addPerMinute * SCALE_TICK_MS) / 60_000;
    let idleTick = true;
    while (!stopping) {
      sawMessages = !idleTick;
      sawEmptyPoll = idleTick;
      const wakeOn = settledState();
      sawMessages = sawEmptyPoll = sawBatchFailure = false;
      // stop() ends this wait too: racing it against `stopped` would leave a reaction on that
      // promise per wait, and a month of order notifications is 100,000s of waits.
      if (wakeOn) await new Promise<void>((wake) => (waiting = { wakeOn, wake }));
      await clock.sleep(SCALE_TICK_MS);
      if (sawMessages && !sawBatchFailure) {
        // Every poll found messages: there is a backlog, grow. Some came back empty: only regain
        // the baseline lost to errors.
        const ceiling = sawEmptyPoll ? Math.max(target, idleFloor) : cap;
        target = Math.min(ceiling, target + step);
      } else if (sawEmptyPoll && !sawMessages && target > idleFloor) {
        target = Math.max(idleFloor, target - step);
      }
      idleTick = !sawMessages;
      spawnPollers();
    }
  }

  async function poll(): Promise<void> {
    let carry: QueueMessage[] = [];
    let receiveFailures = 0;
    // After an empty poll at the idle floor the next one may wait for messages in one call.
    let lastPollEmpty = false;
    try {
      // A poller above the target retires between batches (that is how concurrency comes down),
      // never holding records it has received.
      while (carry.length > 0 || (!stopping && active <= Math.floor(target))) {
        let batch: QueueMessage[];
        try {
          ({ batch, carry } = await gather(carry, lastPollEmpty));
          receiveFailures = 0;
        } catch (error) {
          if (stopping) return;
          counters.receiveErrors++;
          logger?.warn("ReceiveMessage failed", { error });
          const backoffMs = Math.min(MAX_RECEIVE_BACKOFF_MS, 1000 * 2 ** receiveFailures++);
          await Promise.race([clock.sleep(backoffMs), stopped]);
          continue;
        }
        lastPollEmpty = batch.length === 0;
        if (batch.length === 0) {
          observe("empty");
          continue;
        }
        observe("messages");
        await runBatch(batch);
      }
    } finally {
      active--;
    }
  }

  /** One batch: up to batchSize records, within the window (from the first record) and 6 MB. */
  async function gather(
    carried: QueueMessage[],
    idle: boolean,
  ): Promise<{ batch: QueueMessage[]; carry: QueueMessage[] }> {
    const batch: QueueMessage[] = [];
    const carry: QueueMessage[] = [];
    let bytes = 0;
    let windowEnds: number | null = null;
    const take = (messages: QueueMessage[]) => {
      windowEnds ??= clock.now() + config.maxBatchingWindowSeconds * 1000;
      for (const message of messages) {
        const size = recordBytes(sqsRecordOf(message, queue));
        if (carry.length > 0 || (batch.length > 0 && bytes + size > MAX_PAYLOAD_BYTES)) carry.push(message);
        else {
          batch.push(message);
          bytes += size;
        }
      }
    };
    if (carried.length > 0) take(carried);
    while (batch.length < config.batchSize && carry.length === 0 && !stopping) {
      const remainingMs: number | null = windowEnds === null ? null : windowEnds - clock.now();
      if (remainingMs !== null && remainingMs <= 0) break;
      const waitSeconds =
        remainingMs === null ? pollWaitSeconds : Math.min(pollWaitSeconds, Math.ceil(remainingMs / 1000));
      let received: QueueMessage[];
      try {
        const max = Math.min(MAX_RECEIVE, config.batchSize - batch.length);
        received =
          idle && batch.length === 0 && queue.receiveWhenAvailable && target <= idleFloor
            ? await queue.receiveWhenAvailable(max, waitSeconds)
            : await queue.receive(max, waitSeconds, abort.signal);
      } catch (error) {
        // What this batch already holds is in flight: invoke it rather than strand it.
        if (batch.length > 0) break;
        throw error;
      }
      if (received.length === 0 && batch.length === 0) break;
      take(received);
    }
    return { batch, carry };
  }

  async function runBatch(messages: QueueMessage[]): Promise<void> {
    const records = messages.map((m) => sqsRecordOf(m, queue));
    counters.batches++;
    counters.recordsReceived += records.length;
    inFlight++;
    counters.maxConcurrent = Math.max(counters.maxConcurrent, inFlight);
    const concurrency = inFlight;
    const startedAt = clock.now();
    let outcome: InvocationOutcome | { kind: "invoke-failed"; error: unknown };
    try {
      outcome = await fn.invoke(sqsEventOf(records), timeoutMs);
    } catch (error) {
      outcome = { kind: "invoke-failed", error };
    } finally {
      inFlight--;
    }
    const { result, failedIds, reason } = judge(outcome, records);
    if (result !== "throttled") counters.invocations++;
    const failed = new Set(failedIds);
    const toDelete = records.filter((r) => !failed.has(r.messageId)).map((r) => r.receiptHandle);
    const deleteFailed = await deleteRecords(toDelete);
    counters.recordsDeleted += toDelete.length - deleteFailed;
    counters.recordsFailed += failed.size;
    onInvocation?.({
      startedAt,
      endedAt: clock.now(),
      records: records.length,
      result,
      failed: failed.size,
      deleted: toDelete.length - deleteFailed,
      deleteFailed,
      concurrency,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  function judge(
    outcome: InvocationOutcome | { kind: "invoke-failed"; error: unknown },
    records: SQSRecord[],
  ): { result: InvocationResult; failedIds: string[]; reason?: string } {
    const all = records.map((r) => r.messageId);
    const wholeBatch = (result: InvocationResult, counter: keyof typeof counters, reason: string) => {
      counters[counter]++;
      // Lambda backs off on a failed batch: one step less concurrency, no growth this tick.
      target = Math.max(errorFloor, target - 1);
      observe("failure");
      logger?.warn("batch failed", { result, records: all.length, reason });
      return { result, failedIds: all, reason };
    };
    switch (outcome.kind) {
      case "throttled":
        return wholeBatch("throttled", "throttled", "the function was throttled");
      case "timeout":
        return wholeBatch("timeout", "timeouts", `timed out after ${config.functionTimeoutSeconds} s`);
      case "error":
        return wholeBatch("error", "errors", describeError(outcome.error));
      case "invoke-failed":
        return wholeBatch("invoke-failed", "errors", `invoke failed: ${describeError(outcome.error)}`);
      case "returned": {
        const verdict = parseBatchResponse(outcome.payload, all, config.reportBatchItemFailures);
        if (verdict.kind === "invalid-response") {
          return wholeBatch("invalid-response", "invalidResponses", verdict.reason);
        }
        if (verdict.kind === "all-succeeded") return { result: "succeeded", failedIds: [] };
        counters.partialBatches++;
        return { result: "partial", failedIds: verdict.failedMessageIds };
      }
    }
  }

  /** DeleteMessageBatch in calls of 10; resolves with how many records stay on the queue. */
  async function deleteRecords(receiptHandles: string[]): Promise<number> {
    const calls: Promise<number>[] = [];
    for (let i = 0; i < receiptHandles.length; i += MAX_DELETE) {
      const handles = receiptHandles.slice(i, i + MAX_DELETE);
      calls.push(
        queue.deleteBatch(handles).then(
          (failed) => failed.length,
          (error) => {
            logger?.warn("DeleteMessageBatch failed", { records: handles.length, error });
            return handles.length;
          },
        ),
      );
    }
    const failed = (await Promise.all(calls)).reduce((sum, n) => sum + n, 0);
    counters.deleteFailures += failed;
    return failed;
  }

  return {
    start() {
      if (started) return;
      started = true;
      spawnPollers();
      void scaleLoop();
    },
    async stop() {
      stopping = true;
      abort.abort();
      waiting?.wake();
      waiting = null;
      while (pollers.size > 0) await Promise.all([...pollers]);
    },
    stats: () => ({
      ...counters,
      inFlight,
      pollers: pollers.size,
      concurrency: Math.floor(target),
    }),
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function checkConfig(config: EsmConfig, scaling: EsmScaling) {
  const positive = (field: string, value: number, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new ValidationError(field, value, `expected an integer from 1 to ${max}`);
    }
  };
  positive("config.batchSize", config.batchSize, 10_000);
  positive("config.functionTimeoutSeconds", config.functionTimeoutSeconds, 900);
  if (config.maximumConcurrency !== null)
    positive("config.maximumConcurrency", config.maximumConcurrency, 1000);
  positive("scaling.initialConcurrency", scaling.initialConcurrency);
  positive("scaling.max", scaling.max);
  positive("scaling.minConcurrency", scaling.minConcurrency);
  if (!(scaling.addPerMinute >= 0))
    throw new ValidationError("scaling.addPerMinute", scaling.addPerMinute, "expected >= 0");
  const window = config.maxBatchingWindowSeconds;
  if (!(window >= 0 && window <= 300)) {
    throw new ValidationError("config.maxBatchingWindowSeconds", window, "expected 0 to 300");
  }
  if (config.batchSize > 10 && window < 1) {
    throw new ValidationError("config.maxBatchingWindowSeconds", window, "must be >= 1 when batchSize > 10");
  }
}
