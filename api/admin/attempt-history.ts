import type { Pool, RowDataPacket } from "mysql2/promise";

/** One delivery of a message that did not complete, as the handler recorded it. */
export interface AttemptRecord {
  receiveCount: number;
  code: string;
  /** The carrier's own error code and message where it gave one. */
  detail: string;
  at: string;
}

/** A message to look up: by campaign and chunk when its body says, else by its SQS message id. */
export interface AttemptKey {
  messageId: string;
  logId: number | null;
  chunkId: number | null;
}

/** The failed attempts behind DLQ messages, oldest first; a redrive's new message keeps its chunk's history. */
export interface AttemptHistory {
  /** Attempts per message id of `keys`; a message with none is absent. */
  of(keys: readonly AttemptKey[]): Promise<Map<string, AttemptRecord[]>>;
}

export function createAttemptHistory(pool: Pool): AttemptHistory {
  return {
    async of(keys) {
      const chunks = keys.filter((k) => k.logId !== null && k.chunkId !== null);
      const unreadable = keys.filter((k) => k.logId === null || k.chunkId === null).map((k) => k.messageId);
      const clauses: string[] = [];
      const params: unknown[] = [];
      if (chunks.length > 0) {
        clauses.push("(log_id, chunk_id) IN (?)");
        params.push(chunks.map((k) => [k.logId, k.chunkId]));
      }
      if (unreadable.length > 0) {
        clauses.push("(log_id IS NULL AND message_id IN (?))");
        params.push(unreadable);
      }
      const found = new Map<string, AttemptRecord[]>();
      if (clauses.length === 0) return found;
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT log_id, chunk_id, message_id, receive_count, code, detail, at FROM delivery_attempt
         WHERE ${clauses.join(" OR ")} ORDER BY id`,
        params,
      );
      const byChunk = new Map<string, AttemptRecord[]>();
      for (const r of rows) {
        const key = r.log_id === null ? `message:${r.message_id}` : `${r.log_id}:${r.chunk_id}`;
        const list = byChunk.get(key) ?? [];
        list.push({
          receiveCount: Number(r.receive_count),
          code: String(r.code),
          detail: String(r.detail),
          at: new Date(r.at).toISOString(),
        });
        byChunk.set(key, list);
      }
      for (const k of keys) {
        const key =
          k.logId === null || k.chunkId === null ? `message:${k.messageId}` : `${k.logId}:${k.chunkId}`;
        const list = byChunk.get(key);
        if (list) found.set(k.messageId, list);
      }
      return found;
    },
  };
}
