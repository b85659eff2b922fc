import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { z } from "zod";
import type { Clock } from "../domain/clock";
import { parseMessageBody } from "../domain/message-body";
import { parseWith } from "../domain/validation";
import type { AttemptFailure } from "./failed-attempt";
import { createJsonLogger, type Logger } from "./logger";
import { parseSqsEvent, type ReceivedRecord } from "./parse-sqs-event";
import type { CarrierPort, DeliveryStore, FailedAttempt, VisibilityPort } from "./ports";
import { createRecordProcessor, type RecordOutcome } from "./process-record";
import { createTimeBudget, type InvocationContext } from "./time-budget";

/** SQS refuses visibility timeouts above 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

export const messagingHandlerSettingsSchema = z.object({
  /** Records in flight at once; 1 keeps carrier calls bounded by the mapping's MaximumConcurrency. */
  recordParallelism: z.number().int().min(1).max(10).default(1),
  /** In-invocation retries of a transient carrier failure; 0 leaves retrying to SQS redelivery. */
  carrierRetries: z.number().int().min(0).max(10).default(0),
  retryBaseDelayMs: z.number().int().min(0).default(200),
  /** The carrier client's timeout: no call starts unless this much time (plus the margin) is left. */
  carrierTimeoutMs: z.number().int().positive().default(5_000),
  /** Time kept back after a carrier call for writing its results. */
  timeMarginMs: z.number().int().min(0).default(1_000),
  /**
   * A 429 whose Retry-After is at most this long is waited out inside the invocation (when the
   * time budget allows) instead of deferring the record: every deferral costs a receive, and
   * maxReceiveCount of them would send a record the carrier merely paced to the DLQ. 0 always defers.
   */
  rateLimitMaxWaitMs: z.number().int().min(0).default(2_000),
});
export type MessagingHandlerSettings = z.input<typeof messagingHandlerSettingsSchema>;

export interface MessagingHandlerDeps {
  carrier: CarrierPort;
  store: DeliveryStore;
  visibility: VisibilityPort;
  clock: Clock;
  settings?: MessagingHandlerSettings;
  logger?: Logger;
}

/** Outcomes of records that were never started. */
type BatchOutcome =
  | RecordOutcome
  | { status: "deferred"; retryAfterSeconds: number }
  | { status: "out-of-time" };

export type MessagingHandler = (event: SQSEvent, context?: InvocationContext) => Promise<SQSBatchResponse>;

/**
 * The SQS consumer: sends each record's recipients through the carrier and answers with a partial
 * batch response, so only the failed records come back. Throws only for an event that is not an
 * SQS event.
 */
