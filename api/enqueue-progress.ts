import type { Pool, ResultSetHeader } from "mysql2/promise";
import type { Clock } from "../domain/clock";
import type { Logger } from "../handler/logger";
import type { BatchSenderTotals } from "./batch-sender";

/**
 * How far a campaign's enqueue got, for a resume: chunks 0..chunks-1 (users up to throughUser)
 * are all answered for by SQS, queued or counted failed.
 */
export interface EnqueueCheckpoint {
  chunks: number;
  throughUser: number;
}

export interface EnqueueProgressOptions {
  pool: Pool;
  clock: Clock;
  logger?: Logger;
  logId: number;
  /** Recipients answered for between two writes. */
  every: number;
  /** The heartbeat the campaign row holds now (written when it was created or claimed). */
  heartbeatAt: Date;
  /** How often the heartbeat is written while nothing else is (default 2 s). */
  heartbeatMs?: number;
}

/** Publishes a campaign's counts, checkpoint and heartbeat to its log row while it is being enqueued. */
export interface EnqueueProgress {
  /** Writes `totals` once `every` more recipients were answered for than last written; never waits. */
  offer(totals: BatchSenderTotals, checkpoint: EnqueueCheckpoint): void;
  /** False once another producer has claimed the campaign (a resume): this one must stop sending. */
  owned(): boolean;
  /** The heartbeat last written: the final update is fenced on it like every other. */
  heartbeatAt(): Date;
  /** Stops the heartbeat; resolves when no write is in flight. */
  settled(): Promise<void>;
}

/** A QUEUEING campaign whose heartbeat is older than this has lost its producer (it is interrupted). */
export const ENQUEUE_STALE_MS = 10_000;

/**
 * Counts are written as absolute values, one write at a time, so a later write never loses to an
 * earlier one. Only a QUEUEING row still holding this producer's last heartbeat is touched: the
 * status stays the producer's to settle, the total grows if the audience streamed more users than
 * were counted, and a resume that claimed the row (a newer heartbeat) fences this producer out.
 */
const UPDATE_PROGRESS = `
  UPDATE messaging_log SET
    queued_count = ?, enqueue_failed_count = ?, total_count = GREATEST(total_count, ?),
    enqueued_chunks = GREATEST(enqueued_chunks, ?), enqueued_through_user = GREATEST(enqueued_through_user, ?),
    enqueue_heartbeat_at = ?, updated_at = ?
  WHERE id = ? AND status = 'QUEUEING' AND enqueue_heartbeat_at <=> ?`;

export function createEnqueueProgress(options: EnqueueProgressOptions): EnqueueProgress {
  const { pool, clock, logger, logId, every } = options;
  let latest: BatchSenderTotals = { queued: 0, failed: 0 };
  let checkpoint: EnqueueCheckpoint = { chunks: 0, throughUser: 0 };
  let written = 0;
  let heartbeatAt = options.heartbeatAt;
  let owned = true;
  let beatDue = false;
  let writing: Promise<void> | null = null;

  // Offers made while a write is in flight are not lost: the next write starts when it ends.
  function writeIfDue(): void {
    const { queued, failed } = latest;
    const answered = queued + failed;
    if (writing || !owned || (answered - written < every && !beatDue)) return;
    written = answered;
    beatDue = false;
    const at = new Date(Math.max(clock.now(), heartbeatAt.getTime() + 1));
    const values = [queued, failed, answered, checkpoint.chunks, checkpoint.throughUser, at, at, logId];
    writing = pool
      .execute<ResultSetHeader>(UPDATE_PROGRESS, [...values, heartbeatAt])
      .then(
        ([result]) => {
          if (result.affectedRows === 1) heartbeatAt = at;
          else owned = false;
        },
        // Progress is for the console; a lost write must not stop the enqueue, the final counts follow.
        (error: unknown) => logger?.warn("campaign progress not written", { logId, queued, failed, error }),
      )
      .finally(() => {
        writing = null;
        writeIfDue();
      });
  }

  const heartbeat = setInterval(() => {
    beatDue = true;
    writeIfDue();
  }, options.heartbeatMs ?? 2_000);
  heartbeat.unref();

  return {
    offer(totals, next) {
      latest = totals;
      checkpoint = next;
      writeIfDue();
    },
    owned: () => owned,
    heartbeatAt: () => heartbeatAt,
    async settled() {
      clearInterval(heartbeat);
      while (writing) await writing;
    },
  };
}
