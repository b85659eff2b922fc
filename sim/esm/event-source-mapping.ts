import type { SQSRecord } from "aws-lambda";
import type { Clock } from "../../domain/clock";
import { ValidationError } from "../../domain/errors";
import type { Logger } from "../../domain/logger";
import type { PipelineConfig } from "../../infra/pipeline-config";
import { parseBatchResponse } from "./batch-response";
import { type EsmBackoff, resolveEsmBackoff, throttleRetryDelayMs } from "./esm-backoff";
import type { FunctionPort, InvocationOutcome, QueueMessage, QueuePort } from "./ports";
import { EVENT_ENVELOPE_BYTES, recordBytes, sqsEventOf, sqsRecordOf } from "./sqs-event";

export interface EsmConfig {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** ScalingConfig.MaximumConcurrency; null = the mapping's own limit (scaling.max). */
  maximumConcurrency: number | null;
  reportBatchItemFailures: boolean;
  functionTimeoutSeconds: number;
  /** The source queue's VisibilityTimeout: how long a throttled batch may be held and retried. */
  visibilityTimeoutSeconds: number;
}

/** How the mapping scales (Lambda guide, services-sqs-scaling). */
export interface EsmScaling {
  /** Concurrent batches once messages arrive. */
  initialConcurrency: number;
  /** Added per minute while every poll finds messages and no batch fails as a whole. */
  addPerMinute: number;
  /** The mapping's own ceiling. */
  max: number;
}

