import type { Clock } from "../domain/clock";
import type { Logger } from "../domain/logger";
import { type MessageBody, parseMessageBody } from "../domain/message-body";
import { normalizeKoreanMobile } from "../domain/phone";
import { type CarrierRetryPolicy, callCarrier } from "./call-carrier";
import { type BulkSendRequest, idempotencyKey, recipientRef } from "./carrier/carrier-api";
import {
  CarrierRateLimitedError,
  CarrierRejectedRequestError,
  CarrierTransientError,
  DeliveryStoreError,
} from "./errors";
import { describeFailure, MAX_DETAIL_LENGTH } from "./failed-attempt";
import type { ReceivedRecord } from "./parse-sqs-event";
import type { CarrierPort, DeliveryStore, RecipientResult } from "./ports";
import type { TimeBudget } from "./time-budget";

/** How one record ended; anything but `completed` is reported to SQS as a batch item failure. */
export type RecordOutcome =
  | { status: "completed"; sent: number; failed: number; skipped: number }
  | { status: "malformed"; error: string }
  | { status: "rate-limited"; retryAfterSeconds: number }
  | { status: "retry"; code: string; error: string };

/** A record whose recipients were looked up: what is left to send, or why nothing is. */
export type PreparedRecord =
  | {
      kind: "ready";
      record: ReceivedRecord;
      body: MessageBody;
      screened: RecipientResult[];
      sendable: Sendable[];
      skipped: number;
      /** The delivery's attempt number: its receive count, or more after a redrive restarted it. */
      attempts: number;
    }
  | { kind: "settled"; record: ReceivedRecord; outcome: RecordOutcome };

/** A ready record after its carrier call: its results, not stored yet, or why it has none. */
export type SentRecord =
  | { status: "delivered"; logId: number; results: RecipientResult[]; skipped: number }
  | Exclude<RecordOutcome, { status: "completed" }>;

export interface RecordProcessorDeps {
  carrier: CarrierPort;
  store: DeliveryStore;
  clock: Clock;
  retryPolicy: CarrierRetryPolicy;
  logger: Logger;
}

/**
 * An invocation's records in three steps, so the database is asked once per invocation rather
 * than per record: `prepare` parses them all and looks up, in one query each, who already has a
 * result and everyone's phone; `send` makes one record's carrier call; `store` writes every
 * delivered record's results in one transaction and gives each its final outcome.
 */
export interface RecordProcessor {
  prepare(records: readonly ReceivedRecord[]): Promise<PreparedRecord[]>;
  send(prepared: Extract<PreparedRecord, { kind: "ready" }>, budget: TimeBudget): Promise<SentRecord>;
  store(sent: readonly Extract<SentRecord, { status: "delivered" }>[]): Promise<RecordOutcome[]>;
}

export interface Sendable {
  userId: number;
  phone: string;
}

