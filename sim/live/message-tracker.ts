import type { Clock } from "../../domain/clock";
import type { VisibilityPort } from "../../handler/ports";
import type { QueuePort } from "../esm/ports";

/** What the run did to the source queue: SQS keeps no cumulative counters, so the engine does. */
export interface QueueCounts {
  /** ReceiveMessage, DeleteMessageBatch and ChangeMessageVisibility calls. */
  requests: number;
  received: number;
  emptyReceives: number;
  deleted: number;
  maxReceiveCount: number;
}

export interface MessageTracker {
  /** The mapping's view of the queue, counted and tracked. */
  readonly port: QueuePort;
  /** The handler's visibility changes (scenario seconds), tracked on their way to `inner`. */
  visibility(inner: VisibilityPort): VisibilityPort;
  counts(): QueueCounts;
  /** Whether a message with this body was received and deleted. */
  isDeleted(body: string): boolean;
  /**
   * When a message received and not deleted becomes visible again (scenario ms): its last
   * receive plus the visibility timeout, or what the handler set since. The queue dead-letters it
   * on the first receive after that, once it has been received maxReceiveCount times.
   */
  visibleAgainAt(body: string): number | undefined;
}

/**
 * Follows every message through the source queue by body (bodies are unique per campaign chunk):
 * received, visibility changed, deleted. Lets the live engine count what SQS does not (cumulative
 * receives and deletes) and place the recipients that are neither in MySQL nor in the DLQ.
 */
export function createMessageTracker(
  inner: QueuePort,
  clock: Clock,
  visibilityTimeoutMs: number,
): MessageTracker {
  const counts: QueueCounts = { requests: 0, received: 0, emptyReceives: 0, deleted: 0, maxReceiveCount: 0 };
  const bodyOfHandle = new Map<string, string>();
  const latest = new Map<string, { handle: string; visibleAt: number }>();
  const deleted = new Set<string>();

  const port: QueuePort = {
    arn: inner.arn,
    region: inner.region,
    async receive(maxMessages, waitSeconds, signal) {
      counts.requests++;
      const messages = await inner.receive(maxMessages, waitSeconds, signal);
      if (messages.length === 0) counts.emptyReceives++;
      const now = clock.now();
      for (const message of messages) {
        counts.received++;
        const receiveCount = Number(message.attributes.ApproximateReceiveCount);
        if (receiveCount > counts.maxReceiveCount) counts.maxReceiveCount = receiveCount;
        const previous = latest.get(message.body);
        if (previous) bodyOfHandle.delete(previous.handle);
        bodyOfHandle.set(message.receiptHandle, message.body);
        latest.set(message.body, { handle: message.receiptHandle, visibleAt: now + visibilityTimeoutMs });
      }
      return messages;
    },
    async deleteBatch(receiptHandles) {
      counts.requests++;
      const failed = await inner.deleteBatch(receiptHandles);
      const notDeleted = new Set(failed);
      for (const handle of receiptHandles) {
        if (notDeleted.has(handle)) continue;
        counts.deleted++;
        const body = bodyOfHandle.get(handle);
        if (body === undefined) continue;
        bodyOfHandle.delete(handle);
        latest.delete(body);
        deleted.add(body);
      }
      return failed;
    },
  };

  return {
    port,
    visibility: (target) => ({
      async changeVisibility(arn, handle, seconds) {
        counts.requests++;
        await target.changeVisibility(arn, handle, seconds);
        const body = bodyOfHandle.get(handle);
        const entry = body === undefined ? undefined : latest.get(body);
        if (entry?.handle === handle) entry.visibleAt = clock.now() + seconds * 1000;
      },
    }),
    counts: () => ({ ...counts }),
    isDeleted: (body) => deleted.has(body),
    visibleAgainAt: (body) => latest.get(body)?.visibleAt,
  };
}
