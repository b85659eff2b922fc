import { describe, expect, it, vi } from "vitest";
import { ValidationError } from "../../domain/errors";
import { createJsonLogger } from "../../domain/logger";
import { messageBody, sqsEvent, sqsRecord, TEST_QUEUE_ARN } from "../../test/support/sqs-event";
import { idempotencyKey, recipientRef } from "../carrier/carrier-api";
import { createMessagingHandler, type MessagingHandlerSettings } from "../create-messaging-handler";
import {
  CarrierMisconfiguredError,
  CarrierRateLimitedError,
  CarrierRejectedRequestError,
  CarrierTransientError,
  InvalidEventError,
} from "../errors";
import {
  type CarrierStep,
  invocationContext,
  manualClock,
  memoryStore,
  recordingVisibility,
  scriptedCarrier,
} from "./fakes";

const USERS: Record<number, string> = {
  1: "010-1111-0001",
  2: "010-1111-0002",
  3: "010-1111-0003",
  4: "010-1111-0004",
  5: "010-1111-0005",
  6: "010-1111-0006",
  7: "02-123-4567", // a Seoul landline: not a mobile
};

function setup(
  options: { steps?: CarrierStep[]; settings?: MessagingHandlerSettings; failVisibility?: boolean } = {},
) {
  const clock = manualClock();
  const store = memoryStore(USERS);
  const carrier = scriptedCarrier({ steps: options.steps, rejectNumbers: ["01011110006"] });
  const visibility = recordingVisibility({ fail: options.failVisibility });
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ level: "debug", clock, write: (line) => lines.push(JSON.parse(line)) });
  const handler = createMessagingHandler({
    carrier,
    store,
    visibility,
    clock,
    settings: options.settings,
    logger,
  });
  return { clock, store, carrier, visibility, handler, lines };
}

const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);

