import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { type Clock, systemClock } from "../domain/clock";
import type { ResultStatus } from "../domain/db-schema";
import { MAX_DETAIL_LENGTH } from "./failed-attempt";
import type {
  CampaignChunk,
  CampaignResults,
  DeliveryStore,
  FailedAttempt,
  MalformedMessage,
  RecipientResult,
} from "./ports";

export interface MysqlDeliveryStoreOptions {
  /** Timestamps written to the database (updated_at, completed_at, last_seen_at). */
  clock?: Clock;
}

/** malformed_message.error is TEXT; a zod message never needs more than this. */
const MAX_ERROR_LENGTH = 2_000;

/**
 * Moves a campaign's counters and status in one statement, so concurrent invocations finishing
 * different chunks cannot race. Assignments read the old column values plus the increments (in
 * this order), which holds whether or not the server assigns left to right.
 *
 * Only the counters move while the producer is still QUEUEING: total_count is then a count taken
 * before streaming, and the producer settles the status from these counters in its final update,
 * which locks the same row, so the two compose in either order.
 */
const UPDATE_LOG = `
  UPDATE messaging_log SET
    completed_at = IF(status IN ('QUEUED', 'SENDING')
      AND sent_count + ? + failed_count + ? >= total_count, ?, completed_at),
    status = CASE
      WHEN status NOT IN ('QUEUED', 'SENDING') THEN status
      WHEN sent_count + ? + failed_count + ? < total_count THEN 'SENDING'
      WHEN failed_count + ? = 0 THEN 'COMPLETED'
      WHEN sent_count + ? = 0 THEN 'FAILED'
      ELSE 'PARTIAL'
    END,
    sent_count = sent_count + ?,
    failed_count = failed_count + ?,
    updated_at = ?
  WHERE id = ?`;

/** Items of the same campaign together, their lists concatenated; empty lists left out. */
function groupByLog<T extends { logId: number }, V>(items: readonly T[], list: (item: T) => readonly V[]) {
  const byLog = new Map<number, V[]>();
  for (const item of items) {
    const values = list(item);
    if (values.length === 0) continue;
    const known = byLog.get(item.logId);
    if (known === undefined) byLog.set(item.logId, [...values]);
    else known.push(...values);
  }
  return byLog;
}

export function createMysqlDeliveryStore(pool: Pool, options: MysqlDeliveryStoreOptions = {}): DeliveryStore {
  const clock = options.clock ?? systemClock;

  /** Inserts the rows a user has none of yet; resolves with how many were inserted. */
  async function insertNew(
    connection: PoolConnection,
    logId: number,
    results: readonly RecipientResult[],
    at: Date,
  ): Promise<number> {
    if (results.length === 0) return 0;
    const rows = results.map((r) => [
      logId,
      r.userId,
      r.phone,
      r.status,
      r.carrierMessageId,
      r.errorCode,
      r.errorDetail ?? null,
      r.attempts,
      at,
    ]);
    // IGNORE keeps a recipient's first final result: a redelivery or a concurrent duplicate inserts nothing.
    const [header] = await connection.query<ResultSetHeader>(
      `INSERT IGNORE INTO messaging_result
         (log_id, user_id, phone, status, carrier_message_id, error_code, error_detail, attempts, updated_at)
       VALUES ?`,
      [rows],
    );
    return header.affectedRows;
  }

  /** One SELECT for every campaign's chunks: (log_id = ? AND user_id IN (?)) OR ... */
  async function findRecordedBatch(chunks: readonly CampaignChunk[]): Promise<Map<number, Set<number>>> {
    const byLog = groupByLog(chunks, (c) => c.userIds);
    const recorded = new Map([...byLog.keys()].map((logId) => [logId, new Set<number>()]));
    if (byLog.size === 0) return recorded;
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT log_id, user_id FROM messaging_result WHERE ${[...byLog.keys()]
        .map(() => "(log_id = ? AND user_id IN (?))")
        .join(" OR ")}`,
      [...byLog].flat(),
    );
    for (const row of rows) recorded.get(Number(row.log_id))?.add(Number(row.user_id));
    return recorded;
  }

  /** One transaction for every campaign's results: per campaign, its new rows and one counter update. */
  async function recordResultsBatch(batches: readonly CampaignResults[]): Promise<void> {
    const byLog = groupByLog(batches, (b) => b.results);
    if (byLog.size === 0) return;
    const at = new Date(clock.now());
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      // Campaigns, and users within each, in one order, so concurrent writers lock rows alike.
      for (const [logId, results] of [...byLog].sort(([a], [b]) => a - b)) {
        const byStatus = (status: ResultStatus) =>
          results.filter((r) => r.status === status).sort((a, b) => a.userId - b.userId);
        const sent = await insertNew(connection, logId, byStatus("SENT"), at);
        const failed = await insertNew(connection, logId, byStatus("FAILED"), at);
        if (sent + failed === 0) continue;
        await connection.query(UPDATE_LOG, [
          sent,
          failed,
          at,
          sent,
          failed,
          failed,
          sent,
          sent,
          failed,
          at,
          logId,
        ]);
      }
      await connection.commit();
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }

  return {
    async findPhones(userIds) {
      if (userIds.length === 0) return new Map();
      const [rows] = await pool.query<RowDataPacket[]>("SELECT id, phone FROM users WHERE id IN (?)", [
        userIds,
      ]);
      return new Map(rows.map((row) => [Number(row.id), String(row.phone)]));
    },

    async findRecorded(logId, userIds) {
      return (await findRecordedBatch([{ logId, userIds }])).get(logId) ?? new Set();
    },

    async recordResults(logId, results) {
      await recordResultsBatch([{ logId, results }]);
    },

    findRecordedBatch,
    recordResultsBatch,

    async recordAttempts(attempts: readonly FailedAttempt[]) {
      if (attempts.length === 0) return;
      const at = new Date(clock.now());
      const rows = attempts.map((a) => [
        a.logId,
        a.chunkId,
        a.messageId,
        a.receiveCount,
        a.code,
        a.detail.slice(0, MAX_DETAIL_LENGTH),
        at,
      ]);
      await pool.query(
        `INSERT INTO delivery_attempt (log_id, chunk_id, message_id, receive_count, code, detail, at)
         VALUES ?`,
        [rows],
      );
    },

    async countAttempts(chunks) {
      if (chunks.length === 0) return [];
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT log_id, chunk_id, COUNT(*) AS n FROM delivery_attempt
         WHERE (log_id, chunk_id) IN (?) GROUP BY log_id, chunk_id`,
        [chunks.map(({ logId, chunkId }) => [logId, chunkId])],
      );
      const counts = new Map(rows.map((r) => [`${r.log_id}:${r.chunk_id}`, Number(r.n)]));
      return chunks.map(({ logId, chunkId }) => counts.get(`${logId}:${chunkId}`) ?? 0);
    },

    async recordMalformed(message: MalformedMessage) {
      const at = new Date(clock.now());
      await pool.query(
        `INSERT INTO malformed_message (message_id, body, error, receive_count, first_seen_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE
           error = VALUES(error),
           receive_count = GREATEST(receive_count, VALUES(receive_count)),
           last_seen_at = VALUES(last_seen_at)`,
        [
          message.messageId,
          message.body,
          message.error.slice(0, MAX_ERROR_LENGTH),
          message.receiveCount,
          at,
          at,
        ],
      );
    },
  };
}
