import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogStatus } from "../../domain/db-schema";
import { createTestDatabase, type TestDatabase } from "../../test/support/test-database";
import { createMysqlDeliveryStore } from "../mysql-delivery-store";
import type { DeliveryStore, RecipientResult } from "../ports";
import { manualClock } from "./fakes";

const clock = manualClock(Date.UTC(2026, 2, 1, 9, 0, 0));

function sent(userId: number, attempts = 1): RecipientResult {
  const phone = `0101111${String(userId).padStart(4, "0")}`;
  return { userId, phone, status: "SENT", carrierMessageId: `cm-${userId}`, errorCode: null, attempts };
}

function failed(userId: number, errorCode = "INVALID_NUMBER"): RecipientResult {
  return { userId, phone: "02-123-4567", status: "FAILED", carrierMessageId: null, errorCode, attempts: 1 };
}

describe("createMysqlDeliveryStore", () => {
  let db: TestDatabase;
  let store: DeliveryStore;

  beforeAll(async () => {
    db = await createTestDatabase("delivery_store");
    store = createMysqlDeliveryStore(db.pool, { clock });
    const users = [1, 2, 3, 4].map((id) => [id, `user ${id}`, `010-1111-000${id}`, "seoul", "2024-01-01"]);
    await db.pool.query("INSERT INTO users (id, name, phone, region, signup_date) VALUES ?", [users]);
  });
  afterAll(() => db.drop());

  async function campaign(totalCount: number, status: LogStatus = "QUEUED"): Promise<number> {
    const [result] = await db.pool.query<import("mysql2").ResultSetHeader>(
      `INSERT INTO messaging_log (requested_by, requested_at, content, total_count, queued_count, status, updated_at)
       VALUES ('ops@example.com', NOW(3), 'hello', ?, ?, ?, NOW(3))`,
      [totalCount, totalCount, status],
    );
    return result.insertId;
  }

  async function log(id: number) {
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT status, sent_count, failed_count, completed_at FROM messaging_log WHERE id = ?",
      [id],
    );
    return rows[0];
  }

  it("finds the phones of existing users only", async () => {
    // Prepare
    const ids = [1, 3, 999];
    // Act
    const phones = await store.findPhones(ids);
    // Assess
    expect(phones).toEqual(
      new Map([
        [1, "010-1111-0001"],
        [3, "010-1111-0003"],
      ]),
    );
  });

  it("moves a campaign to SENDING on its first results and counts them", async () => {
    // Prepare
    const logId = await campaign(5);
    // Act
    await store.recordResults(logId, [sent(1), sent(2), failed(3)]);
    // Assess
    expect(await log(logId)).toMatchObject({
      status: "SENDING",
      sent_count: 2,
      failed_count: 1,
      completed_at: null,
    });
    expect(await store.findRecorded(logId, [1, 2, 3, 4])).toEqual(new Set([1, 2, 3]));
  });

  it("records an invocation's records of two campaigns in one batch, counting a duplicate recipient once", async () => {
    // Prepare: two records of campaign A (user 2 in both, as a duplicated message has it) and one of B.
    const [a, b] = [await campaign(3), await campaign(2)];
    const batches = [
      { logId: a, results: [sent(1), sent(2)] },
      { logId: b, results: [sent(1), failed(2)] },
      { logId: a, results: [sent(2), failed(3)] },
    ];
    // Act
    await store.recordResultsBatch(batches);
    const recorded = await store.findRecordedBatch([
      { logId: a, userIds: [1, 2, 3, 4] },
      { logId: b, userIds: [2, 3] },
      { logId: a, userIds: [] },
    ]);
    // Assess
    expect(await log(a)).toMatchObject({ status: "PARTIAL", sent_count: 2, failed_count: 1 });
    expect(await log(b)).toMatchObject({ status: "PARTIAL", sent_count: 1, failed_count: 1 });
    expect(recorded).toEqual(
      new Map([
        [a, new Set([1, 2, 3])],
        [b, new Set([2])],
      ]),
    );
  });

  it.each([
    ["COMPLETED", [sent(1), sent(2)]],
    ["PARTIAL", [sent(1), failed(2)]],
    ["FAILED", [failed(1), failed(2)]],
  ] as const)("ends a campaign %s when every recipient has a result", async (status, results) => {
    // Prepare
    const logId = await campaign(2);
    // Act
    await store.recordResults(logId, [...results]);
    // Assess
    expect(await log(logId)).toMatchObject({ status, completed_at: new Date(clock.now()) });
  });

  it("keeps a recipient's first result on redelivery and does not count it twice", async () => {
    // Prepare
    const logId = await campaign(3);
    await store.recordResults(logId, [sent(1), failed(2, "BLOCKED")]);
    // Act
    await store.recordResults(logId, [failed(1, "REJECTED"), sent(2, 2)]);
    // Assess
    expect(await log(logId)).toMatchObject({ status: "SENDING", sent_count: 1, failed_count: 1 });
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT user_id, status, error_code, attempts FROM messaging_result WHERE log_id = ? ORDER BY user_id",
      [logId],
    );
    expect(rows).toEqual([
      { user_id: 1, status: "SENT", error_code: null, attempts: 1 },
      { user_id: 2, status: "FAILED", error_code: "BLOCKED", attempts: 1 },
    ]);
  });

  it("counts once when two deliveries of the same chunk record at the same time", async () => {
    // Prepare
    const logId = await campaign(4);
    const results = [sent(1), sent(2), failed(3), sent(4)];
    // Act
    await Promise.all([
      store.recordResults(logId, results),
      store.recordResults(logId, [...results].reverse()),
    ]);
    // Assess
    expect(await log(logId)).toMatchObject({ status: "PARTIAL", sent_count: 3, failed_count: 1 });
  });

  it("counts results for a campaign still QUEUEING but leaves its status to the producer, even at the total", async () => {
    // Prepare: the producer counted 2 recipients and is still enqueueing (more may join the audience).
    const logId = await campaign(2, "QUEUEING");
    // Act
    await store.recordResults(logId, [sent(1)]);
    const midway = await log(logId);
    await store.recordResults(logId, [sent(2)]);
    // Assess
    expect(midway).toMatchObject({ status: "QUEUEING", sent_count: 1 });
    expect(await log(logId)).toMatchObject({ status: "QUEUEING", sent_count: 2, completed_at: null });
  });

  it("moves a QUEUED campaign on to SENDING and COMPLETED once the producer has settled it", async () => {
    // Prepare: results recorded while QUEUEING, then the producer's final update (status only) lands.
    const logId = await campaign(3, "QUEUEING");
    await store.recordResults(logId, [sent(1)]);
    await db.pool.query("UPDATE messaging_log SET status = 'QUEUED' WHERE id = ?", [logId]);
    // Act
    await store.recordResults(logId, [sent(2)]);
    const midway = await log(logId);
    await store.recordResults(logId, [sent(3)]);
    // Assess
    expect(midway).toMatchObject({ status: "SENDING", sent_count: 2, completed_at: null });
    expect(await log(logId)).toMatchObject({ status: "COMPLETED", sent_count: 3 });
  });

  it("upserts a malformed message, keeping when it was first seen", async () => {
    // Prepare
    const message = { messageId: "bad-1", body: "{", error: "body: not JSON", receiveCount: 1 };
    await store.recordMalformed(message);
    clock.advance(60_000);
    // Act
    await store.recordMalformed({ ...message, receiveCount: 2 });
    // Assess
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT body, error, receive_count, first_seen_at, last_seen_at FROM malformed_message WHERE message_id = 'bad-1'",
    );
    expect(rows).toEqual([
      {
        body: "{",
        error: "body: not JSON",
        receive_count: 2,
        first_seen_at: new Date(clock.now() - 60_000),
        last_seen_at: new Date(clock.now()),
      },
    ]);
  });

  it("keeps failed attempts per chunk, counting them for the chunk alone", async () => {
    // Prepare
    const logId = await campaign(20);
    const attempt = (chunkId: number, receiveCount: number) => ({
      logId,
      chunkId,
      messageId: `m-${chunkId}`,
      receiveCount,
      code: "CARRIER_HTTP_503",
      detail: "carrier SERVER_ERROR: HTTP 503: SERVICE_UNAVAILABLE: carrier outage",
    });
    // Act
    await store.recordAttempts([attempt(0, 1), attempt(1, 1)]);
    await store.recordAttempts([attempt(0, 2)]);
    // Assess
    expect(
      await store.countAttempts([
        { logId, chunkId: 0 },
        { logId, chunkId: 1 },
        { logId, chunkId: 2 },
        { logId: logId + 1, chunkId: 0 },
      ]),
    ).toEqual([2, 1, 0, 0]);
    expect(await store.countAttempts([])).toEqual([]);
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT chunk_id, message_id, receive_count, code, detail, at FROM delivery_attempt WHERE log_id = ? ORDER BY id",
      [logId],
    );
    expect(rows[2]).toEqual({ ...rows[2], chunk_id: 0, receive_count: 2, code: "CARRIER_HTTP_503" });
    expect(rows[2]?.detail).toContain("SERVICE_UNAVAILABLE: carrier outage");
    expect(rows[2]?.at).toEqual(new Date(clock.now()));
  });

  it("keeps a failed result's detail beside its code", async () => {
    // Prepare
    const logId = await campaign(1);
    const refused = { ...failed(1, "CARRIER_HTTP_400"), errorDetail: "HTTP 400: content too long" };
    // Act
    await store.recordResults(logId, [refused]);
    // Assess
    const [rows] = await db.pool.query<RowDataPacket[]>(
      "SELECT error_code, error_detail FROM messaging_result WHERE log_id = ?",
      [logId],
    );
    expect(rows).toEqual([{ error_code: "CARRIER_HTTP_400", error_detail: "HTTP 400: content too long" }]);
  });
});