export function createRecordProcessor(deps: RecordProcessorDeps): RecordProcessor {
  const { carrier, store, clock, retryPolicy, logger } = deps;

  async function recordMalformed(record: ReceivedRecord, error: string): Promise<RecordOutcome> {
    const message = { messageId: record.messageId, body: record.body, error };
    try {
      await store.recordMalformed({ ...message, receiveCount: record.receiveCount });
    } catch (cause) {
      // The record still fails, so it reaches the DLQ where it can be inspected anyway.
      logger.error("could not record malformed message", { messageId: record.messageId, error: cause });
    }
    return { status: "malformed", error };
  }

  async function callCarrierFor(
    body: MessageBody,
    sendable: Sendable[],
    attempts: number,
    budget: TimeBudget,
  ) {
    const request: BulkSendRequest = {
      content: body.content,
      ...(body.templateId === undefined ? {} : { templateId: body.templateId }),
      recipients: sendable.map((r) => ({ to: r.phone, ref: recipientRef(body.logId, r.userId) })),
    };
    const key = idempotencyKey(body.logId, body.chunkId);
    let response: Awaited<ReturnType<CarrierPort["sendBulk"]>>;
    try {
      response = await callCarrier(carrier, request, key, retryPolicy, clock, budget);
    } catch (error) {
      if (!(error instanceof CarrierRejectedRequestError)) throw error;
      const detail = error.message.slice(0, MAX_DETAIL_LENGTH);
      return sendable.map((r) => failed(r.userId, r.phone, error.resultCode, attempts, detail));
    }
    const byRef = new Map(response.results.map((result) => [result.ref, result]));
    return sendable.map((r): RecipientResult => {
      const ref = recipientRef(body.logId, r.userId);
      const result = byRef.get(ref);
      if (result === undefined) {
        throw new CarrierTransientError("INCOMPLETE_RESPONSE", `no result for ref ${ref} (key ${key})`);
      }
      return result.status === "ACCEPTED"
        ? sent(r.userId, r.phone, result.carrierMessageId ?? null, attempts)
        : failed(r.userId, r.phone, result.errorCode ?? "REJECTED", attempts);
    });
  }

  /** Looks up every parsed record's recipients at once; a lookup that fails retries them all. */
  async function lookUp(parsed: { record: ReceivedRecord; body: MessageBody; userIds: number[] }[]) {
    const chunks = parsed.map(({ body, userIds }) => ({ logId: body.logId, userIds }));
    const recorded = await storeCall("findRecorded", () => store.findRecordedBatch(chunks));
    const pendingOf = (p: (typeof parsed)[number]) =>
      p.userIds.filter((id) => !recorded.get(p.body.logId)?.has(id));
    const pendingIds = [...new Set(parsed.flatMap(pendingOf))];
    const ready = parsed.filter((p) => pendingOf(p).length > 0);
    const [phones, counts] = await Promise.all([
      storeCall("findPhones", () => store.findPhones(pendingIds)),
      storeCall("countAttempts", () =>
        store.countAttempts(ready.map(({ body }) => ({ logId: body.logId, chunkId: body.chunkId }))),
      ),
    ]);
    const failedBefore = new Map(ready.map((p, i) => [p, counts[i] as number]));
    return parsed.map((p): PreparedRecord => {
      const pending = pendingOf(p);
      const skipped = p.userIds.length - pending.length;
      if (pending.length === 0) {
        return {
          kind: "settled",
          record: p.record,
          outcome: { status: "completed", sent: 0, failed: 0, skipped },
        };
      }
      // A redrive restarts the receive count; a killed consumer's receive leaves no attempt row.
      const attempts = Math.max(p.record.receiveCount, (failedBefore.get(p) ?? 0) + 1);
      const { results, sendable } = screenRecipients(pending, phones, attempts);
      return {
        kind: "ready",
        record: p.record,
        body: p.body,
        screened: results,
        sendable,
        skipped,
        attempts,
      };
    });
  }

  return {
    async prepare(records) {
      const prepared: PreparedRecord[] = new Array(records.length);
      const parsed: { index: number; record: ReceivedRecord; body: MessageBody; userIds: number[] }[] = [];
      for (const [index, record] of records.entries()) {
        try {
          const body = parseMessageBody(record.body);
          parsed.push({ index, record, body, userIds: [...new Set(body.userIds)] });
        } catch (error) {
          // parseMessageBody throws MalformedMessageError, whose message names the bad field.
          prepared[index] = {
            kind: "settled",
            record,
            outcome: await recordMalformed(record, (error as Error).message),
          };
        }
      }
      let looked: PreparedRecord[];
      try {
        looked = parsed.length === 0 ? [] : await lookUp(parsed);
      } catch (error) {
        looked = parsed.map(({ record }) => ({ kind: "settled", record, outcome: retryOf(error) }));
      }
      for (const [i, { index }] of parsed.entries()) prepared[index] = looked[i] as PreparedRecord;
      return prepared;
    },

    async send(ready, budget) {
      const { body } = ready;
      const results = [...ready.screened];
      try {
        if (ready.sendable.length > 0) {
          results.push(...(await callCarrierFor(body, ready.sendable, ready.attempts, budget)));
        }
      } catch (error) {
        if (error instanceof CarrierRateLimitedError) {
          return { status: "rate-limited", retryAfterSeconds: error.retryAfterSeconds };
        }
        return retryOf(error);
      }
      return { status: "delivered", logId: body.logId, results, skipped: ready.skipped };
    },

    async store(delivered) {
      try {
        await storeCall("recordResults", () => store.recordResultsBatch(delivered));
      } catch (error) {
        const outcome = retryOf(error);
        return delivered.map(() => outcome);
      }
      return delivered.map(({ results, skipped }) => {
        const sentCount = results.filter((r) => r.status === "SENT").length;
        return { status: "completed", sent: sentCount, failed: results.length - sentCount, skipped };
      });
    },
  };
}

function retryOf(error: unknown): Extract<RecordOutcome, { status: "retry" }> {
  const { code, detail } = describeFailure(error);
  return { status: "retry", code, error: detail };
}

/** Unknown users and numbers that are not Korean mobiles fail for good without a carrier call. */
function screenRecipients(pending: readonly number[], phones: Map<number, string>, attempts: number) {
  const results: RecipientResult[] = [];
  const sendable: Sendable[] = [];
  for (const userId of pending) {
    const phone = phones.get(userId);
    if (phone === undefined) {
      results.push(failed(userId, "", "UNKNOWN_USER", attempts));
      continue;
    }
    const mobile = normalizeKoreanMobile(phone);
    if (mobile === null) results.push(failed(userId, phone, "INVALID_NUMBER", attempts));
    else sendable.push({ userId, phone: mobile });
  }
  return { results, sendable };
}

function sent(
  userId: number,
  phone: string,
  carrierMessageId: string | null,
  attempts: number,
): RecipientResult {
  return { userId, phone, status: "SENT", carrierMessageId, errorCode: null, attempts };
}

function failed(
  userId: number,
  phone: string,
  errorCode: string,
  attempts: number,
  errorDetail: string | null = null,
): RecipientResult {
  return { userId, phone, status: "FAILED", carrierMessageId: null, errorCode, attempts, errorDetail };
}

async function storeCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new DeliveryStoreError(operation, { cause });
  }
}
