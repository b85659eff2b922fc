import type { Pool } from "mysql2/promise";
import type { Clock } from "../domain/clock";
import type { Logger } from "../domain/logger";
import type { BatchSenderTotals } from "./batch-sender";

export interface EnqueueProgressOptions {
  pool: Pool;
  clock: Clock;
  logger?: Logger;
  logId: number;
  /** Recipients answered for between two writes. */
  every: number;
}

/** Publishes a campaign's queued and failed counts to its log row while it is being enqueued. */
export interface EnqueueProgress {
  /** Writes `totals` once `every` more recipients were answered for than last written; never waits. */
  offer(totals: BatchSenderTotals): void;
  /** Resolves when no write is in flight. */
  settled(): Promise<void>;
}

/**
 * Counts are written as absolute values, one write at a time, so a later write never loses to an
 * earlier one. Only a QUEUEING row is touched: the status stays the producer's to settle, and the
 * total grows if the audience streamed more users than were counted when the campaign started.
 */
const UPDATE_PROGRESS = `
  UPDATE messaging_log SET
    queued_count = ?, enqueue_failed_count = ?, total_count = GREATEST(total_count, ?), updated_at = ?
  WHERE id = ? AND status = 'QUEUEING'`;

export function createEnqueueProgress(options: EnqueueProgressOptions): EnqueueProgress {
  const { pool, clock, logger, logId, every } = options;
  let latest: BatchSenderTotals = { queued: 0, failed: 0 };
  let written = 0;
  let writing: Promise<void> | null = null;

  // Offers made while a write is in flight are not lost: the next write starts when it ends.
  function writeIfDue(): void {
    const { queued, failed } = latest;
    const answered = queued + failed;
    if (writing || answered - written < every) return;
    written = answered;
    writing = pool
      .execute(UPDATE_PROGRESS, [queued, failed, answered, new Date(clock.now()), logId])
      // Progress is for the console; a lost write must not stop the enqueue, the final counts follow.
      .then(
        () => undefined,
        (error: unknown) => logger?.warn("campaign progress not written", { logId, queued, failed, error }),
      )
      .finally(() => {
        writing = null;
        writeIfDue();
      });
  }

  return {
    offer(totals) {
      latest = totals;
      writeIfDue();
    },
    async settled() {
      while (writing) await writing;
    },
  };
}
