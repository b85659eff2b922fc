import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { ValidationError } from "../../domain/errors";
import { parseMessageBody } from "../../domain/message-body";
import { AdminHttpError, NotFoundError, QueueUnavailableError, RedriveInProgressError } from "./errors";

export interface DlqServiceOptions {
  client: SQSClient;
  /** The source queue: where a redrive sends messages back. */
  queueUrl: string;
  dlqUrl: string;
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
  /** Up to `limit` DLQ messages, left on the queue (see the note on peeking in the implementation). */
  peek(limit?: number): Promise<DlqMessage[]>;
  /** Depth, then a peek: what an operator looks at first. */
  inspect(limit?: number): Promise<{ depth: DlqDepth; messages: DlqMessage[] }>;
  /** One message among those a peek returns; NotFoundError otherwise. */
  show(messageId: string): Promise<DlqMessage>;
  /** Moves every DLQ message back to the source queue; one task may run at a time. */
  startRedrive(options?: { maxPerSecond?: number }): Promise<{ taskHandle: string }>;
  /** Recent move tasks off the DLQ, newest first, with their progress. */
  redriveTasks(): Promise<RedriveTask[]>;
  /** Deletes every DLQ message; `confirm` must be the DLQ's name. */
  purge(confirm: string): Promise<void>;
}

export const MAX_PEEK = 50;
/** SQS caps a move task at 500 messages a second. */
export const MAX_REDRIVE_PER_SECOND = 500;
const RECEIVE_MAX = 10;

export function queueNameOf(url: string): string {
  return new URL(url).pathname.split("/").filter(Boolean).pop() ?? url;
}

export function createDlqService({ client, queueUrl, dlqUrl }: DlqServiceOptions): DlqService {
  const dlqName = queueNameOf(dlqUrl);
  const arns = new Map<string, Promise<string>>();

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
    return [...seen.values()].slice(0, limit);
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

    async startRedrive(options = {}) {
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
      const running = (await listTasks(sourceArn)).find((t) => t.status === "RUNNING");
      if (running) throw new RedriveInProgressError(running.taskHandle);
      const out = await call("StartMessageMoveTask", () =>
        client.send(
          new StartMessageMoveTaskCommand({
            SourceArn: sourceArn,
            DestinationArn: destinationArn,
            MaxNumberOfMessagesPerSecond: maxPerSecond,
          }),
        ),
      );
      return { taskHandle: out.TaskHandle ?? "" };
    },

    async redriveTasks() {
      return listTasks(await arnOf(dlqUrl));
    },

    async purge(confirm) {
      if (confirm !== dlqName) {
        throw new ValidationError("confirm", confirm, `type the queue's name, "${dlqName}", to purge it`);
      }
      await call("PurgeQueue", async () => {
        try {
          await client.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
        } catch (error) {
          // SQS allows one purge per queue every 60 seconds.
          if ((error as Error).name === "PurgeQueueInProgress") {
            throw new AdminHttpError("PURGE_IN_PROGRESS", "this DLQ was purged less than 60 s ago", 409, {
              cause: error,
            });
          }
          throw error;
        }
      });
    },
  };

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

/** A received DLQ message's attributes and the routing fields its body names. */
export function describeDlqMessage(message: Message): DlqMessage {
  const body = message.Body ?? "";
  const sent = Number(message.Attributes?.SentTimestamp);
  const base = {
    messageId: message.MessageId ?? "",
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    body,
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
