import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { type Clock, systemClock } from "../../domain/clock";
import type { AttemptRecords, LastFailure } from "./attempt-records";
import { type DlqDepth, type DlqMessage, describeDlqMessage } from "./dlq-service";
import { QueueUnavailableError } from "./errors";

/** A DLQ message as the console shows it: the body's routing fields and why it failed. */
export interface DlqEntry extends DlqMessage {
  /** The last failed delivery's code and words, from the handler's attempt rows; null if none. */
  errorCode: string | null;
  errorDetail: string | null;
  /** The receive count it entered the DLQ with (not the count our own scans add to). */
  receiveCountAtMove: number | null;
  /**
   * When SQS moved it, at the earliest: the last failure plus the source queue's visibility
   * timeout (SQS moves it on the first receive after that). Null without attempt rows.
   */
  movedAt: string | null;
  attempts: number;
}

export interface DlqSnapshot {
  entries: DlqEntry[];
  depth: DlqDepth;
  /** When the DLQ was last read through. */
  scannedAt: string;
  /** False when the DLQ held more than the index keeps (see maxMessages). */
  complete: boolean;
}

export interface DlqFilter {
  logId?: number;
  errorCode?: string;
  messageIds?: readonly string[];
}

export interface MovedMessages {
  messages: number;
  recipients: number;
  campaigns: { logId: number | null; messages: number; recipients: number }[];
}

/**
 * The whole DLQ, read once and kept: pages, filters and counts come from this snapshot, so
 * refreshing the console re-reads only the queue's depth (GetQueueAttributes, not a receive)
 * and reads the messages again only when the depth changes or after an action. Reading a queue
 * through is the only way past ReceiveMessage's 10-message sample, and every read is a receive
 * that real SQS counts; the counts shown are the attempt rows', which reads do not change.
 */
export interface DlqIndex {
  /** The kept snapshot, or a new one when the depth changed, it aged past maxAgeMs, or `fresh`. */
  snapshot(fresh?: boolean): Promise<DlqSnapshot>;
  /** The next snapshot reads the queue again. */
  invalidate(): void;
  /** Moves the matching messages to the source queue (send, then delete) and says what moved. */
  move(filter: DlqFilter): Promise<MovedMessages>;
}

export interface DlqIndexOptions {
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  attempts: AttemptRecords;
  depth(): Promise<DlqDepth>;
  clock?: Clock;
  /** Most messages read per scan; default 10,000. */
  maxMessages?: number;
  /** A snapshot older than this is read again even at the same depth (one in, one out); default 60 s. */
  maxAgeMs?: number;
  /** Least time between two reads for a depth change alone (a draining DLQ changes by the second); default 5 s. */
  minIntervalMs?: number;
}

/** Long enough for a scan to read past each message once; they are made visible again at its end. */
const SCAN_HIDE_SECONDS = 60;
const BATCH = 10;

