import type { Clock } from "../domain/clock";
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
import type { Logger } from "./logger";
import type { ReceivedRecord } from "./parse-sqs-event";
import type { CarrierPort, DeliveryStore, RecipientResult } from "./ports";
import type { TimeBudget } from "./time-budget";

/** How one record ended; anything but `completed` is reported to SQS as a batch item failure. */
export type RecordOutcome =
  | { status: "completed"; sent: number; failed: number; skipped: number }
  | { status: "malformed"; error: string }
  | { status: "rate-limited"; retryAfterSeconds: number }
  | { status: "retry"; code: string; error: string };

export interface RecordProcessorDeps {
  carrier: CarrierPort;
  store: DeliveryStore;
  clock: Clock;
  retryPolicy: CarrierRetryPolicy;
  logger: Logger;
}

export type RecordProcessor = (record: ReceivedRecord, budget: TimeBudget) => Promise<RecordOutcome>;

interface Sendable {
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

  async function send(body: MessageBody, sendable: Sendable[], attempts: number, budget: TimeBudget) {
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

  async function deliver(
    body: MessageBody,
    receiveCount: number,
    budget: TimeBudget,
  ): Promise<RecordOutcome> {
    const userIds = [...new Set(body.userIds)];
    const recorded = await storeCall("findRecorded", () => store.findRecorded(body.logId, userIds));
    const pending = userIds.filter((id) => !recorded.has(id));
    if (pending.length === 0) return { status: "completed", sent: 0, failed: 0, skipped: userIds.length };
    const [phones, failedBefore] = await Promise.all([
      storeCall("findPhones", () => store.findPhones(pending)),
      storeCall("countAttempts", () => store.countAttempts(body.logId, body.chunkId)),
    ]);
    // A redrive restarts the receive count; a killed consumer's receive leaves no attempt row.
    const attempts = Math.max(receiveCount, failedBefore + 1);
    const { results, sendable } = screenRecipients(pending, phones, attempts);
    if (sendable.length > 0) results.push(...(await send(body, sendable, attempts, budget)));
    await storeCall("recordResults", () => store.recordResults(body.logId, results));
    const sentCount = results.filter((r) => r.status === "SENT").length;
    return {
      status: "completed",
      sent: sentCount,
      failed: results.length - sentCount,
      skipped: recorded.size,
    };
  }

  return async function processRecord(record, budget) {
    let body: MessageBody;
    try {
      body = parseMessageBody(record.body);
    } catch (error) {
      // parseMessageBody throws MalformedMessageError, whose message names the bad field.
      return recordMalformed(record, (error as Error).message);
    }
    try {
      return await deliver(body, record.receiveCount, budget);
    } catch (error) {
      if (error instanceof CarrierRateLimitedError) {
        return { status: "rate-limited", retryAfterSeconds: error.retryAfterSeconds };
      }
      const { code, detail } = describeFailure(error);
      return { status: "retry", code, error: detail };
    }
  };
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
