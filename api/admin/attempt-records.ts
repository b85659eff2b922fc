import type { Pool, RowDataPacket } from "mysql2/promise";

/** What the handler's attempt rows say about one message's last failed delivery. */
export interface LastFailure {
  code: string;
  detail: string;
  /** The SQS receive count of that delivery: with maxReceiveCount reached, the count it entered the DLQ with. */
  receiveCount: number;
  at: Date;
  /** Failed deliveries recorded for the message's chunk, across redrives. */
  attempts: number;
}

export interface AttemptKey {
  messageId: string;
  logId: number | null;
  chunkId: number | null;
}

/** A campaign's failed attempts grouped by code, for messages that have no final result yet. */
export interface AttemptReason {
  code: string;
  attempts: number;
  /** The newest detail seen with this code (the carrier's words). */
  lastDetail: string;
  lastAt: string;
}

export interface AttemptRecords {
  /**
   * The last failure of each message, by message ID (a message keeps its ID when SQS moves it to
   * the DLQ), else by campaign and chunk (a redriven chunk arrives under a new ID).
   */
  lastFailures(keys: readonly AttemptKey[]): Promise<Map<string, LastFailure>>;
  reasons(logId: number): Promise<AttemptReason[]>;
}

const BATCH = 500;

export function createAttemptRecords(pool: Pool): AttemptRecords {
  return {
    async lastFailures(keys) {
      const found = new Map<string, LastFailure>();
      for (let i = 0; i < keys.length; i += BATCH) {
        const batch = keys.slice(i, i + BATCH);
        const byMessage = await lastRows(
          pool,
          BY_MESSAGE,
          batch.map((k) => k.messageId),
        );
        const missing = batch.filter(
          (k) => !byMessage.has(k.messageId) && k.logId !== null && k.chunkId !== null,
        );
        const byChunk = await lastRows(
          pool,
          BY_CHUNK,
          missing.map((k) => [k.logId, k.chunkId]),
        );
        for (const k of batch) {
          const row = byMessage.get(k.messageId) ?? byChunk.get(`${k.logId}:${k.chunkId}`);
          if (row) found.set(k.messageId, row);
        }
      }
      return found;
    },

    async reasons(logId) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        `SELECT a.code, COUNT(*) AS attempts, MAX(a.at) AS last_at,
           (SELECT b.detail FROM delivery_attempt b WHERE b.log_id = a.log_id AND b.code = a.code
             ORDER BY b.id DESC LIMIT 1) AS last_detail
         FROM delivery_attempt a WHERE a.log_id = ? GROUP BY a.code ORDER BY attempts DESC, a.code`,
        [logId],
      );
      return rows.map((r) => ({
        code: String(r.code),
        attempts: Number(r.attempts),
        lastDetail: String(r.last_detail ?? ""),
        lastAt: new Date(r.last_at).toISOString(),
      }));
    },
  };
}

/** How rows are keyed and matched (on an index: message_id, or log_id + chunk_id). */
const BY_MESSAGE = { key: "message_id", match: "message_id" };
const BY_CHUNK = { key: "CONCAT(log_id, ':', chunk_id)", match: "(log_id, chunk_id)" };

/** The newest row, the highest receive count and the row count per key. */
async function lastRows(
  pool: Pool,
  by: typeof BY_MESSAGE,
  keys: readonly unknown[],
): Promise<Map<string, LastFailure>> {
  const result = new Map<string, LastFailure>();
  if (keys.length === 0) return result;
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT ${by.key} AS k, code, detail, at,
       MAX(receive_count) OVER (PARTITION BY ${by.key}) AS max_receive,
       COUNT(*) OVER (PARTITION BY ${by.key}) AS n
     FROM delivery_attempt WHERE ${by.match} IN (?) ORDER BY id`,
    [keys],
  );
  for (const r of rows) {
    result.set(String(r.k), {
      code: String(r.code),
      detail: String(r.detail),
      receiveCount: Number(r.max_receive),
      at: new Date(r.at),
      attempts: Number(r.n),
    });
  }
  return result;
}