export function createMessagingHandler(deps: MessagingHandlerDeps): MessagingHandler {
  const settings = parseWith(messagingHandlerSettingsSchema, deps.settings ?? {}, "settings");
  const { clock, visibility, store } = deps;
  const logger = deps.logger ?? createJsonLogger({ clock });
  const processRecord = createRecordProcessor({
    carrier: deps.carrier,
    store,
    clock,
    retryPolicy: { retries: settings.carrierRetries, baseDelayMs: settings.retryBaseDelayMs },
    logger,
  });

  async function deferRecord(record: ReceivedRecord, retryAfterSeconds: number): Promise<void> {
    const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(retryAfterSeconds)));
    try {
      await visibility.changeVisibility(record.eventSourceArn, record.receiptHandle, seconds);
    } catch (error) {
      // Not fatal: the record is failed anyway and returns after the queue's visibility timeout.
      logger.warn("could not change visibility", { messageId: record.messageId, seconds, error });
    }
  }

  /** One write per batch; a database that is down loses the rows, never the records themselves. */
  async function recordAttempts(records: readonly ReceivedRecord[], outcomes: readonly BatchOutcome[]) {
    const attempts: FailedAttempt[] = [];
    records.forEach((record, index) => {
      const failure = failureOf(outcomes[index] as BatchOutcome);
      if (!failure) return;
      const { messageId, receiveCount } = record;
      attempts.push({ ...routingOf(record), messageId, receiveCount, ...failure });
    });
    if (attempts.length === 0) return;
    try {
      await store.recordAttempts(attempts);
    } catch (error) {
      logger.error("could not record failed attempts", { attempts: attempts.length, error });
    }
  }

  return async function handler(event, context) {
    const startedAt = clock.now();
    const records = parseSqsEvent(event);
    const budget = createTimeBudget(context, settings.carrierTimeoutMs, settings.timeMarginMs);
    const outcomes: BatchOutcome[] = new Array(records.length);
    // Set by the first 429: the carrier is over its limit, so the records not yet started wait too.
    let retryAfterSeconds: number | null = null;
    let next = 0;

    const shouldWaitOut = (waitMs: number) =>
      waitMs <= settings.rateLimitMaxWaitMs && budget.allowsCarrierCall(waitMs);

    async function run(record: ReceivedRecord): Promise<BatchOutcome> {
      if (retryAfterSeconds !== null) {
        await deferRecord(record, retryAfterSeconds);
        return { status: "deferred", retryAfterSeconds };
      }
      if (!budget.allowsCarrierCall()) return { status: "out-of-time" };
      let outcome = await processRecord(record, budget);
      while (outcome.status === "rate-limited" && shouldWaitOut(outcome.retryAfterSeconds * 1000)) {
        await clock.sleep(outcome.retryAfterSeconds * 1000);
        outcome = await processRecord(record, budget);
      }
      if (outcome.status === "rate-limited") {
        retryAfterSeconds = Math.max(retryAfterSeconds ?? 0, outcome.retryAfterSeconds);
        await deferRecord(record, outcome.retryAfterSeconds);
      }
      return outcome;
    }

    async function worker(): Promise<void> {
      while (next < records.length) {
        const index = next++;
        const record = records[index] as ReceivedRecord;
        const outcome = await run(record);
        outcomes[index] = outcome;
        logOutcome(logger, record, outcome);
      }
    }

    const workers = Math.min(settings.recordParallelism, records.length);
    await Promise.all(Array.from({ length: workers }, worker));

    await recordAttempts(records, outcomes);
    const batchItemFailures = records
      .filter((_, index) => outcomes[index]?.status !== "completed")
      .map((record) => ({ itemIdentifier: record.messageId }));
    logger.info("batch processed", { ...summarize(outcomes), durationMs: clock.now() - startedAt });
    return { batchItemFailures };
  };
}

/** Why a record did not complete, as its failed attempt row says; null for a completed one. */
function failureOf(outcome: BatchOutcome): AttemptFailure | null {
  switch (outcome.status) {
    case "completed":
      return null;
    case "retry":
      return { code: outcome.code, detail: outcome.error };
    case "malformed":
      return { code: "MALFORMED_MESSAGE", detail: outcome.error };
    case "rate-limited":
      return {
        code: "CARRIER_RATE_LIMITED",
        detail: `HTTP 429: carrier rate limit; deferred ${outcome.retryAfterSeconds} s (Retry-After)`,
      };
    case "deferred":
      return {
        code: "CARRIER_RATE_LIMITED",
        detail: `not sent: another record of the batch met HTTP 429; deferred ${outcome.retryAfterSeconds} s`,
      };
    case "out-of-time":
      return {
        code: "OUT_OF_TIME",
        detail: "not started: too little invocation time left for a carrier call",
      };
  }
}

/** The campaign and chunk a record belongs to, when its body says. */
function routingOf(record: ReceivedRecord): Pick<FailedAttempt, "logId" | "chunkId"> {
  try {
    const { logId, chunkId } = parseMessageBody(record.body);
    return { logId, chunkId };
  } catch {
    return { logId: null, chunkId: null };
  }
}

function logOutcome(logger: Logger, record: ReceivedRecord, outcome: BatchOutcome): void {
  const fields = { messageId: record.messageId, receiveCount: record.receiveCount, ...outcome };
  if (outcome.status === "retry" || outcome.status === "malformed") logger.warn("record failed", fields);
  else logger.debug("record processed", fields);
}

function summarize(outcomes: readonly BatchOutcome[]) {
  const summary = { records: outcomes.length, failedRecords: 0, sent: 0, failed: 0, skipped: 0 };
  const byStatus: Partial<Record<BatchOutcome["status"], number>> = {};
  for (const outcome of outcomes) {
    byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
    if (outcome.status !== "completed") {
      summary.failedRecords++;
      continue;
    }
    summary.sent += outcome.sent;
    summary.failed += outcome.failed;
    summary.skipped += outcome.skipped;
  }
  return { ...summary, outcomes: byStatus };
}
