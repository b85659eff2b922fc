import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { Pool } from "mysql2/promise";
import { ValidationError } from "../../domain/errors";
import { parseMessageBody } from "../../domain/message-body";
import { MAX_DETAIL_LENGTH } from "../../handler/failed-attempt";
import { createMysqlDeliveryStore } from "../../handler/mysql-delivery-store";
import type { RecipientResult } from "../../handler/ports";
import { type AttemptRecord, createAttemptHistory } from "./attempt-history";
import { AdminHttpError, NotFoundError, QueueUnavailableError, RedriveInProgressError } from "./errors";
import { oneAtATime } from "./one-at-a-time";

export interface DlqServiceOptions {
  client: SQSClient;
  /** The source queue: where a redrive sends messages back. */
  queueUrl: string;
  dlqUrl: string;
  /** The results database: failure reasons for DLQ messages, and where a purge settles recipients. */
  pool: Pool;
}

export interface DlqDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface DlqMessage {
  messageId: string;
  receiveCount: number;
  sentAt: string | null;
  /** The v1 body's routing fields, or null when the body does not parse (see parseError). */
  logId: number | null;
  chunkId: number | null;
  userIds: number[];
  parseError: string | null;
  body: string;
  /** Why it got here: the failed attempts of its chunk (across redrives), oldest first. */
  failures: AttemptRecord[];
}

/** What a purge or redrive touched, per campaign (logId null: bodies too malformed to name one). */
export interface CampaignTouch {
  logId: number | null;
  messages: number;
  recipients: number;
}

/** What an action touched in all, and per campaign. */
export interface Touched {
  messages: number;
  recipients: number;
  campaigns: CampaignTouch[];
}

export interface PurgeResult {
  messages: number;
  campaigns: (CampaignTouch & { settled: number })[];
}

export interface RedriveTask {
  taskHandle: string | null;
  status: string;
  maxPerSecond: number | null;
  moved: number;
  toMove: number | null;
  startedAt: string | null;
  failureReason: string | null;
}

/** What an operator can do with the DLQ; the admin API and `smsim dlq` share it. */
export interface DlqService {
  readonly dlqName: string;
  depth(): Promise<DlqDepth>;
  /** The source queue's VisibilityTimeout in ms: how long after a failed delivery SQS can move a message. */
  sourceVisibilityTimeoutMs(): Promise<number>;
  /** Up to `limit` DLQ messages, left on the queue (see the note on peeking in the implementation). */
  peek(limit?: number): Promise<DlqMessage[]>;
  /** Depth, then a peek: what an operator looks at first. */
  inspect(limit?: number): Promise<{ depth: DlqDepth; messages: DlqMessage[] }>;
  /** One message among those a peek returns; NotFoundError otherwise. */
  show(messageId: string): Promise<DlqMessage>;
  /**
   * Moves every DLQ message back to the source queue; one task may run at a time. Counts first
   * which campaigns it moves, for the audit.
   */
  startRedrive(options?: {
    maxPerSecond?: number;
  }): Promise<{ taskHandle: string; campaigns: CampaignTouch[] }>;
  /** Recent move tasks off the DLQ, newest first, with their progress. */
  redriveTasks(): Promise<RedriveTask[]>;
  /**
   * Every DLQ message with its failures, each received once (hidden while the read goes on, so
   * it gets past ReceiveMessage's sample) and then made visible again; at most `limit`.
   */
  readAll(limit?: number): Promise<{ messages: DlqMessage[]; complete: boolean }>;
  /**
   * Moves the messages of one campaign, or those named, to the source queue: sent, then deleted
   * (a crash in between leaves a copy on both, which the handler's idempotency absorbs); the rest
   * are made visible again. Refused while a redrive task runs.
   */
  move(filter: { logId?: number; messageIds?: readonly string[] }): Promise<Touched>;
  /**
   * Deletes every DLQ message (`confirm` must be the DLQ's name), first recording each recipient
   * without a result as FAILED with code PURGED, so its campaign can finish. Refused while a
   * redrive runs: it would delete what the task is moving.
   */
  purge(confirm: string): Promise<PurgeResult>;
}

export const MAX_PEEK = 50;
/** SQS caps a move task at 500 messages a second. */
export const MAX_REDRIVE_PER_SECOND = 500;
const RECEIVE_MAX = 10;
/** Long enough to read the whole DLQ before any message it hid reappears. */
const SWEEP_VISIBILITY_SECONDS = 300;
/** Most messages one read-through keeps (a console page, not a bulk export). */
const DEFAULT_READ_LIMIT = 10_000;
/** Ends a sweep early (readAll's limit). */
const STOP = Symbol("stop");