export const AWS_SQS_SCALING: EsmScaling = {
  initialConcurrency: 5,
  addPerMinute: 300,
  max: 1000,
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
  | "invoke-failed"
  /** A throttled batch held until its visibility timeout passed, then let go unprocessed. */
  | "dropped";

/** One invocation, for timelines. */
export interface InvocationEvent {
  startedAt: number;
  endedAt: number;
  records: number;
  result: InvocationResult;
  /** Records left on the queue to come back after their visibility timeout (0 for a throttle: it is retried). */
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
  /** Batches received and handed to the function (a held batch's retries count once). */
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
  /** Throttled invocation attempts, every retry of a held batch included (Lambda's Throttles). */
  throttled: number;
  /** Batches held and retried after a throttle. */
  throttledBatches: number;
  /** Held batches let go when their visibility timeout passed, and their records. */
  droppedBatches: number;
  recordsDropped: number;
  receiveErrors: number;
  /** Invocations in flight now, and the most ever at once. */
  inFlight: number;
  maxConcurrent: number;
  /** Pollers running now, and the concurrency the mapping is scaling towards. */
  pollers: number;
  concurrency: number;
  /** Throttled batches held for a retry now. */
  heldBatches: number;
}

export interface EventSourceMappingOptions {
  queue: QueuePort;
  fn: FunctionPort;
  clock: Clock;
  config: EsmConfig;
  scaling?: Partial<EsmScaling>;
  /** What AWS does not publish about backing off (see EsmBackoff); unset fields take the defaults. */
  backoff?: Partial<EsmBackoff>;
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
export function esmConfigOf(pipeline: Pick<PipelineConfig, "esm" | "lambda" | "queue">): EsmConfig {
  return {
    batchSize: pipeline.esm.batchSize,
    maxBatchingWindowSeconds: pipeline.esm.maxBatchingWindowSeconds,
    maximumConcurrency: pipeline.esm.maximumConcurrency,
    reportBatchItemFailures: pipeline.esm.reportBatchItemFailures,
    functionTimeoutSeconds: pipeline.lambda.timeoutSeconds,
    visibilityTimeoutSeconds: pipeline.queue.visibilityTimeoutSeconds,
  };
}

/**
 * An emulator of Lambda's SQS event source mapping. Each poller gathers a batch (ReceiveMessage
 * in calls of 10 within the batching window and the payload limit), invokes the function, reads
 * its response by AWS's rules, deletes the records that succeeded and leaves the rest to come
 * back after the visibility timeout; redrive to the DLQ is the queue's business.
 *
 * Scaling, checked every second (services-sqs-scaling): concurrency starts at
 * `initialConcurrency`, grows by `addPerMinute` while every poll finds messages, is capped by
 * MaximumConcurrency, and falls back to `initialConcurrency` while polls come back empty.
 *
 * Failures (services-sqs-errorhandling, "Backoff strategy for failed invocations"):
 * - a throttled batch is held by its poller and retried on the `backoff` schedule, "until the
 *   message's timestamp exceeds your queue's visibility timeout, at which point Lambda drops the
 *   message": only then do its records return to the queue, with the one receive they already
 *   spent. A poller holding a batch receives nothing, so messages still queued spend no receives;
 * - on an error from function code Lambda "will stop processing and retrying the invocation":
 *   the batch's records come back after the visibility timeout;
 * - either way Lambda "gradually backs off, reducing the amount of concurrency allocated" to the
 *   mapping: while a batch is held or function errors go on, concurrency shrinks by
 *   `backoff.shrinkPerMinute` down to `backoff.floor`, then regains `backoff.recoverPerMinute`;
 * - "With ReportBatchItemFailures activated, Lambda doesn't scale down message polling when
 *   function invocations fail": with it on, no function failure shrinks concurrency (a thrown
 *   error still fails the whole batch); throttles still do.
 *
 * Every wait goes through `clock`, so the same code runs in virtual time.
 */
export function createEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const { queue, fn, clock, config, logger, onInvocation } = options;
  const scaling = { ...AWS_SQS_SCALING, ...options.scaling };
  const backoff = resolveEsmBackoff(options.backoff);
  checkConfig(config, scaling);
  const pollWaitSeconds = options.pollWaitSeconds ?? 20;
  const cap = Math.min(config.maximumConcurrency ?? scaling.max, scaling.max);
  const idleFloor = Math.min(scaling.initialConcurrency, cap);
  const backoffFloor = Math.min(backoff.floor, idleFloor);
  const timeoutMs = config.functionTimeoutSeconds * 1000;
  const visibilityMs = config.visibilityTimeoutSeconds * 1000;

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
    throttledBatches: 0,
    droppedBatches: 0,
    recordsDropped: 0,
    receiveErrors: 0,
    maxConcurrent: 0,
  };
  let inFlight = 0;
  let held = 0;
  let target = idleFloor;
  // Where the current backing off began: below it, concurrency comes back at recoverPerMinute.
  let backedOffFrom: number | null = null;
  let started = false;
  let stopping = false;
  const abort = new AbortController();
  const stopped = new Promise<void>((resolve) => abort.signal.addEventListener("abort", () => resolve()));
  const pollers = new Set<Promise<void>>();
  // Pollers that have not decided to retire; `pollers` also holds retiring ones until they finish.
  let active = 0;
  // What the pollers saw since the last scaling tick.
  let sawMessages = false;
  let sawEmptyPoll = false;
  let sawBackoff = false;

  function spawnPollers() {
    while (!stopping && active < Math.floor(target)) {
      active++;
      const poller: Promise<void> = poll().finally(() => pollers.delete(poller));
      pollers.add(poller);
    }
  }

  // A scale loop waiting for something to change (see settledState()), and what would change it.
  let waiting: { wakeOn: "messages" | "empty"; wake: () => void } | null = null;
  const observe = (what: "messages" | "empty" | "backoff") => {
    if (waiting && (what === "backoff" || what === waiting.wakeOn)) {
      // The tick after a wait covers what happens from the wake on: a poll seen during the wait
      // (say an empty one long before messages came) is older than that tick, and must not count.
      sawMessages = sawEmptyPoll = sawBackoff = false;
      const { wake } = waiting;
      waiting = null;
      wake();
    }
    if (what === "messages") sawMessages = true;
    else if (what === "empty") sawEmptyPoll = true;
    else sawBackoff = true;
  };

  /**
   * Nothing can move the target until the pollers see something new: idle at the floor (only
   * messages change that), or busy at the cap (only an empty poll or a failure does). Waiting
   * instead of ticking keeps an idle month cheap in virtual time; the outcome is the same.
   */
  const settledState = (): "messages" | "empty" | null => {
    if (sawBackoff || held > 0) return null;
    if (!sawMessages && target <= idleFloor) return "messages";
    if (sawMessages && !sawEmptyPoll && target >= cap) return "empty";
    return null;
  };

  async function scaleLoop() {
    const perTick = (perMinute: number) => (perMinute * SCALE_TICK_MS) / 60_000;
    const grow = perTick(scaling.addPerMinute);
    const shrink = perTick(backoff.shrinkPerMinute);
    const recover = perTick(backoff.recoverPerMinute);
    let idleTick = true;
    while (!stopping) {
      sawMessages = !idleTick;
      sawEmptyPoll = idleTick;
      const wakeOn = settledState();
      sawMessages = sawEmptyPoll = sawBackoff = false;
      // stop() ends this wait too: racing it against `stopped` would leave a reaction on that
      // promise per wait, and a month of order notifications is 100,000s of waits.
      if (wakeOn) await new Promise<void>((wake) => (waiting = { wakeOn, wake }));
      await clock.sleep(SCALE_TICK_MS);
      if (sawBackoff || held > 0) {
        backedOffFrom ??= target;
        target = Math.max(backoffFloor, target - shrink);
      } else if (sawMessages) {
        // Every poll found messages: there is a backlog, grow. Some came back empty: only regain
        // the baseline lost to backing off.
        const ceiling = sawEmptyPoll ? Math.max(target, idleFloor) : cap;
        if (backedOffFrom !== null && target < backedOffFrom) {
          target = Math.min(ceiling, backedOffFrom, target + recover);
        } else {
          target = Math.min(ceiling, target + grow);
        }
        if (backedOffFrom !== null && target >= Math.min(backedOffFrom, ceiling)) backedOffFrom = null;
      } else if (sawEmptyPoll && target > idleFloor) {
        target = Math.max(idleFloor, target - grow);
      }
      idleTick = !sawMessages;
      spawnPollers();
    }
  }

  async function poll(): Promise<void> {
    let carry: QueueMessage[] = [];
    let carryReceivedAt = 0;
    let receiveFailures = 0;
    // After an empty poll at the idle floor the next one may wait for messages in one call.
    let lastPollEmpty = false;
    try {
      // A poller above the target retires between batches (that is how concurrency comes down),
      // never holding records it has received.
      while (carry.length > 0 || (!stopping && active <= Math.floor(target))) {
        let gathered: Gathered;
        try {
          gathered = await gather(carry, carryReceivedAt, lastPollEmpty);
          receiveFailures = 0;
        } catch (error) {
          if (stopping) return;
          counters.receiveErrors++;
          logger?.warn("ReceiveMessage failed", { error });
          const backoffMs = Math.min(MAX_RECEIVE_BACKOFF_MS, 1000 * 2 ** receiveFailures++);
          await Promise.race([clock.sleep(backoffMs), stopped]);
          continue;
        }
        const { batch, receivedAt } = gathered;
        ({ carry } = gathered);
        carryReceivedAt = receivedAt;
        lastPollEmpty = batch.length === 0;
        if (batch.length === 0) {
          observe("empty");
          continue;
        }
        observe("messages");
        await runBatch(batch, receivedAt);
      }
    } finally {
      active--;
    }
  }

  interface Gathered {
    batch: QueueMessage[];
    carry: QueueMessage[];
    /** When the batch's first record was received: its visibility timeout runs from then. */
    receivedAt: number;
  }

  /** One batch: up to batchSize records, within the window (from the first record) and 6 MB. */
  async function gather(carried: QueueMessage[], carriedAt: number, idle: boolean): Promise<Gathered> {
    const batch: QueueMessage[] = [];
    const carry: QueueMessage[] = [];
    let bytes = EVENT_ENVELOPE_BYTES;
    let windowEnds: number | null = null;
    // Carried records were received with the last batch, no earlier than its first record: timing
    // them from it errs towards letting a throttled batch go early, never late.
    let receivedAt = carriedAt;
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
      if (batch.length === 0) receivedAt = clock.now();
      take(received);
    }
    return { batch, carry, receivedAt };
  }

  async function invoke(records: SQSRecord[]) {
    inFlight++;
    counters.maxConcurrent = Math.max(counters.maxConcurrent, inFlight);
    const concurrency = inFlight;
    const startedAt = clock.now();
    let outcome: Outcome;
    try {
      outcome = await fn.invoke(sqsEventOf(records), timeoutMs);
    } catch (error) {
      outcome = { kind: "invoke-failed", error };
    } finally {
      inFlight--;
    }
    return { outcome, startedAt, concurrency };
  }

  async function runBatch(messages: QueueMessage[], receivedAt: number): Promise<void> {
    const records = messages.map((m) => sqsRecordOf(m, queue));
    counters.batches++;
    counters.recordsReceived += records.length;
    for (let retry = 0; ; retry++) {
      const { outcome, startedAt, concurrency } = await invoke(records);
      if (outcome.kind !== "throttled") {
        if (retry > 0) held--;
        return settle(records, outcome, startedAt, concurrency);
      }
      // Throttled: hold the batch and retry it while its records are still ours (invisible).
      counters.throttled++;
      if (retry === 0) {
        held++;
        counters.throttledBatches++;
      }
      observe("backoff");
      report(records, {
        startedAt,
        result: "throttled",
        failed: 0,
        deleted: 0,
        deleteFailed: 0,
        concurrency,
      });
      await Promise.race([clock.sleep(throttleRetryDelayMs(backoff, retry)), stopped]);
      if (stopping || clock.now() >= receivedAt + visibilityMs) return drop(records, retry + 1);
    }
  }

  /** Reads the function's answer by AWS's rules, deletes what succeeded, leaves the rest. */
  async function settle(
    records: SQSRecord[],
    outcome: Exclude<Outcome, { kind: "throttled" }>,
    startedAt: number,
    concurrency: number,
  ): Promise<void> {
    counters.invocations++;
    const { result, failedIds, reason } = judge(outcome, records);
    const failed = new Set(failedIds);
    const toDelete = records.filter((r) => !failed.has(r.messageId)).map((r) => r.receiptHandle);
    const deleteFailed = await deleteRecords(toDelete);
    const deleted = toDelete.length - deleteFailed;
    counters.recordsDeleted += deleted;
    counters.recordsFailed += failed.size;
    report(records, { startedAt, result, failed: failed.size, deleted, deleteFailed, concurrency, reason });
  }

  /** Lets a held batch go unprocessed: its records come back when their visibility timeout ends. */
  function drop(records: SQSRecord[], attempts: number): void {
    held--;
    counters.droppedBatches++;
    counters.recordsDropped += records.length;
    counters.recordsFailed += records.length;
    const reason = stopping
      ? "the mapping stopped"
      : `${attempts} throttled attempts, then the visibility timeout (${config.visibilityTimeoutSeconds} s) passed`;
    logger?.warn("throttled batch dropped", { records: records.length, reason });
    const at = clock.now();
    report(records, {
      startedAt: at,
      result: "dropped",
      failed: records.length,
      deleted: 0,
      deleteFailed: 0,
      concurrency: inFlight,
      reason,
    });
  }

  function report(
    records: SQSRecord[],
    event: Omit<InvocationEvent, "records" | "endedAt" | "reason"> & { reason?: string | undefined },
  ) {
    const { reason, ...rest } = event;
    onInvocation?.({
      ...rest,
      records: records.length,
      endedAt: clock.now(),
      ...(reason === undefined ? {} : { reason }),
    });
  }

  function judge(
    outcome: Exclude<Outcome, { kind: "throttled" }>,
    records: SQSRecord[],
  ): { result: InvocationResult; failedIds: string[]; reason?: string } {
    const all = records.map((r) => r.messageId);
    const wholeBatch = (result: InvocationResult, counter: keyof typeof counters, reason: string) => {
      counters[counter]++;
      // A function error backs the mapping off, unless ReportBatchItemFailures is on ("Lambda
      // doesn't scale down message polling when function invocations fail").
      if (!config.reportBatchItemFailures) observe("backoff");
      logger?.warn("batch failed", { result, records: all.length, reason });
      return { result, failedIds: all, reason };
    };
    switch (outcome.kind) {
      case "timeout":
        return wholeBatch("timeout", "timeouts", `timed out after ${config.functionTimeoutSeconds} s`);
      case "error":
        // An Error reads "TypeError: no carrier" (Error.prototype.toString: its name and message).
        return wholeBatch("error", "errors", String(outcome.error));
      case "invoke-failed":
        return wholeBatch("invoke-failed", "errors", `invoke failed: ${String(outcome.error)}`);
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
      heldBatches: held,
    }),
  };
}

type Outcome = InvocationOutcome | { kind: "invoke-failed"; error: unknown };

function checkConfig(config: EsmConfig, scaling: EsmScaling) {
  const positive = (field: string, value: number, max = Number.MAX_SAFE_INTEGER, min = 1) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ValidationError(field, value, `expected an integer from ${min} to ${max}`);
    }
  };
  positive("config.batchSize", config.batchSize, 10_000);
  positive("config.functionTimeoutSeconds", config.functionTimeoutSeconds, 900);
  // Lambda API reference, ScalingConfig: MaximumConcurrency "Minimum value of 2. Maximum value of 1000."
  if (config.maximumConcurrency !== null)
    positive("config.maximumConcurrency", config.maximumConcurrency, 1000, 2);
  positive("scaling.initialConcurrency", scaling.initialConcurrency);
  positive("scaling.max", scaling.max);
  const visibility = config.visibilityTimeoutSeconds;
  if (!(Number.isInteger(visibility) && visibility >= 0 && visibility <= 43_200)) {
    throw new ValidationError(
      "config.visibilityTimeoutSeconds",
      visibility,
      "expected an integer from 0 to 43200",
    );
  }
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