export function createDlqIndex(options: DlqIndexOptions): DlqIndex {
  const { client, queueUrl, dlqUrl, attempts } = options;
  const clock = options.clock ?? systemClock;
  const maxMessages = options.maxMessages ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const minIntervalMs = options.minIntervalMs ?? 5000;
  let current: DlqSnapshot | null = null;
  let scannedAtMs = 0;
  let stale = true;
  // One scan or move at a time: both hide messages while they work.
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => {});
    return next;
  };

  async function call<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new QueueUnavailableError(name, error);
    }
  }

  /** Receives every message once, hiding each as it goes so the next receive returns others. */
  async function readThrough(): Promise<{ messages: Message[]; complete: boolean }> {
    const seen = new Map<string, Message>();
    let complete = true;
    while (true) {
      if (seen.size >= maxMessages) {
        complete = false;
        break;
      }
      const out = await call("ReceiveMessage", () =>
        client.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: BATCH,
            VisibilityTimeout: SCAN_HIDE_SECONDS,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
          }),
        ),
      );
      const batch = out.Messages ?? [];
      if (batch.length === 0) break;
      for (const m of batch) if (m.MessageId && !seen.has(m.MessageId)) seen.set(m.MessageId, m);
    }
    return { messages: [...seen.values()], complete };
  }

  async function inBatches(messages: readonly Message[], run: (batch: Message[]) => Promise<unknown>) {
    for (let i = 0; i < messages.length; i += BATCH) await run(messages.slice(i, i + BATCH));
  }

  const release = (messages: readonly Message[]) =>
    inBatches(messages, (batch) =>
      call("ChangeMessageVisibilityBatch", () =>
        client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: dlqUrl,
            Entries: batch.map((m, i) => ({
              Id: String(i),
              ReceiptHandle: m.ReceiptHandle ?? "",
              VisibilityTimeout: 0,
            })),
          }),
        ),
      ),
    );

  let visibilityTimeoutMs: Promise<number> | null = null;
  const sourceVisibilityMs = () => {
    visibilityTimeoutMs ??= call("GetQueueAttributes", async () => {
      const out = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["VisibilityTimeout"] }),
      );
      return Number(out.Attributes?.VisibilityTimeout ?? 30) * 1000;
    });
    visibilityTimeoutMs.catch(() => {
      visibilityTimeoutMs = null;
    });
    return visibilityTimeoutMs;
  };

  async function scan(depth: DlqDepth): Promise<DlqSnapshot> {
    const { messages, complete } = await readThrough();
    await release(messages);
    const described = messages.map(describeDlqMessage);
    const failures = await attempts.lastFailures(described);
    const visibilityMs = await sourceVisibilityMs();
    const entries = described
      .map((m) => entryOf(m, failures.get(m.messageId), visibilityMs))
      .sort(byCampaign);
    return { entries, depth, scannedAt: new Date(clock.now()).toISOString(), complete };
  }

  return {
    snapshot: (fresh = false) =>
      exclusive(async () => {
        const depth = await options.depth();
        const total = depth.visible + depth.inFlight + depth.delayed;
        const age = clock.now() - scannedAtMs;
        if (current && !fresh && !stale && age <= maxAgeMs) {
          const changed = total !== current.entries.length || !current.complete;
          if (!changed || age < minIntervalMs) {
            current = { ...current, depth };
            return current;
          }
        }
        current = await scan(depth);
        scannedAtMs = clock.now();
        stale = false;
        return current;
      }),

    invalidate() {
      stale = true;
    },

    move: (filter) =>
      exclusive(async () => {
        stale = true;
        const { messages } = await readThrough();
        const picked = new Set(
          messages
            .map(describeDlqMessage)
            .filter((m) => matches(m, filter))
            .map((m) => m.messageId),
        );
        const moving = messages.filter((m) => picked.has(m.MessageId ?? ""));
        try {
          await inBatches(moving, async (batch) => {
            // Sent before deleted: a crash in between leaves a copy on each queue, never none.
            const sent = await call("SendMessageBatch", () =>
              client.send(
                new SendMessageBatchCommand({
                  QueueUrl: queueUrl,
                  Entries: batch.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? "" })),
                }),
              ),
            );
            const ok = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
            const delivered = batch.filter((_m, i) => ok.has(i));
            if (delivered.length === 0) return;
            await call("DeleteMessageBatch", () =>
              client.send(
                new DeleteMessageBatchCommand({
                  QueueUrl: dlqUrl,
                  Entries: delivered.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
                }),
              ),
            );
            for (const m of delivered) picked.delete(m.MessageId ?? "");
          });
        } finally {
          await release(messages.filter((m) => picked.has(m.MessageId ?? "") || !moving.includes(m)));
        }
        return summarize(moving.filter((m) => !picked.has(m.MessageId ?? "")).map(describeDlqMessage));
      }),
  };
}

export function matches(m: DlqMessage & { errorCode?: string | null }, filter: DlqFilter): boolean {
  if (filter.messageIds && !filter.messageIds.includes(m.messageId)) return false;
  if (filter.logId !== undefined && m.logId !== filter.logId) return false;
  if (filter.errorCode !== undefined && m.errorCode !== filter.errorCode) return false;
  return true;
}

/** Messages and recipients per campaign, most messages first. */
export function summarize(messages: readonly DlqMessage[]): MovedMessages {
  const byCampaign = new Map<number | null, { messages: number; recipients: number }>();
  for (const m of messages) {
    const c = byCampaign.get(m.logId) ?? { messages: 0, recipients: 0 };
    c.messages++;
    c.recipients += m.userIds.length;
    byCampaign.set(m.logId, c);
  }
  const campaigns = [...byCampaign].map(([logId, c]) => ({ logId, ...c }));
  campaigns.sort((a, b) => b.messages - a.messages || (a.logId ?? 0) - (b.logId ?? 0));
  return {
    messages: messages.length,
    recipients: campaigns.reduce((n, c) => n + c.recipients, 0),
    campaigns,
  };
}

function entryOf(m: DlqMessage, failure: LastFailure | undefined, visibilityMs: number): DlqEntry {
  return {
    ...m,
    errorCode: failure?.code ?? null,
    errorDetail: failure?.detail ?? null,
    receiveCountAtMove: failure?.receiveCount ?? null,
    movedAt: failure ? new Date(failure.at.getTime() + visibilityMs).toISOString() : null,
    attempts: failure?.attempts ?? 0,
  };
}

/** Newest campaign first, then chunk order: the same order on every scan. */
function byCampaign(a: DlqEntry, b: DlqEntry): number {
  return (
    (b.logId ?? 0) - (a.logId ?? 0) ||
    (a.chunkId ?? 0) - (b.chunkId ?? 0) ||
    a.messageId.localeCompare(b.messageId)
  );
}