export function queueNameOf(url: string): string {
  return new URL(url).pathname.split("/").filter(Boolean).pop() ?? url;
}

export function createDlqService({ client, queueUrl, dlqUrl, pool }: DlqServiceOptions): DlqService {
  const dlqName = queueNameOf(dlqUrl);
  const arns = new Map<string, Promise<string>>();
  const history = createAttemptHistory(pool);
  const store = createMysqlDeliveryStore(pool);
  // One read-through at a time in this process: a sweep hides what it has read until it ends,
  // so a second sweep running alongside would miss those messages (purge or move too few).
  const serially = oneAtATime();

  async function call<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw error instanceof AdminHttpError ? error : new QueueUnavailableError(name, error);
    }
  }

  function arnOf(url: string): Promise<string> {
    let arn = arns.get(url);
    if (!arn) {
      arn = call("GetQueueAttributes", async () => {
        const out = await client.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
        );
        const value = out.Attributes?.QueueArn;
        if (!value) throw new Error(`${url} has no QueueArn`);
        return value;
      });
      // A failed lookup is retried next time rather than cached.
      arn.catch(() => arns.delete(url));
      arns.set(url, arn);
    }
    return arn;
  }

  let visibilityMs: Promise<number> | null = null;
  function sourceVisibilityTimeoutMs(): Promise<number> {
    visibilityMs ??= call("GetQueueAttributes", async () => {
      const out = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["VisibilityTimeout"] }),
      );
      return Number(out.Attributes?.VisibilityTimeout ?? 30) * 1000;
    });
    // A failed lookup is retried next time rather than kept.
    visibilityMs.catch(() => {
      visibilityMs = null;
    });
    return visibilityMs;
  }

  function depth(): Promise<DlqDepth> {
    return call("GetQueueAttributes", async () => {
      const out = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: dlqUrl,
          AttributeNames: [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
          ],
        }),
      );
      const attribute = (name: string) => Number(out.Attributes?.[name as keyof typeof out.Attributes] ?? 0);
      return {
        visible: attribute("ApproximateNumberOfMessages"),
        inFlight: attribute("ApproximateNumberOfMessagesNotVisible"),
        delayed: attribute("ApproximateNumberOfMessagesDelayed"),
      };
    });
  }

  async function peek(limit = RECEIVE_MAX): Promise<DlqMessage[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PEEK) {
      throw new ValidationError("limit", limit, `expected an integer 1-${MAX_PEEK}`);
    }
    const seen = new Map<string, DlqMessage>();
    // Each ReceiveMessage returns at most 10 and may repeat earlier ones; stop when a round adds nothing.
    for (let round = 0; round < Math.ceil(limit / RECEIVE_MAX) + 1 && seen.size < limit; round++) {
      const out = await call("ReceiveMessage", () =>
        client.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: Math.min(RECEIVE_MAX, limit - seen.size),
            // VisibilityTimeout 0 leaves each message visible, so nothing is consumed or hidden.
            // A peek is still a receive: on real SQS it increments ApproximateReceiveCount. The DLQ
            // has no redrive policy of its own, so the count moves nothing; it only reads higher.
            VisibilityTimeout: 0,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
          }),
        ),
      );
      const before = seen.size;
      for (const message of out.Messages ?? []) {
        if (message.MessageId && !seen.has(message.MessageId))
          seen.set(message.MessageId, describeDlqMessage(message));
      }
      if (seen.size === before) break;
    }
    return withFailures([...seen.values()].slice(0, limit));
  }

  async function withFailures(messages: DlqMessage[]): Promise<DlqMessage[]> {
    const failures = await history.of(messages);
    return messages.map((m) => ({ ...m, failures: failures.get(m.messageId) ?? [] }));
  }

  /**
   * Receives every DLQ message once, hiding each for SWEEP_VISIBILITY_SECONDS, and hands each
   * batch to `visit` before the next receive.
   */
  async function sweep(visit: (batch: Message[]) => Promise<void>): Promise<void> {
    for (;;) {
      const out = await call("ReceiveMessage", () =>
        client.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: RECEIVE_MAX,
            VisibilityTimeout: SWEEP_VISIBILITY_SECONDS,
            WaitTimeSeconds: 0,
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
          }),
        ),
      );
      const batch = out.Messages ?? [];
      if (batch.length === 0) return;
      await visit(batch);
    }
  }

  async function refuseWhileRedriving(): Promise<void> {
    const running = (await listTasks(await arnOf(dlqUrl))).find((t) => t.status === "RUNNING");
    if (running) throw new RedriveInProgressError(running.taskHandle);
  }

  /** Records PURGED for the recipients of `messages` that have no result yet; returns how many. */
  async function settle(message: DlqMessage): Promise<number> {
    if (message.logId === null || message.userIds.length === 0) return 0;
    const { logId, userIds, failures } = message;
    const recorded = await store.findRecorded(logId, userIds);
    const pending = userIds.filter((id) => !recorded.has(id));
    if (pending.length === 0) return 0;
    const phones = await store.findPhones(pending);
    const last = failures.at(-1);
    const errorDetail = last
      ? `purged from the DLQ after ${failures.length} failed attempts; last: ${last.code}: ${last.detail}`
      : "purged from the DLQ (no failed attempt recorded)";
    const results = pending.map(
      (userId): RecipientResult => ({
        userId,
        phone: phones.get(userId) ?? "",
        status: "FAILED",
        carrierMessageId: null,
        errorCode: "PURGED",
        attempts: Math.max(1, failures.length),
        errorDetail: errorDetail.slice(0, MAX_DETAIL_LENGTH),
      }),
    );
    await store.recordResults(logId, results);
    return pending.length;
  }

  return {
    dlqName,

    depth,

    peek,

    async inspect(limit) {
      // In this order: a message just peeked counts as in flight for a moment, so a depth read
      // alongside the peek could report visible messages as in flight.
      const current = await depth();
      return { depth: current, messages: await peek(limit) };
    },

    async show(messageId) {
      const found = (await peek(MAX_PEEK)).find((m) => m.messageId === messageId);
      if (!found) throw new NotFoundError(`DLQ message ${messageId} (among the ${MAX_PEEK} a peek can see)`);
      return found;
    },

    startRedrive: (options = {}) =>
      serially(async () => {
        const { maxPerSecond } = options;
        if (
          maxPerSecond !== undefined &&
          (!Number.isInteger(maxPerSecond) || maxPerSecond < 1 || maxPerSecond > MAX_REDRIVE_PER_SECOND)
        ) {
          throw new ValidationError(
            "maxPerSecond",
            maxPerSecond,
            `expected an integer 1-${MAX_REDRIVE_PER_SECOND}`,
          );
        }
        const [sourceArn, destinationArn] = await Promise.all([arnOf(dlqUrl), arnOf(queueUrl)]);
        await refuseWhileRedriving();
        const campaigns = await census();
        const out = await call("StartMessageMoveTask", () =>
          client.send(
            new StartMessageMoveTaskCommand({
              SourceArn: sourceArn,
              DestinationArn: destinationArn,
              MaxNumberOfMessagesPerSecond: maxPerSecond,
            }),
          ),
        );
        return { taskHandle: out.TaskHandle ?? "", campaigns };
      }),

    async redriveTasks() {
      return listTasks(await arnOf(dlqUrl));
    },

    sourceVisibilityTimeoutMs,

    readAll: (limit) => serially(() => readAll(limit)),

    move: (filter) =>
      serially(async () => {
        await refuseWhileRedriving();
        const moved: DlqMessage[] = [];
        const kept: Message[] = [];
        try {
          await sweep(async (batch) => {
            const picked = batch.filter((m) => {
              const d = describeDlqMessage(m);
              const named = filter.messageIds?.includes(d.messageId) ?? true;
              return named && (filter.logId === undefined || d.logId === filter.logId);
            });
            kept.push(...batch.filter((m) => !picked.includes(m)));
            if (picked.length === 0) return;
            const sent = await call("SendMessageBatch", () =>
              client.send(
                new SendMessageBatchCommand({
                  QueueUrl: queueUrl,
                  Entries: picked.map((m, n) => ({ Id: String(n), MessageBody: m.Body ?? "" })),
                }),
              ),
            );
            const ok = new Set((sent.Successful ?? []).map((r) => Number(r.Id)));
            kept.push(...picked.filter((_m, n) => !ok.has(n)));
            const delivered = picked.filter((_m, n) => ok.has(n));
            if (delivered.length > 0) await deleteAll(delivered);
            moved.push(...delivered.map(describeDlqMessage));
          });
        } finally {
          await release(kept);
        }
        return touchesOf(moved);
      }),

    purge: (confirm) =>
      serially(async () => {
        if (confirm !== dlqName) {
          throw new ValidationError("confirm", confirm, `type the queue's name, "${dlqName}", to purge it`);
        }
        await refuseWhileRedriving();
        const touched = new Touches();
        const settled = new Map<number | null, number>();
        // Recorded before deleted: a purge that dies between the two leaves results and a message
        // whose second purge records nothing more.
        await sweep(async (batch) => {
          const messages = await withFailures(batch.map(describeDlqMessage));
          for (const message of messages) {
            touched.add(message);
            settled.set(message.logId, (settled.get(message.logId) ?? 0) + (await settle(message)));
          }
          await deleteAll(batch);
        });
        return {
          messages: touched.messages,
          campaigns: touched.list().map((c) => ({ ...c, settled: settled.get(c.logId) ?? 0 })),
        };
      }),
  };

  /** Which campaigns the DLQ holds: every message received once, then made visible again. */
  async function census(): Promise<CampaignTouch[]> {
    return touchesOf((await readAll()).messages).campaigns;
  }

  async function readAll(limit = DEFAULT_READ_LIMIT): Promise<{ messages: DlqMessage[]; complete: boolean }> {
    const seen = new Map<string, Message>();
    let complete = true;
    try {
      await sweep(async (batch) => {
        for (const m of batch) if (m.MessageId && !seen.has(m.MessageId)) seen.set(m.MessageId, m);
        if (seen.size >= limit) {
          complete = false;
          throw STOP;
        }
      });
    } catch (error) {
      if (error !== STOP) throw error;
    } finally {
      await release([...seen.values()]);
    }
    return { messages: await withFailures([...seen.values()].map(describeDlqMessage)), complete };
  }

  /** Makes hidden messages visible again, ten at a time. */
  async function release(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += RECEIVE_MAX) {
      const entries = messages
        .slice(i, i + RECEIVE_MAX)
        .map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? "", VisibilityTimeout: 0 }));
      await call("ChangeMessageVisibilityBatch", () =>
        client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: dlqUrl, Entries: entries })),
      );
    }
  }

  async function deleteAll(batch: Message[]): Promise<void> {
    const entries = batch.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? "" }));
    const out = await call("DeleteMessageBatch", () =>
      client.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: entries })),
    );
    if (out.Failed?.length) {
      throw new QueueUnavailableError("DeleteMessageBatch", new Error(out.Failed[0]?.Message ?? "failed"));
    }
  }

  function listTasks(sourceArn: string): Promise<RedriveTask[]> {
    return call("ListMessageMoveTasks", async () => {
      const out = await client.send(
        new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
      );
      return (out.Results ?? []).map((t) => ({
        taskHandle: t.TaskHandle ?? null,
        status: t.Status ?? "UNKNOWN",
        maxPerSecond: t.MaxNumberOfMessagesPerSecond ?? null,
        moved: t.ApproximateNumberOfMessagesMoved ?? 0,
        toMove: t.ApproximateNumberOfMessagesToMove ?? null,
        startedAt: t.StartedTimestamp ? new Date(t.StartedTimestamp).toISOString() : null,
        failureReason: t.FailureReason ?? null,
      }));
    });
  }
}

