import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeMessageBody, parseMessageBody } from "../../domain/message-body";
import { createMysqlDeliveryStore } from "../../handler/mysql-delivery-store";
import type { RecipientResult } from "../../handler/ports";
import { createTestDatabase, type TestDatabase } from "../../test/support/test-database";
import type { AudienceSource } from "../audience/compile-audience";
import { EmptyAudienceError } from "../errors";
import { createMessagingService, type MessagingServiceOptions } from "../messaging-service";
import {
  eventually,
  type LogCounts,
  manualClock,
  type RecordingQueueOptions,
  range,
  readCounts,
  recordingQueue,
  seedUsers,
  userRow,
} from "./fixtures";

function recipientResult(userId: number, sent: boolean): RecipientResult {
  return {
    userId,
    phone: `010${String(10_000_000 + userId).slice(-8)}`,
    status: sent ? "SENT" : "FAILED",
    carrierMessageId: sent ? `cm-${userId}` : null,
    errorCode: sent ? null : "INVALID_NUMBER",
    attempts: 1,
  };
}

describe("MessagingService.sendBulkMessage", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("messaging_service");
    await seedUsers(db.pool, range(1, 500));
  });
  afterAll(() => db.drop());

  function setup(queueOptions: RecordingQueueOptions = {}, options: Partial<MessagingServiceOptions> = {}) {
    const recorder = recordingQueue(queueOptions);
    const { clock, sleeps } = manualClock();
    const service = createMessagingService({ pool: db.pool, queue: recorder.queue, clock, ...options });
    return { ...recorder, sleeps, service };
  }

  async function readLog(logId: number) {
    const [rows] = await db.pool.query<RowDataPacket[]>("SELECT * FROM messaging_log WHERE id = ?", [logId]);
    return rows[0];
  }

  const content = { content: "봄 세일 20% 할인", templateId: "spring-2026" };
  const campaign = { requestedBy: "ops@example.com", ...content };

  it("splits 10,001 recipients into 1,001 messages of 10 with chunk ids 0..1000", async () => {
    // Prepare
    const { service, accepted, calls } = setup();
    const userIds = range(1, 10_001);
    // Act
    const result = await service.sendBulkMessage({ ...campaign, userIds });
    // Assess
    expect(result).toEqual({
      logId: expect.any(Number),
      queuedCount: 10_001,
      failedCount: 0,
      status: "QUEUED",
    });
    expect(accepted).toHaveLength(1001);
    expect(calls).toHaveLength(101);
    expect(calls.every((ids) => ids.length <= 10)).toBe(true);
    const byChunk = [...accepted].sort((a, b) => a.chunkId - b.chunkId);
    expect(byChunk.map((b) => b.chunkId)).toEqual(range(0, 1000));
    expect(byChunk.slice(0, 1000).every((b) => b.userIds.length === 10)).toBe(true);
    expect(byChunk[1000]?.userIds).toEqual([10_001]);
    expect(byChunk.flatMap((b) => b.userIds)).toEqual(userIds);
    expect(byChunk[0]).toEqual({
      v: 1,
      logId: result.logId,
      chunkId: 0,
      userIds: range(1, 10),
      ...content,
    });
    expect(await readLog(result.logId)).toMatchObject({
      requested_by: "ops@example.com",
      total_count: 10_001,
      queued_count: 10_001,
      enqueue_failed_count: 0,
      status: "QUEUED",
      audience: { kind: "userIds", count: 10_001 },
    });
  });

  it("resends the entries a batch reports failed until they are accepted", async () => {
    // Prepare: chunk 3 fails twice, chunk 7 once.
    const failures = new Map([
      ["3", 2],
      ["7", 1],
    ]);
    const { service, accepted, sleeps } = setup({
      answer: (entries) => {
        const failedIds = entries.map((e) => e.id).filter((id) => (failures.get(id) ?? 0) > 0);
        for (const id of failedIds) failures.set(id, (failures.get(id) ?? 0) - 1);
        return { failedIds };
      },
    });
    // Act
    const result = await service.sendBulkMessage({ ...campaign, userIds: range(1, 95) });
    // Assess
    expect(result).toMatchObject({ queuedCount: 95, failedCount: 0, status: "QUEUED" });
    expect(accepted.map((b) => b.chunkId).sort((a, b) => a - b)).toEqual(range(0, 9));
    expect(sleeps).toEqual([100, 200]);
  });

  it("counts entries that fail on every attempt and marks the campaign ENQUEUE_FAILED", async () => {
    // Prepare: chunk 4 (users 41-50) and the last chunk (users 91-95) never get in.
    const { service, accepted, sleeps } = setup(
      {
        answer: (entries) => ({
          failedIds: entries.map((e) => e.id).filter((id) => id === "4" || id === "9"),
        }),
      },
      { maxAttempts: 4 },
    );
    // Act
    const result = await service.sendBulkMessage({ ...campaign, userIds: range(1, 95) });
    // Assess
    expect(result).toMatchObject({ queuedCount: 80, failedCount: 15, status: "ENQUEUE_FAILED" });
    expect(accepted.flatMap((b) => b.userIds)).toHaveLength(80);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(await readLog(result.logId)).toMatchObject({
      total_count: 95,
      queued_count: 80,
      enqueue_failed_count: 15,
      status: "ENQUEUE_FAILED",
    });
  });

  it("resends a whole batch whose call threw, and does not resend entries SQS rejected as malformed", async () => {
    // Prepare: the first call fails outright; chunk 2 is rejected with SenderFault.
    const { service, accepted, calls } = setup({
      answer: (entries, call) =>
        call === 1
          ? new Error("socket hang up")
          : { failedIds: ["2"].filter((id) => entries.some((e) => e.id === id)), rejectedIds: ["2"] },
    });
    // Act
    const result = await service.sendBulkMessage({ ...campaign, userIds: range(1, 30) });
    // Assess
    expect(result).toMatchObject({ queuedCount: 20, failedCount: 10, status: "ENQUEUE_FAILED" });
    expect(calls).toEqual([
      ["0", "1", "2"],
      ["0", "1", "2"],
    ]);
    expect(accepted.map((b) => b.chunkId)).toEqual([0, 1]);
  });

  it("keeps at most `concurrency` SendMessageBatch calls in flight", async () => {
    // Prepare
    const { service, maxInFlight, calls } = setup({}, { concurrency: 4 });
    // Act
    await service.sendBulkMessage({ ...campaign, userIds: range(1, 2000) });
    // Assess
    expect(calls).toHaveLength(20);
    expect(maxInFlight()).toBe(4);
  });

  it("starts a new batch before the batch's bodies would pass the byte limit", async () => {
    // Prepare: room for two bodies of chunks 1-4 (users 11-50), not three.
    const bodyBytes = Buffer.byteLength(
      encodeMessageBody({ v: 1, logId: 1, chunkId: 1, userIds: range(11, 20), ...content }),
    );
    const { service, calls } = setup({}, { maxBatchBytes: 2 * bodyBytes + 10 });
    // Act
    await service.sendBulkMessage({ ...campaign, userIds: range(1, 50) });
    // Assess
    expect(calls).toEqual([["0", "1"], ["2", "3"], ["4"]]);
  });

  it("streams a range audience from MySQL across pages that do not divide into chunks", async () => {
    // Prepare: 7 IDs per page, so every chunk of 10 spans two pages.
    const { service, accepted } = setup({}, { pageSize: 7 });
    // Act
    const result = await service.sendBulkMessage({
      ...campaign,
      audience: { kind: "range", from: 101, to: 163 },
    });
    // Assess
    expect(result).toMatchObject({ queuedCount: 63, failedCount: 0, status: "QUEUED" });
    const byChunk = [...accepted].sort((a, b) => a.chunkId - b.chunkId);
    expect(byChunk.map((b) => b.userIds.length)).toEqual([10, 10, 10, 10, 10, 10, 3]);
    expect(byChunk.flatMap((b) => b.userIds)).toEqual(range(101, 163));
    expect(await readLog(result.logId)).toMatchObject({
      total_count: 63,
      audience: { kind: "range", from: 101, to: 163 },
    });
  });

  it.each([
    ["COMPLETED", 20, 0],
    ["PARTIAL", 15, 5],
    ["SENDING", 3, 0],
  ])(
    "settles the status as %s when the consumer recorded %i sent / %i failed while the campaign was QUEUEING",
    async (status, sent, failed) => {
      // Prepare: the consumer's store records results for the first batch before SQS has answered for it.
      const store = createMysqlDeliveryStore(db.pool);
      let midway: RowDataPacket | undefined;
      const { service } = setup(
        {
          answer: async (entries) => {
            const { logId } = parseMessageBody(entries[0]?.body ?? "");
            const results = range(1, sent + failed).map((userId, i) => recipientResult(userId, i < sent));
            await store.recordResults(logId, results);
            midway = await readLog(logId);
            return { failedIds: [] };
          },
        },
        { concurrency: 1 },
      );
      // Act
      const result = await service.sendBulkMessage({ ...campaign, userIds: range(1, 20) });
      // Assess
      expect(midway).toMatchObject({ status: "QUEUEING", sent_count: sent, failed_count: failed });
      expect(midway?.completed_at).toBeNull();
      const log = await readLog(result.logId);
      expect(log).toMatchObject({ total_count: 20, queued_count: 20, status });
      expect(log?.completed_at === null).toBe(status === "SENDING");
    },
  );

  it("hands back the log id and the total before enqueueing ends when started in two steps", async () => {
    // Prepare: SQS holds every call until the test lets it answer.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { service } = setup({ answer: () => held.then(() => ({ failedIds: [] })) });
    // Act
    const { logId, totalCount, done } = await service.startBulkMessage({
      ...campaign,
      userIds: range(1, 25),
    });
    const whileQueueing = await readCounts(db.pool, logId);
    release();
    const result = await done;
    // Assess
    expect(totalCount).toBe(25);
    expect(whileQueueing).toEqual({ status: "QUEUEING", total: 25, queued: 0, failed: 0 });
    expect(result).toEqual({ logId, queuedCount: 25, failedCount: 0, status: "QUEUED" });
  });

  it("counts a filtered audience before streaming it, with the WHERE clause the stream reads", async () => {
    // Prepare: every user's tier follows from its ID (fixtures' userRow).
    const audience: AudienceSource = {
      kind: "filter",
      match: "all",
      conditions: [{ field: "tier", op: "eq", value: "gold" }],
    };
    const [users] = await db.pool.query<RowDataPacket[]>("SELECT id FROM users");
    const gold = users.filter((u) => userRow(Number(u.id)).tier === "gold").length;
    let atFirstCall: LogCounts | undefined;
    const { service } = setup(
      {
        answer: async (entries, call) => {
          if (call === 1)
            atFirstCall = await readCounts(db.pool, parseMessageBody(entries[0]?.body ?? "").logId);
          return { failedIds: [] };
        },
      },
      { concurrency: 1 },
    );
    // Act
    const { logId, totalCount, done } = await service.startBulkMessage({ ...campaign, audience });
    const result = await done;
    // Assess
    expect(totalCount).toBe(gold);
    expect(atFirstCall).toMatchObject({ status: "QUEUEING", total: gold });
    expect(result).toMatchObject({ logId, queuedCount: gold, status: "QUEUED" });
  });

  it("writes queued and failed counts while enqueueing, adding up at every step", async () => {
    // Prepare: one call at a time of 10 messages (100 recipients); chunks 3 and 27 are never accepted.
    const seen: LogCounts[] = [];
    const { service } = setup(
      {
        answer: async (entries, call) => {
          const { logId } = parseMessageBody(entries[0]?.body ?? "");
          const before = (call - 1) * 100;
          seen.push(
            await eventually(
              () => readCounts(db.pool, logId),
              (c) => c.queued + c.failed === before,
              `progress of ${before} recipients written`,
            ),
          );
          return { failedIds: entries.map((e) => e.id).filter((id) => id === "3" || id === "27") };
        },
      },
      { concurrency: 1, maxAttempts: 1, progressEvery: 100 },
    );
    // Act
    const result = await service.sendBulkMessage({ ...campaign, userIds: range(1, 500) });
    // Assess
    expect(seen).toEqual([
      { status: "QUEUEING", total: 500, queued: 0, failed: 0 },
      { status: "QUEUEING", total: 500, queued: 90, failed: 10 },
      { status: "QUEUEING", total: 500, queued: 190, failed: 10 },
      { status: "QUEUEING", total: 500, queued: 280, failed: 20 },
      { status: "QUEUEING", total: 500, queued: 380, failed: 20 },
    ]);
    expect(result).toMatchObject({ queuedCount: 480, failedCount: 20, status: "ENQUEUE_FAILED" });
    expect(await readCounts(db.pool, result.logId)).toEqual({
      status: "ENQUEUE_FAILED",
      total: 500,
      queued: 480,
      failed: 20,
    });
  });

  it.each([
    ["join", 30, 330],
    ["leave", -20, 280],
  ])(
    "settles the total on what was streamed when users %s the audience after it was counted",
    async (_, change, streamed) => {
      // Prepare: 300 users of their own; while SQS answers the first call, users are added or removed
      // at the far end of the range, which the stream has not reached yet (one call at a time).
      const first = change > 0 ? 1001 : 2001;
      await seedUsers(db.pool, range(first, first + 299));
      const seen: LogCounts[] = [];
      const { service } = setup(
        {
          answer: async (entries, call) => {
            const { logId } = parseMessageBody(entries[0]?.body ?? "");
            if (call === 1 && change > 0) await seedUsers(db.pool, range(first + 300, first + 299 + change));
            if (call === 1 && change < 0)
              await db.pool.query("DELETE FROM users WHERE id BETWEEN ? AND ?", [
                first + 300 + change,
                first + 299,
              ]);
            seen.push(await readCounts(db.pool, logId));
            return { failedIds: [] };
          },
        },
        { concurrency: 1, pageSize: 20, progressEvery: 10 },
      );
      // Act
      const { logId, totalCount, done } = await service.startBulkMessage({
        ...campaign,
        audience: { kind: "range", from: first, to: first + 499 },
      });
      const result = await done;
      // Assess
      expect(totalCount).toBe(300);
      expect(seen.every((c) => c.queued + c.failed <= c.total)).toBe(true);
      expect(result).toMatchObject({ logId, queuedCount: streamed, failedCount: 0, status: "QUEUED" });
      expect(await readCounts(db.pool, logId)).toEqual({
        status: "QUEUED",
        total: streamed,
        queued: streamed,
        failed: 0,
      });
    },
  );

  it("stops a producer whose campaign a resume claimed, leaving the counts to the resume", async () => {
    // Prepare: the first producer stalls on its fifth call; a resume a minute later claims the campaign
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = setup({
      answer: async (_, call) => (call === 5 ? stalled.then(() => ({ failedIds: [] })) : { failedIds: [] }),
    });
    const audience: AudienceSource = { kind: "range", from: 1, to: 500 };
    const { logId, done } = await first.service.startBulkMessage({ ...campaign, audience });
    const later = recordingQueue();
    const resumer = createMessagingService({
      pool: db.pool,
      queue: later.queue,
      clock: manualClock(Date.UTC(2026, 0, 1, 0, 1)).clock,
    });
    // Act
    const resumed = await resumer.resumeBulkMessage(logId);
    const result = await resumed.done;
    release();
    // Assess
    await expect(done).rejects.toMatchObject({ code: "ENQUEUE_TAKEN_OVER" });
    expect(resumed).toMatchObject({ fromChunk: 0, afterUserId: 0 });
    expect(result).toEqual({ logId, queuedCount: 500, failedCount: 0, status: "QUEUED" });
    expect(await readLog(logId)).toMatchObject({ status: "QUEUED", queued_count: 500, total_count: 500 });
    expect(new Set(later.accepted.flatMap((b) => b.userIds)).size).toBe(500);
  });

  it("refuses an audience that matches nobody without writing a log row", async () => {
    // Prepare
    const { service, calls } = setup();
    const [before] = await db.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM messaging_log");
    // Act
    const attempt = service.sendBulkMessage({ ...campaign, audience: { kind: "range", from: 900, to: 999 } });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(EmptyAudienceError);
    const [after] = await db.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM messaging_log");
    expect(after[0]?.n).toBe(before[0]?.n);
    expect(calls).toEqual([]);
  });

  it.each([
    [{ ...campaign, content: "  ", userIds: [1] }, 'content: must not be blank (got "  ")'],
    [{ ...campaign, content: "x".repeat(2001), userIds: [1] }, "content: Too big"],
    [
      { ...campaign, templateId: "a b", userIds: [1] },
      'templateId: expected 1-64 of A-Z a-z 0-9 _ . - (got "a b")',
    ],
    [{ ...campaign, requestedBy: "", userIds: [1] }, "requestedBy: Too small"],
    [{ ...campaign, userIds: [1, 0] }, "userIds.1: Too small"],
    [{ ...campaign, userIds: [1, 2.5] }, "userIds.1: Invalid input: expected int"],
    [{ ...campaign, userIds: [4, 5, 4] }, "userIds.2: duplicate user ID (got 4)"],
    [{ ...campaign }, "audience: give exactly one of audience and userIds (got undefined)"],
    [
      { ...campaign, userIds: [1], audience: { kind: "all" } },
      "audience: give exactly one of audience and userIds",
    ],
    [
      { ...campaign, audience: { kind: "range", from: 5, to: 1 } },
      "audience.to: must not be below from (got 1)",
    ],
  ])("rejects bad input naming the field and value: %#", async (input, message) => {
    // Prepare
    const { service, calls } = setup();
    // Act
    const attempt = service.sendBulkMessage(input as never);
    // Assess
    await expect(attempt).rejects.toThrow(message);
    expect(calls).toEqual([]);
  });
});
