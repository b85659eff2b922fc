import type { Clock } from "../domain/clock";
import type { Logger } from "../handler/logger";
import type { MessageQueuePort, OutgoingMessage } from "./ports";

/** SendMessageBatch takes at most 10 entries, and at most 256 KiB of bodies in one call. */
export const SQS_MAX_BATCH_ENTRIES = 10;
export const SQS_MAX_BATCH_BYTES = 256 * 1024;

export interface QueuedMessage extends OutgoingMessage {
  /** Recipients this message carries: what the counts are in. */
  recipients: number;
}

export interface BatchSenderOptions {
  queue: MessageQueuePort;
  clock: Clock;
  logger?: Logger;
  /** SendMessageBatch calls in flight at once. */
  concurrency: number;
  /** Calls per entry before it counts as failed (the first send included). */
  maxAttempts: number;
  /** Wait before the first resend; doubles for each further one. */
  retryBaseDelayMs: number;
  maxBatchBytes?: number;
  /** Names the campaign in log lines. */
  logId: number;
  /** Called once per message when SQS has answered for it: queued, refused or failed for good. */
  onAnswered?(message: QueuedMessage): void;
}

export interface BatchSenderTotals {
  /** Recipients whose messages SQS accepted. */
  queued: number;
  /** Recipients whose messages SQS refused or kept failing after maxAttempts. */
  failed: number;
}

export interface BatchSender {
  /** Adds a message to the open batch; waits when `concurrency` calls are already in flight. */
  add(message: QueuedMessage): Promise<void>;
  /** What SQS has answered for so far; calls in flight are in neither count yet. */
  totals(): BatchSenderTotals;
  /** Sends the open batch and waits for every call; then the totals are final. */
  finish(): Promise<BatchSenderTotals>;
}

/**
 * Packs messages into SendMessageBatch calls (10 entries, within the byte limit), keeps a few
 * calls in flight, and resends the entries a call reports failed with exponential backoff.
 */
export function createBatchSender(options: BatchSenderOptions): BatchSender {
  const { queue, clock, logger, concurrency, maxAttempts, retryBaseDelayMs, logId, onAnswered } = options;
  const maxBytes = options.maxBatchBytes ?? SQS_MAX_BATCH_BYTES;
  const totals: BatchSenderTotals = { queued: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  let open: QueuedMessage[] = [];
  let openBytes = 0;

  async function sendWithRetries(batch: QueuedMessage[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      let failedIds: string[];
      let rejected = new Set<string>();
      let callError: unknown = null;
      try {
        const result = await queue.sendBatch(pending.map(({ id, body }) => ({ id, body })));
        failedIds = result.failedIds;
        rejected = new Set(result.rejectedIds);
      } catch (error) {
        failedIds = pending.map((m) => m.id);
        callError = error;
      }
      const failed = new Set(failedIds);
      const retry: QueuedMessage[] = [];
      for (const message of pending) {
        if (failed.has(message.id) && !rejected.has(message.id)) {
          retry.push(message);
          continue;
        }
        if (failed.has(message.id)) totals.failed += message.recipients;
        else totals.queued += message.recipients;
        onAnswered?.(message);
      }
      if (rejected.size > 0) logger?.warn("SQS rejected messages", { logId, chunks: [...rejected] });
      if (retry.length === 0) return;
      if (attempt >= maxAttempts) {
        for (const message of retry) {
          totals.failed += message.recipients;
          onAnswered?.(message);
        }
        logger?.error("messages not enqueued after retries", {
          logId,
          attempts: attempt,
          chunks: retry.map((m) => m.id),
          error: callError,
        });
        return;
      }
      pending = retry;
      await clock.sleep(retryBaseDelayMs * 2 ** (attempt - 1));
    }
  }

  async function dispatch(): Promise<void> {
    const batch = open;
    open = [];
    openBytes = 0;
    const call = sendWithRetries(batch).finally(() => inFlight.delete(call));
    inFlight.add(call);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
  }

  return {
    async add(message) {
      const bytes = Buffer.byteLength(message.body);
      if (open.length > 0 && openBytes + bytes > maxBytes) await dispatch();
      open.push(message);
      openBytes += bytes;
      if (open.length === SQS_MAX_BATCH_ENTRIES) await dispatch();
    },
    totals: () => ({ ...totals }),
    async finish() {
      if (open.length > 0) await dispatch();
      await Promise.all(inFlight);
      return { ...totals };
    },
  };
}