/** Messages and recipients in all and per campaign (most messages first). */
export function touchesOf(messages: readonly Pick<DlqMessage, "logId" | "userIds">[]): Touched {
  const touches = new Touches();
  for (const m of messages) touches.add(m);
  const campaigns = touches.list().sort((a, b) => b.messages - a.messages || (a.logId ?? 0) - (b.logId ?? 0));
  return {
    messages: touches.messages,
    recipients: campaigns.reduce((n, c) => n + c.recipients, 0),
    campaigns,
  };
}

/** Messages and recipients per campaign, in the order first seen. */
class Touches {
  messages = 0;
  private readonly byLog = new Map<number | null, CampaignTouch>();

  add(message: Pick<DlqMessage, "logId" | "userIds">): void {
    this.messages++;
    const touch = this.byLog.get(message.logId) ?? { logId: message.logId, messages: 0, recipients: 0 };
    touch.messages++;
    touch.recipients += message.userIds.length;
    this.byLog.set(message.logId, touch);
  }

  list(): CampaignTouch[] {
    return [...this.byLog.values()];
  }
}

/** A received DLQ message's attributes and the routing fields its body names. */
export function describeDlqMessage(message: Message): DlqMessage {
  const body = message.Body ?? "";
  const sent = Number(message.Attributes?.SentTimestamp);
  const base = {
    messageId: message.MessageId ?? "",
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    body,
    failures: [],
  };
  try {
    const parsed = parseMessageBody(body);
    return {
      ...base,
      logId: parsed.logId,
      chunkId: parsed.chunkId,
      userIds: parsed.userIds,
      parseError: null,
    };
  } catch (error) {
    return { ...base, logId: null, chunkId: null, userIds: [], parseError: (error as Error).message };
  }
}
