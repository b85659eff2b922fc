import type { Pool } from "mysql2/promise";
import { createMessagingService } from "../../api/messaging-service";
import type { MessageQueuePort, OutgoingMessage } from "../../api/ports";
import { RECIPIENTS_PER_MESSAGE } from "../../domain/message-body";
import { expandTraffic, type SendRequest } from "../scenario/expand-traffic";
import type { Scenario } from "../scenario/load-scenario";
import { createUserRanges } from "../virtual/user-ranges";
import { POISON_BODY } from "../virtual/virtual-engine";
import { whenAborted } from "./interruption";
import type { LiveClock } from "./live-clock";

/** A campaign the producer started: one send of a traffic entry. */
export interface LiveCampaign {
  logId: number;
  trafficName: string;
  recipients: number;
}

export interface LiveProducerOptions {
  scenario: Pick<Scenario, "traffic" | "users">;
  clock: LiveClock;
  startMs: number;
  pool: Pool;
  /** SendMessageBatch on the run's queue. */
  queue: MessageQueuePort;
  /** A send that began `lateMs` (scenario ms) after its time. */
  onLate?: (lateMs: number) => void;
  /** Stops the producer: no further send starts, and a campaign being enqueued stops at its next batch. */
  signal?: AbortSignal;
}

export interface LiveProducer {
  /** Sends the scenario's traffic on schedule; resolves once every send is enqueued (or after stop). */
  run(): Promise<void>;
  /** Starts no further send (a threshold aborted the run); sends under way finish. */
  stop(): void;
  /** Scenario epoch ms of the next send not started yet; Infinity when none is left. */
  nextSendMs(): number;
  /** Whether a send is being enqueued now. */
  busy(): boolean;
  campaigns(): readonly LiveCampaign[];
  requested(): number;
  /** Messages SQS accepted, and SendMessageBatch calls made. */
  counts(): { messages: number; requests: number };
  /** Every body SQS accepted with when (scenario ms), poison bodies left out. */
  sentBodies(): ReadonlyMap<string, number>;
}

/**
 * The admin side of a live run: each send of the scenario's traffic becomes a campaign through
 * MessagingService.sendBulkMessage, as the admin API starts one, over a range of seeded users;
 * a send's malformed bodies go straight onto the queue. Sends start on time whether or not the
 * previous one has finished enqueueing, as in the virtual engine.
 */
export function createLiveProducer(options: LiveProducerOptions): LiveProducer {
  const { scenario, clock, startMs, signal } = options;
  const sentBodies = new Map<string, number>();
  const counts = { messages: 0, requests: 0 };
  const queue: MessageQueuePort = {
    async sendBatch(entries) {
      // The campaign's log records how far it got (ENQUEUE_FAILED with its queued count).
      signal?.throwIfAborted();
      counts.requests++;
      const result = await options.queue.sendBatch(entries);
      const failed = new Set(result.failedIds);
      const at = clock.now();
      for (const entry of entries) {
        if (failed.has(entry.id)) continue;
        counts.messages++;
        if (entry.body !== POISON_BODY) sentBodies.set(entry.body, at);
      }
      return result;
    },
  };
  const service = createMessagingService({ pool: options.pool, queue, clock });
  const userRanges = createUserRanges(scenario.users.count);
  const campaigns: LiveCampaign[] = [];
  const inFlight = new Set<Promise<void>>();
  const traffic = expandTraffic(scenario);
  let next = traffic.next();
  let requested = 0;

  const sendPoison = async (count: number) => {
    for (let sent = 0; sent < count; sent += RECIPIENTS_PER_MESSAGE) {
      const entries: OutgoingMessage[] = Array.from(
        { length: Math.min(RECIPIENTS_PER_MESSAGE, count - sent) },
        (_, i) => ({ id: String(i), body: POISON_BODY }),
      );
      await queue.sendBatch(entries);
    }
  };

  const enqueue = async (send: SendRequest) => {
    const from = userRanges.next(send.recipients);
    requested += send.recipients;
    const { logId, done } = await service.startBulkMessage({
      requestedBy: "smsim live engine",
      name: send.trafficName,
      content: `[smsim] ${send.trafficName}`,
      audience: { kind: "range", from, to: from + send.recipients - 1 },
    });
    campaigns.push({ logId, trafficName: send.trafficName, recipients: send.recipients });
    await Promise.all([done, sendPoison(send.malformed)]);
  };

  let stopping = false;
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });

  return {
    async run() {
      let failure: unknown = null;
      while (!next.done && failure === null) {
        const send = next.value;
        const dueMs = startMs + send.atMs;
        await Promise.race([clock.sleepUntil(dueMs), stopped, whenAborted(signal)]);
        if (stopping || signal?.aborted) break;
        const lateMs = clock.now() - dueMs;
        if (lateMs > 0) options.onLate?.(lateMs);
        next = traffic.next();
        const call: Promise<void> = enqueue(send)
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => inFlight.delete(call));
        inFlight.add(call);
      }
      while (inFlight.size > 0) await Promise.all(inFlight);
      // An interrupted campaign fails by design; what it enqueued is counted like any other.
      if (failure !== null && !signal?.aborted) throw failure;
    },
    stop() {
      stopping = true;
      stop();
    },
    nextSendMs: () => (next.done || stopping ? Number.POSITIVE_INFINITY : startMs + next.value.atMs),
    busy: () => inFlight.size > 0,
    campaigns: () => campaigns,
    requested: () => requested,
    counts: () => ({ ...counts }),
    sentBodies: () => sentBodies,
  };
}