describe("createMessagingHandler", () => {
  it("asks the store once per invocation, not once per record: one lookup of each kind, one write", async () => {
    // Prepare: three records of two campaigns, four records' worth of parallelism.
    const { handler, store, carrier } = setup({ settings: { recordParallelism: 4 } });
    const records = [
      sqsRecord({ messageId: "a", body: messageBody({ logId: 1, chunkId: 0, userIds: [1, 2] }) }),
      sqsRecord({ messageId: "b", body: messageBody({ logId: 1, chunkId: 1, userIds: [3, 7] }) }),
      sqsRecord({ messageId: "c", body: messageBody({ logId: 2, chunkId: 0, userIds: [4, 5] }) }),
    ];
    // Act
    const response = await handler(sqsEvent(...records));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(carrier.calls).toHaveLength(3);
    expect(store.calls).toMatchObject({ findRecordedBatch: 1, findPhones: 1, recordResultsBatch: 1 });
    expect(store.results(1).map((r) => [r.userId, r.status])).toEqual([
      [1, "SENT"],
      [2, "SENT"],
      [7, "FAILED"],
      [3, "SENT"],
    ]);
    expect(store.results(2)).toHaveLength(2);
  });

  it("sends a chunk in one idempotent carrier call and records every recipient", async () => {
    // Prepare
    const { handler, carrier, store, lines } = setup();
    const record = sqsRecord({
      body: messageBody({ logId: 7, chunkId: 3, userIds: [1, 2, 6] }),
      receiveCount: 2,
    });
    // Act
    const response = await handler(sqsEvent(record));
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(carrier.calls).toHaveLength(1);
    expect(carrier.calls[0]?.key).toBe(idempotencyKey(7, 3));
    expect(carrier.calls[0]?.request).toStrictEqual({
      content: "Spring sale starts today",
      recipients: [
        { to: "01011110001", ref: recipientRef(7, 1) },
        { to: "01011110002", ref: recipientRef(7, 2) },
        { to: "01011110006", ref: recipientRef(7, 6) },
      ],
    });
    expect(store.result(7, 1)).toMatchObject({ status: "SENT", carrierMessageId: "cm-7:1", attempts: 2 });
    expect(store.result(7, 6)).toMatchObject({
      status: "FAILED",
      errorCode: "BLOCKED",
      carrierMessageId: null,
    });
    const summary = lines.find((line) => line.msg === "batch processed");
    expect(summary).toMatchObject({ level: "info", records: 1, failedRecords: 0, sent: 2, failed: 1 });
    expect(store.calls.recordAttempts).toBeUndefined();
  });

  it("sends the message's template with its content", async () => {
    // Prepare
    const { handler, carrier } = setup();
    const record = sqsRecord({ body: messageBody({ templateId: "spring-sale", userIds: [1] }) });
    // Act
    await handler(sqsEvent(record));
    // Assess
    expect(carrier.calls[0]?.request).toMatchObject({
      content: "Spring sale starts today",
      templateId: "spring-sale",
    });
  });

  it("logs each record's outcome and one summary of the batch", async () => {
    // Prepare: a chunk with one recipient already recorded, one sent and one the carrier rejects
    // (sent after a 1 s Retry-After), a malformed body, and a chunk that meets an outage.
    const { handler, store, lines } = setup({
      steps: [
        new CarrierRateLimitedError(1),
        "accept",
        new CarrierTransientError("SERVER_ERROR", "HTTP 503: down", 503),
      ],
    });
    await store.recordResults(1, [
      {
        userId: 2,
        phone: "01011110002",
        status: "SENT",
        carrierMessageId: "c",
        errorCode: null,
        attempts: 1,
      },
    ]);
    const completed = sqsRecord({ body: messageBody({ chunkId: 0, userIds: [1, 2, 6] }) });
    const malformed = sqsRecord({ body: "{not json", receiveCount: 2 });
    const failing = sqsRecord({ body: messageBody({ chunkId: 1, userIds: [3] }), receiveCount: 3 });
    // Act
    await handler(sqsEvent(completed, malformed, failing));
    // Assess
    expect(lines.find((line) => line.msg === "batch processed")).toEqual({
      level: "info",
      time: expect.any(String),
      msg: "batch processed",
      records: 3,
      failedRecords: 2,
      sent: 1,
      failed: 1,
      skipped: 1,
      outcomes: { completed: 1, malformed: 1, retry: 1 },
      durationMs: 1_000,
    });
    const perRecord = lines.filter((line) => line.messageId !== undefined);
    expect(perRecord).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "record failed",
        messageId: malformed.messageId,
        receiveCount: 2,
        status: "malformed",
      }),
      expect.objectContaining({
        level: "warn",
        msg: "record failed",
        messageId: failing.messageId,
        receiveCount: 3,
        status: "retry",
        code: "CARRIER_HTTP_503",
      }),
      expect.objectContaining({
        level: "debug",
        msg: "record processed",
        messageId: completed.messageId,
        receiveCount: 1,
        status: "completed",
        sent: 1,
      }),
    ]);
  });

  it("reports only the failed record; its batch-mates are recorded", async () => {
    // Prepare
    const { handler, store } = setup({
      steps: ["accept", new CarrierTransientError("SERVER_ERROR", "503", 503)],
    });
    const records = [1, 2, 3].map((chunkId) =>
      sqsRecord({
        body: messageBody({ chunkId, userIds: [chunkId * 2 - 1, chunkId * 2].filter((id) => id <= 5) }),
      }),
    );
    // Act
    const response = await handler(sqsEvent(...records));
    // Assess
    expect(failedIds(response)).toEqual([records[1]?.messageId]);
    expect(
      store
        .results(1)
        .map((r) => r.userId)
        .sort(),
    ).toEqual([1, 2, 5]);
  });

  it("records a malformed body and fails only that record", async () => {
    // Prepare
    const { handler, store, carrier } = setup();
    const bad = sqsRecord({
      body: JSON.stringify({ v: 1, logId: 1, chunkId: 0, userIds: [] }),
      receiveCount: 3,
    });
    const good = sqsRecord({ body: messageBody({ userIds: [1] }) });
    // Act
    const response = await handler(sqsEvent(bad, good));
    // Assess
    expect(failedIds(response)).toEqual([bad.messageId]);
    expect(store.malformed).toEqual([
      {
        messageId: bad.messageId,
        body: bad.body,
        error: expect.stringContaining("body.userIds"),
        receiveCount: 3,
      },
    ]);
    expect(carrier.calls).toHaveLength(1);
    expect(store.result(1, 1)?.status).toBe("SENT");
  });

  it("fails a malformed record even when it cannot be stored", async () => {
    // Prepare
    const { handler, store, lines } = setup();
    store.failOn("recordMalformed");
    const bad = sqsRecord({ body: "not json" });
    // Act
    const response = await handler(sqsEvent(bad));
    // Assess
    expect(failedIds(response)).toEqual([bad.messageId]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "could not record malformed message",
        messageId: bad.messageId,
      }),
    );
  });

  it("looks nothing up for a batch of malformed bodies only", async () => {
    // Prepare
    const { handler, store } = setup();
    // Act
    await handler(sqsEvent(sqsRecord({ body: "not json" })));
    // Assess
    expect(store.calls).toEqual({ recordMalformed: 1, recordResultsBatch: 1, recordAttempts: 1 });
  });

  it("on redelivery of a half-recorded chunk sends only the missing recipients, under the same key", async () => {
    // Prepare
    const { handler, store, carrier } = setup();
    const body = messageBody({ logId: 4, chunkId: 9, userIds: [1, 2, 3] });
    await store.recordResults(4, [
      {
        userId: 1,
        phone: "01011110001",
        status: "SENT",
        carrierMessageId: "first",
        errorCode: null,
        attempts: 1,
      },
    ]);
    // Act
    const response = await handler(sqsEvent(sqsRecord({ body, receiveCount: 2 })));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(carrier.calls.map((c) => c.key)).toEqual([idempotencyKey(4, 9)]);
    expect(carrier.calls[0]?.request.recipients.map((r) => r.ref)).toEqual([
      recipientRef(4, 2),
      recipientRef(4, 3),
    ]);
    expect(store.result(4, 1)).toMatchObject({ carrierMessageId: "first", attempts: 1 });
    expect(store.result(4, 3)).toMatchObject({ status: "SENT", attempts: 2 });
  });

  it("skips a chunk whose recipients all have results, without calling the carrier", async () => {
    // Prepare
    const { handler, carrier, lines } = setup();
    const record = sqsRecord({ body: messageBody({ userIds: [1, 2] }) });
    await handler(sqsEvent(record));
    // Act
    const response = await handler(sqsEvent(sqsRecord({ body: record.body, receiveCount: 2 })));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(carrier.calls).toHaveLength(1);
    expect(lines.filter((line) => line.msg === "batch processed").at(-1)).toMatchObject({
      sent: 0,
      skipped: 2,
    });
  });

  it("completes a chunk whose recipients all have results even with no time left for a carrier call", async () => {
    // Prepare
    const { handler, clock, store } = setup();
    const record = sqsRecord({ body: messageBody({ userIds: [1] }) });
    await handler(sqsEvent(record));
    // Act: 1 s left, less than a carrier call needs
    const response = await handler(
      sqsEvent(sqsRecord({ body: record.body })),
      invocationContext(clock, 1_000),
    );
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(store.attempts).toEqual([]);
  });

  it("sends only the missing recipients of two chunks of one campaign, each half recorded", async () => {
    // Prepare
    const { handler, store, carrier } = setup();
    const sentBefore = (userId: number) => ({
      userId,
      phone: USERS[userId] as string,
      status: "SENT" as const,
      carrierMessageId: "first",
      errorCode: null,
      attempts: 1,
    });
    await store.recordResults(1, [sentBefore(1), sentBefore(3)]);
    const records = [
      sqsRecord({ body: messageBody({ chunkId: 0, userIds: [1, 2] }) }),
      sqsRecord({ body: messageBody({ chunkId: 1, userIds: [3, 4] }) }),
    ];
    // Act
    const response = await handler(sqsEvent(...records));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(carrier.calls.map((c) => c.request.recipients.map((r) => r.ref))).toEqual([
      [recipientRef(1, 2)],
      [recipientRef(1, 4)],
    ]);
  });

  it("sends every recipient of a campaign the store has no results for at all", async () => {
    // Prepare: a store whose lookup leaves out campaigns without results
    const { handler, store, carrier } = setup();
    store.findRecordedBatch = async () => new Map();
    // Act
    const response = await handler(sqsEvent(sqsRecord({ body: messageBody({ userIds: [1, 2] }) })));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(carrier.calls[0]?.request.recipients.map((r) => r.ref)).toEqual([
      recipientRef(1, 1),
      recipientRef(1, 2),
    ]);
  });

  it("asks for the failed attempts of the chunks it will send only", async () => {
    // Prepare
    const { handler, store } = setup();
    const asked: unknown[] = [];
    const countAttempts = store.countAttempts;
    store.countAttempts = async (chunks) => {
      asked.push(...chunks);
      return countAttempts(chunks);
    };
    await store.recordResults(1, [
      {
        userId: 1,
        phone: "01011110001",
        status: "SENT",
        carrierMessageId: "c",
        errorCode: null,
        attempts: 1,
      },
    ]);
    // Act
    await handler(
      sqsEvent(
        sqsRecord({ body: messageBody({ chunkId: 0, userIds: [1] }) }),
        sqsRecord({ body: messageBody({ chunkId: 1, userIds: [2] }) }),
      ),
    );
    // Assess
    expect(asked).toEqual([{ logId: 1, chunkId: 1 }]);
  });

  it("fails unknown users and non-mobile numbers for good without sending them", async () => {
    // Prepare
    const { handler, store, carrier } = setup();
    const onlyBad = sqsRecord({ body: messageBody({ chunkId: 0, userIds: [7, 99] }) });
    const mixed = sqsRecord({ body: messageBody({ chunkId: 1, userIds: [1, 7, 1] }) });
    // Act
    const response = await handler(sqsEvent(onlyBad, mixed));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(store.result(1, 7)).toMatchObject({
      status: "FAILED",
      errorCode: "INVALID_NUMBER",
      phone: "02-123-4567",
    });
    expect(store.result(1, 99)).toMatchObject({ status: "FAILED", errorCode: "UNKNOWN_USER", phone: "" });
    expect(carrier.calls.map((c) => c.request.recipients.map((r) => r.ref))).toEqual([[recipientRef(1, 1)]]);
  });

  it("on a 429 defers the record and every record not yet started to Retry-After", async () => {
    // Prepare: 7 s is longer than the handler waits out in the invocation
    const { handler, carrier, visibility, store } = setup({
      steps: ["accept", new CarrierRateLimitedError(7)],
    });
    const records = [1, 2, 3, 4].map((userId) =>
      sqsRecord({ body: messageBody({ chunkId: userId, userIds: [userId] }) }),
    );
    // Act
    const response = await handler(sqsEvent(...records));
    // Assess
    expect(failedIds(response)).toEqual(records.slice(1).map((r) => r.messageId));
    expect(carrier.calls).toHaveLength(2);
    expect(visibility.changes).toEqual(
      records.slice(1).map((r) => ({ arn: TEST_QUEUE_ARN, receiptHandle: r.receiptHandle, seconds: 7 })),
    );
    expect(store.results(1).map((r) => r.userId)).toEqual([1]);
  });

  it("still fails deferred records when their visibility cannot be changed", async () => {
    // Prepare
    const { handler, lines } = setup({
      steps: [new CarrierRateLimitedError(2)],
      settings: { rateLimitMaxWaitMs: 0 },
      failVisibility: true,
    });
    const records = [sqsRecord(), sqsRecord({ body: messageBody({ chunkId: 1 }) })];
    // Act
    const response = await handler(sqsEvent(...records));
    // Assess
    expect(failedIds(response)).toEqual(records.map((r) => r.messageId));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "could not change visibility",
        messageId: records[0]?.messageId,
        seconds: 2,
      }),
    );
  });

  it("waits out a short Retry-After in the invocation instead of spending a receive", async () => {
    // Prepare: the carrier paces the first call, then accepts
    const { handler, carrier, clock, visibility, store } = setup({
      steps: [new CarrierRateLimitedError(1), "accept"],
      settings: { rateLimitMaxWaitMs: 2_000 },
    });
    const record = sqsRecord({ body: messageBody({ userIds: [1] }) });
    // Act
    const response = await handler(sqsEvent(record), invocationContext(clock, 20_000));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(clock.sleeps).toEqual([1_000]);
    expect(carrier.calls.map((c) => c.key)).toEqual([idempotencyKey(1, 0), idempotencyKey(1, 0)]);
    expect(visibility.changes).toEqual([]);
    expect(store.result(1, 1)?.status).toBe("SENT");
  });

  it("waits out a Retry-After exactly as long as the wait limit", async () => {
    // Prepare
    const { handler, clock, visibility } = setup({
      steps: [new CarrierRateLimitedError(2), "accept"],
      settings: { rateLimitMaxWaitMs: 2_000 },
    });
    // Act
    const response = await handler(sqsEvent(sqsRecord()), invocationContext(clock, 20_000));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(clock.sleeps).toEqual([2_000]);
    expect(visibility.changes).toEqual([]);
  });

  it("defers the records not started to the longest Retry-After that records in flight met", async () => {
    // Prepare: two records in flight meet 429s of 7 s, then 3 s; two more wait their turn
    const { handler, visibility } = setup({
      steps: [new CarrierRateLimitedError(7), new CarrierRateLimitedError(3)],
      settings: { recordParallelism: 2 },
    });
    const records = [0, 1, 2, 3].map((chunkId) => sqsRecord({ body: messageBody({ chunkId }) }));
    // Act
    const response = await handler(sqsEvent(...records));
    // Assess
    expect(failedIds(response)).toEqual(records.map((r) => r.messageId));
    const seconds = new Map(visibility.changes.map((c) => [c.receiptHandle, c.seconds]));
    expect([...seconds].sort()).toEqual([
      [records[0]?.receiptHandle, 7],
      [records[1]?.receiptHandle, 3],
      [records[2]?.receiptHandle, 7],
      [records[3]?.receiptHandle, 7],
    ]);
  });

  it("defers instead when the wait would not leave time for the call", async () => {
    // Prepare: 6.5 s left covers one call (5 s + 1 s margin) but not a 1 s wait first
    const { handler, carrier, clock, visibility } = setup({
      steps: [new CarrierRateLimitedError(1), "accept"],
      settings: { rateLimitMaxWaitMs: 2_000, carrierTimeoutMs: 5_000, timeMarginMs: 1_000 },
    });
    const record = sqsRecord({ body: messageBody({ userIds: [1] }) });
    // Act
    const response = await handler(sqsEvent(record), invocationContext(clock, 6_500));
    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(carrier.calls).toHaveLength(1);
    expect(visibility.changes).toEqual([
      { arn: TEST_QUEUE_ARN, receiptHandle: record.receiptHandle, seconds: 1 },
    ]);
  });

  it("retries a transient failure carrierRetries times with doubling delays on the clock", async () => {
    // Prepare
    const transient = () => new CarrierTransientError("TIMEOUT", "no answer");
    const { handler, carrier, clock, store } = setup({
      steps: [transient(), transient()],
      settings: { carrierRetries: 2, retryBaseDelayMs: 100 },
    });
    // Act
    const response = await handler(sqsEvent(sqsRecord({ body: messageBody({ userIds: [1] }) })));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(carrier.calls.map((c) => c.key)).toEqual(Array(3).fill(idempotencyKey(1, 0)));
    expect(clock.sleeps).toEqual([100, 200]);
    expect(store.result(1, 1)?.status).toBe("SENT");
  });

  it("leaves retrying to SQS by default: one call, then the record fails", async () => {
    // Prepare
    const { handler, carrier, store } = setup({ steps: [new CarrierTransientError("CONNECTION", "reset")] });
    const record = sqsRecord();
    // Act
    const response = await handler(sqsEvent(record));
    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(carrier.calls).toHaveLength(1);
    expect(store.results(1)).toEqual([]);
  });

  it("does not retry when the wait would leave too little time for the call", async () => {
    // Prepare
    const { handler, carrier, clock } = setup({
      steps: [new CarrierTransientError("TIMEOUT", "no answer")],
      settings: { carrierRetries: 3, retryBaseDelayMs: 2_000, carrierTimeoutMs: 5_000, timeMarginMs: 1_000 },
    });
    // Act: 7.5 s left covers one call, not a 2 s wait plus another call.
    const response = await handler(sqsEvent(sqsRecord()), invocationContext(clock, 7_500));
    // Assess
    expect(response.batchItemFailures).toHaveLength(1);
    expect(carrier.calls).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("does not start records once the remaining time is below the carrier timeout plus margin", async () => {
    // Prepare: each carrier call takes 4 s; 11 s left and 6 s needed per call.
    const clock = manualClock();
    const store = memoryStore(USERS);
    const carrier = scriptedCarrier({ onCall: () => clock.advance(4_000) });
    const settings = { carrierTimeoutMs: 5_000, timeMarginMs: 1_000 };
    const handler = createMessagingHandler({
      carrier,
      store,
      visibility: recordingVisibility(),
      clock,
      settings,
      logger: createJsonLogger({ level: "silent" }),
    });
    const records = [1, 2, 3].map((userId) =>
      sqsRecord({ body: messageBody({ chunkId: userId, userIds: [userId] }) }),
    );
    // Act
    const response = await handler(sqsEvent(...records), invocationContext(clock, 11_000));
    // Assess
    expect(carrier.calls).toHaveLength(2);
    expect(failedIds(response)).toEqual([records[2]?.messageId]);
    expect(store.attempts).toEqual([
      {
        logId: 1,
        chunkId: 3,
        messageId: records[2]?.messageId,
        receiveCount: 1,
        code: "OUT_OF_TIME",
        detail: "not started: too little invocation time left for a carrier call",
      },
    ]);
  });

  it("starts a carrier call when exactly its timeout plus the margin is left", async () => {
    // Prepare
    const { handler, clock, carrier } = setup({ settings: { carrierTimeoutMs: 5_000, timeMarginMs: 1_000 } });
    // Act
    const response = await handler(sqsEvent(sqsRecord()), invocationContext(clock, 6_000));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(carrier.calls).toHaveLength(1);
  });

  it("has no deadline under a context that cannot tell the remaining time", async () => {
    // Prepare
    const { handler, carrier } = setup();
    // Act
    const response = await handler(sqsEvent(sqsRecord()), {});
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(carrier.calls).toHaveLength(1);
  });

  it("keeps the first 500 characters of a refusal's reason with every recipient", async () => {
    // Prepare
    const { handler, store } = setup({ steps: [new CarrierRejectedRequestError(422, "x".repeat(600))] });
    // Act
    await handler(sqsEvent(sqsRecord({ body: messageBody({ userIds: [1] }) })));
    // Assess
    expect(store.result(1, 1)?.errorDetail).toBe(
      `carrier rejected the request with HTTP 422: ${"x".repeat(600)}`.slice(0, 500),
    );
  });

  it("records a recipient the carrier rejects without a code as REJECTED", async () => {
    // Prepare
    const { handler, store } = setup({
      steps: [
        (request) => ({
          requestId: "r",
          results: request.recipients.map((r) => ({ ...r, status: "REJECTED" as const })),
        }),
      ],
    });
    // Act
    await handler(sqsEvent(sqsRecord({ body: messageBody({ userIds: [1] }) })));
    // Assess
    expect(store.result(1, 1)).toMatchObject({ status: "FAILED", errorCode: "REJECTED" });
  });

  it("fails every recipient of a request the carrier refuses outright", async () => {
    // Prepare
    const { handler, store } = setup({ steps: [new CarrierRejectedRequestError(400, "content too long")] });
    // Act
    const response = await handler(sqsEvent(sqsRecord({ body: messageBody({ userIds: [1, 7] }) })));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(store.result(1, 1)).toMatchObject({
      status: "FAILED",
      errorCode: "CARRIER_HTTP_400",
      errorDetail: "carrier rejected the request with HTTP 400: content too long",
    });
    expect(store.result(1, 7)).toMatchObject({ status: "FAILED", errorCode: "INVALID_NUMBER" });
  });

  it("leaves a failed-attempt row saying why for every record that did not complete", async () => {
    // Prepare: an outage answer, a malformed body, then a 429 that defers the last record too
    const outage = new CarrierTransientError(
      "SERVER_ERROR",
      "HTTP 503: SERVICE_UNAVAILABLE: carrier outage",
      503,
    );
    const { handler, store } = setup({ steps: [outage, new CarrierRateLimitedError(7)] });
    const completed = sqsRecord({ body: messageBody({ logId: 4, chunkId: 9, userIds: [7] }) });
    const failing = sqsRecord({ body: messageBody({ logId: 4, chunkId: 0, userIds: [1] }), receiveCount: 2 });
    const malformed = sqsRecord({ body: "{not json" });
    const limited = sqsRecord({ body: messageBody({ logId: 4, chunkId: 1, userIds: [2] }) });
    const deferred = sqsRecord({ body: messageBody({ logId: 4, chunkId: 2, userIds: [3] }) });
    // Act
    await handler(sqsEvent(completed, failing, malformed, limited, deferred));
    // Assess
    expect(store.attempts).toEqual([
      {
        logId: 4,
        chunkId: 0,
        messageId: failing.messageId,
        receiveCount: 2,
        code: "CARRIER_HTTP_503",
        detail: "carrier SERVER_ERROR: HTTP 503: SERVICE_UNAVAILABLE: carrier outage",
      },
      expect.objectContaining({ logId: null, chunkId: null, code: "MALFORMED_MESSAGE" }),
      expect.objectContaining({
        chunkId: 1,
        code: "CARRIER_RATE_LIMITED",
        detail: "HTTP 429: carrier rate limit; deferred 7 s (Retry-After)",
      }),
      expect.objectContaining({
        chunkId: 2,
        code: "CARRIER_RATE_LIMITED",
        detail: "not sent: another record of the batch met HTTP 429; deferred 7 s",
      }),
    ]);
  });

  it("counts the attempts a redrive forgot: a first receive after three failures is attempt 4", async () => {
    // Prepare
    const { handler, store } = setup();
    const failedBefore = [1, 2, 3].map((receiveCount) => ({
      logId: 5,
      chunkId: 9,
      messageId: "before-redrive",
      receiveCount,
      code: "CARRIER_TIMEOUT",
      detail: "carrier TIMEOUT",
    }));
    await store.recordAttempts(failedBefore);
    // Act
    await handler(
      sqsEvent(sqsRecord({ body: messageBody({ logId: 5, chunkId: 9, userIds: [1] }), receiveCount: 1 })),
    );
    // Assess
    expect(store.result(5, 1)).toMatchObject({ status: "SENT", attempts: 4 });
  });

  it("still fails its records when the failed attempts cannot be stored", async () => {
    // Prepare
    const { handler, store, lines } = setup({ steps: [new CarrierTransientError("TIMEOUT", "no answer")] });
    store.failOn("recordAttempts");
    const record = sqsRecord({ body: messageBody({ userIds: [1] }) });
    // Act
    const response = await handler(sqsEvent(record));
    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "error", msg: "could not record failed attempts", attempts: 1 }),
    );
  });

  it("records nothing when the carrier refuses our credentials, so the message can be redriven", async () => {
    // Prepare
    const { handler, store } = setup({ steps: [new CarrierMisconfiguredError(401, "bad key")] });
    const record = sqsRecord();
    // Act
    const response = await handler(sqsEvent(record));
    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(store.results(1)).toEqual([]);
  });

  it("retries a record whose carrier answer lacks a recipient rather than guessing", async () => {
    // Prepare
    const { handler, store } = setup({
      steps: [
        (request) => ({
          requestId: "r",
          results: [{ ...request.recipients[0], status: "ACCEPTED" }] as never,
        }),
      ],
    });
    const record = sqsRecord({ body: messageBody({ userIds: [1, 2] }) });
    // Act
    const response = await handler(sqsEvent(record));
    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(store.results(1)).toEqual([]);
    expect(store.attempts).toEqual([
      expect.objectContaining({
        code: "CARRIER_INCOMPLETE_RESPONSE",
        detail: `carrier INCOMPLETE_RESPONSE: no result for ref ${recipientRef(1, 2)} (key ${idempotencyKey(1, 0)})`,
      }),
    ]);
  });

  it("fails a record whose results cannot be stored after the carrier accepted, so SQS delivers it again", async () => {
    // Prepare
    const { handler, store, carrier } = setup();
    store.failOn("recordResults");
    const record = sqsRecord({ body: messageBody({ userIds: [1] }) });
    // Act
    const response = await handler(sqsEvent(record));
    // Assess
    expect(carrier.calls).toHaveLength(1);
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(store.attempts).toEqual([
      expect.objectContaining({
        messageId: record.messageId,
        code: "DELIVERY_STORE_FAILED",
        detail: "delivery store recordResults failed: recordResults: connection lost",
      }),
    ]);
  });

  it.each(["findRecorded", "findPhones", "countAttempts"] as const)(
    "fails every record, sending nothing, when the %s lookup fails",
    async (operation) => {
      // Prepare
      const { handler, store, carrier } = setup();
      store.failOn(operation);
      const records = [sqsRecord(), sqsRecord({ body: messageBody({ chunkId: 1 }) })];
      // Act
      const response = await handler(sqsEvent(...records));
      // Assess
      expect(failedIds(response)).toEqual(records.map((r) => r.messageId));
      expect(carrier.calls).toEqual([]);
      expect(store.attempts.map((a) => [a.code, a.detail])).toEqual(
        Array(2).fill([
          "DELIVERY_STORE_FAILED",
          `delivery store ${operation} failed: ${operation}: connection lost`,
        ]),
      );
    },
  );

  it.each([
    [1, 1],
    [3, 3],
  ])("keeps at most recordParallelism=%i carrier calls in flight", async (recordParallelism, expected) => {
    // Prepare
    const { handler, carrier } = setup({ settings: { recordParallelism } });
    const records = [1, 2, 3, 4, 5].map((userId) =>
      sqsRecord({ body: messageBody({ chunkId: userId, userIds: [userId] }) }),
    );
    // Act
    const response = await handler(sqsEvent(...records));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(carrier.calls).toHaveLength(5);
    expect(carrier.maxInFlight).toBe(expected);
  });

  it("throws for an event that is not an SQS event", async () => {
    // Prepare
    const { handler } = setup();
    // Act
    const result = handler({ Records: [{ messageId: "m" }] } as never);
    // Assess
    await expect(result).rejects.toThrow(InvalidEventError);
    await expect(result).rejects.toThrow(/event\.Records\.0\.receiptHandle/);
  });

  it("without a logger writes JSON lines to the console, stamped by the handler's clock", async () => {
    // Prepare: the simulator's clock is virtual, so its logs must carry virtual time
    const { carrier, store, visibility, clock } = setup();
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const handler = createMessagingHandler({ carrier, store, visibility, clock });
    // Act
    await handler(sqsEvent(sqsRecord()));
    // Assess
    const summary = JSON.parse(info.mock.calls.at(-1)?.[0] as string);
    info.mockRestore();
    expect(summary).toMatchObject({ msg: "batch processed", time: new Date(clock.now()).toISOString() });
  });

  it("refuses settings out of range, naming the setting", () => {
    // Prepare
    const { carrier, store, visibility, clock } = setup();
    // Act
    const create = () =>
      createMessagingHandler({ carrier, store, visibility, clock, settings: { recordParallelism: 0 } });
    // Assess
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(/settings\.recordParallelism/);
  });
});
