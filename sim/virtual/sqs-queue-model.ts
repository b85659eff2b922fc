import { hash } from "node:crypto";
import type { SQSMessageAttributes } from "aws-lambda";
import { ValidationError } from "../../domain/errors";
import type { VisibilityPort } from "../../handler/ports";
import type { PipelineConfig, QueueConfig } from "../../infra/pipeline-config";
import { hashString } from "../../provider-mock/random";
import type { QueueMessage, QueuePort } from "../esm/ports";
import { requireInt } from "./checks";
import { Deque } from "./deque";
import {
  BatchRequestError,
  MessageNotInflightError,
  MoveTaskError,
  PurgeInProgressError,
  ReceiptHandleError,
} from "./errors";
import { MinHeap } from "./min-heap";
import type { TimerHandle, VirtualClock } from "./scheduler";

const MAX_VISIBILITY_SECONDS = 43_200;
/** One message, and a SendMessageBatch in all (SQS developer guide, sqs-batch-api; quotas-messages). */
const MAX_MESSAGE_BYTES = 1_048_576;
/** Queue names, and the Ids of batch entries: up to 80 alphanumerics, hyphens and underscores. */
const NAME_OR_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const MAX_MOVE_RATE = 500;
/** PurgeQueue: "the message deletion process takes up to 60 seconds", one purge per 60 s per queue. */
const PURGE_MS = 60_000;
/** What a move task's ReceiveMessage, SendMessageBatch and DeleteMessageBatch calls carry. */
const MOVE_BATCH = 10;
const DEFAULT_SENDER_ID = "AIDASMSIMVIRTUALSENDER";
const NO_ATTRIBUTES: SQSMessageAttributes = Object.freeze({});

const DELAYED = 0;
const VISIBLE = 1;
const INFLIGHT = 2;
const GONE = 3;
type MessageState = typeof DELAYED | typeof VISIBLE | typeof INFLIGHT | typeof GONE;

class StoredMessage {
  state: MessageState = DELAYED;
  /** When a DELAYED or INFLIGHT message becomes visible; a heap entry counts only if it matches. */
  visibleAt = 0;
  receiveCount = 0;
  firstReceiveAt = 0;
  lastReceiveAt = 0;
  /** When it entered this queue: its send, or its move into a dead-letter queue. */
  enteredAt = 0;
  md5: string | null = null;
  /** A dead letter keeps its source's message ID; other IDs derive from seq when asked for. */
  carriedId: string | null = null;
  /** The source queue a dead letter came from: where a move task returns it. */
  origin: SqsQueueModel | null = null;

  constructor(
    readonly seq: number,
    readonly body: string,
    readonly sentAt: number,
    readonly senderId: string,
    readonly messageAttributes: SQSMessageAttributes,
  ) {}
}

export interface SqsQueueModelOptions {
  name: string;
  clock: VirtualClock;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  delaySeconds?: number;
  /** WaitTimeSeconds for receive() calls that give none (ReceiveMessageWaitTimeSeconds). */
  receiveWaitSeconds?: number;
  /** RedrivePolicy: where messages go on the receive after `maxReceiveCount` receives. */
  deadLetter?: { queue: SqsQueueModel; maxReceiveCount: number };
  /** SenderId of messages whose send gives none. */
  senderId?: string;
  /** Called with the body of each message that outlives MessageRetentionPeriod (run accounting). */
  onExpired?: (body: string) => void;
  /** Called with the body of each message the redrive policy moves to the dead-letter queue. */
  onDeadLettered?: (body: string) => void;
}

export interface SendOptions {
  delaySeconds?: number;
  senderId?: string;
  messageAttributes?: SQSMessageAttributes;
}

export interface SendEntry extends SendOptions {
  /** Unique within the batch; the result names each entry by it. */
  id: string;
  body: string;
}

/** SendMessageBatch's answer: each entry is either sent or failed on its own. */
export interface SendBatchResult {
  successful: { id: string; messageId: string }[];
  failed: { id: string; code: string; senderFault: boolean; message: string }[];
}

/** The queue attributes CloudWatch's SQS metrics are sampled from. */
export interface QueueAttributes {
  ApproximateNumberOfMessages: number;
  ApproximateNumberOfMessagesNotVisible: number;
  ApproximateNumberOfMessagesDelayed: number;
}

/** Cumulative counts since the queue was created. */
export interface QueueCounters {
  /** API requests of any kind (SQS bills each one). */
  requests: number;
  /** Messages accepted by send/sendBatch (not messages moved in by a redrive). */
  sent: number;
  /** Messages returned by receives, redeliveries included. */
  received: number;
  emptyReceives: number;
  deleted: number;
  /** Messages this queue moved to its dead-letter queue. */
  movedToDlq: number;
  /** Messages moved in: by the redrive policy of a source (into a DLQ) or by a move task. */
  movedIn: number;
  /** Messages a move task took out of this queue. */
  movedOut: number;
  /** Messages that outlived MessageRetentionPeriod. */
  expired: number;
  purged: number;
  /** Highest ApproximateReceiveCount a receive returned. */
  maxReceiveCountSeen: number;
}

export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLED" | "FAILED";

export interface MoveTask {
  readonly taskHandle: string;
  status(): {
    status: MoveTaskStatus;
    approximateNumberOfMessagesMoved: number;
    approximateNumberOfMessagesToMove: number;
    failureReason: string | null;
  };
  cancel(): void;
}

export interface MoveTaskOptions {
  /** Where messages go; by default each returns to the source queue it was dead-lettered from. */
  destination?: SqsQueueModel;
  /** 1-500, default 500 (AWS picks a system-optimised rate when none is given). */
  maxNumberOfMessagesPerSecond?: number;
}

interface Waiter {
  max: number;
  resolve(messages: QueueMessage[]): void;
  timer: TimerHandle | null;
  /** For receiveWhenAvailable: the long-poll length, and when its empty polls were last counted. */
  idlePollMs: number;
  countedUntil: number;
}

/**
 * One SQS standard queue in virtual time. Approximately FIFO, deterministically: messages are
 * received in the order they became visible (as ElasticMQ orders by next-delivery time).
 *
 * Choices where AWS leaves room:
 * - delete with a superseded (stale) receipt handle deletes the message, as standard queues do in
 *   practice (AWS only says it "might not"); a handle of a message already gone is a silent no-op.
 * - changeVisibility with a superseded handle is ReceiptHandleIsInvalid; on a message nobody holds
 *   it is MessageNotInflight; the total stays within 12 hours of the receive.
 * - a message moved to the DLQ keeps its id, body, SentTimestamp (so retention counts from the
 *   original send), ApproximateReceiveCount and first-receive time; the DLQ's DelaySeconds does not
 *   apply. Messages moved back by a move task are new: new id, SentTimestamp now, count 0.
 */
export class SqsQueueModel {
  readonly name: string;
  private readonly clock: VirtualClock;
  private readonly visibilityMs: number;
  private readonly retentionMs: number;
  private readonly delaySeconds: number;
  private readonly receiveWaitSeconds: number;
  private readonly deadLetter: { queue: SqsQueueModel; maxReceiveCount: number } | null;
  private readonly senderId: string;
  private readonly tag: string;
  private readonly onExpired: ((body: string) => void) | null;
  private readonly onDeadLettered: ((body: string) => void) | null;

  private nextSeq = 0;
  private heapSeq = 0;
  private readonly live = new Map<number, StoredMessage>();
  private readonly fifo = new Deque<StoredMessage>();
  /** DELAYED and INFLIGHT messages by visibleAt; entries go stale and are skipped. */
  private readonly hidden = new MinHeap<StoredMessage>();
  /** Every message by expiry; entries of messages gone are dropped lazily. */
  private readonly retention = new MinHeap<StoredMessage>();
  private goneInRetention = 0;
  private visibleCount = 0;
  private inflightCount = 0;
  private delayedCount = 0;

  private readonly waiters: Waiter[] = [];
  private serveScheduled = false;
  private wake: TimerHandle | null = null;
  private wakeAt = Number.POSITIVE_INFINITY;
  /** Some queue's redrive policy names this one: only then can it run a move task. */
  private isDeadLetterQueue = false;
  private moveTask: MoveTask | null = null;
  private moveTasks = 0;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;

  private readonly count: QueueCounters = {
    requests: 0,
    sent: 0,
    received: 0,
    emptyReceives: 0,
    deleted: 0,
    movedToDlq: 0,
    movedIn: 0,
    movedOut: 0,
    expired: 0,
    purged: 0,
    maxReceiveCountSeen: 0,
  };

  constructor(options: SqsQueueModelOptions) {
    if (!NAME_OR_ENTRY_ID.test(options.name)) {
      throw new ValidationError("QueueName", options.name, "must be 1-80 letters, digits, - or _");
    }
    this.name = options.name;
    this.clock = options.clock;
    this.visibilityMs =
      requireInt("VisibilityTimeout", options.visibilityTimeoutSeconds, 0, MAX_VISIBILITY_SECONDS) * 1000;
    this.retentionMs = requireInt("MessageRetentionPeriod", options.retentionSeconds, 60, 1_209_600) * 1000;
    this.delaySeconds = requireInt("DelaySeconds", options.delaySeconds ?? 0, 0, 900);
    this.receiveWaitSeconds = requireInt(
      "ReceiveMessageWaitTimeSeconds",
      options.receiveWaitSeconds ?? 0,
      0,
      20,
    );
    this.senderId = options.senderId ?? DEFAULT_SENDER_ID;
    this.onExpired = options.onExpired ?? null;
    this.onDeadLettered = options.onDeadLettered ?? null;
    this.tag = hashString(options.name).toString(16).padStart(14, "0").slice(-8);
    this.deadLetter = options.deadLetter ?? null;
    if (this.deadLetter) {
      requireInt("RedrivePolicy.maxReceiveCount", this.deadLetter.maxReceiveCount, 1, 1000);
      this.deadLetter.queue.isDeadLetterQueue = true;
    }
  }

  send(body: string, options: SendOptions = {}): string {
    this.count.requests++;
    this.settle();
    checkBody("MessageBody", body);
    const bytes = messageBytes(body, options.messageAttributes);
    if (bytes > MAX_MESSAGE_BYTES) {
      throw new ValidationError(
        "MessageBody",
        bytes,
        `with its attributes must not exceed ${MAX_MESSAGE_BYTES} bytes`,
      );
    }
    const messageId = this.accept(body, options, "");
    this.announce();
    return messageId;
  }

  /**
   * SendMessageBatch (API reference): a request with no entries, more than 10, an Id that is not
   * 1-80 alphanumerics, hyphens or underscores, two equal Ids, or more than 1 MiB of messages in all
   * is refused whole (BatchRequestError, nothing sent). Otherwise each entry succeeds or fails on
   * its own, and the valid ones are sent even when others fail.
   */
  sendBatch(entries: readonly SendEntry[]): SendBatchResult {
    this.count.requests++;
    this.settle();
    if (entries.length === 0) throw new BatchRequestError("EmptyBatchRequest", "the request has no entries");
    if (entries.length > 10) {
      throw new BatchRequestError("TooManyEntriesInBatchRequest", `${entries.length} entries; at most 10`);
    }
    const ids = new Set<string>();
    let bytes = 0;
    for (const entry of entries) {
      if (!NAME_OR_ENTRY_ID.test(entry.id)) {
        throw new BatchRequestError("InvalidBatchEntryId", `Id ${JSON.stringify(entry.id)}`);
      }
      if (ids.has(entry.id))
        throw new BatchRequestError("BatchEntryIdsNotDistinct", `Id ${entry.id} repeats`);
      ids.add(entry.id);
      bytes += messageBytes(entry.body, entry.messageAttributes);
    }
    if (bytes > MAX_MESSAGE_BYTES) {
      throw new BatchRequestError(
        "BatchRequestTooLong",
        `${bytes} bytes of messages; at most ${MAX_MESSAGE_BYTES}`,
      );
    }
    const result: SendBatchResult = { successful: [], failed: [] };
    entries.forEach((entry, i) => {
      try {
        checkBody(`Entries.${i}.MessageBody`, entry.body);
        result.successful.push({ id: entry.id, messageId: this.accept(entry.body, entry, `Entries.${i}.`) });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        result.failed.push({
          id: entry.id,
          code: "InvalidParameterValue",
          senderFault: true,
          message: error.message,
        });
      }
    });
    this.announce();
    return result;
  }

  /**
   * ReceiveMessage: up to `maxMessages` visible messages; with none visible and `waitSeconds` > 0,
   * waits (in virtual time) until some become visible or the wait ends.
   */
  receive(maxMessages = 1, waitSeconds = this.receiveWaitSeconds): Promise<QueueMessage[]> {
    this.count.requests++;
    requireInt("MaxNumberOfMessages", maxMessages, 1, 10);
    requireInt("WaitTimeSeconds", waitSeconds, 0, 20);
    this.settle();
    const batch = this.take(maxMessages);
    if (batch.length > 0 || waitSeconds === 0) {
      if (batch.length === 0) this.count.emptyReceives++;
      return Promise.resolve(batch);
    }
    return new Promise<QueueMessage[]>((resolve) => {
      const waiter: Waiter = { max: maxMessages, resolve, timer: null, idlePollMs: 0, countedUntil: 0 };
      waiter.timer = this.clock.after(waitSeconds * 1000, () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        this.count.emptyReceives++;
        resolve([]);
      });
      this.waiters.push(waiter);
      this.armWake();
    });
  }

  /**
   * receive(maxMessages, waitSeconds) repeated until it returns messages, in one call: the empty
   * long polls in between are counted (requests and empty receives) as they would have happened,
   * without an event each. An idle month of polling then costs nothing to simulate.
   */
  receiveWhenAvailable(maxMessages: number, waitSeconds: number): Promise<QueueMessage[]> {
    requireInt("WaitTimeSeconds", waitSeconds, 1, 20);
    this.settle();
    const batch = this.take(requireInt("MaxNumberOfMessages", maxMessages, 1, 10));
    this.count.requests++;
    if (batch.length > 0) return Promise.resolve(batch);
    return new Promise<QueueMessage[]>((resolve) => {
      const now = this.clock.now();
      this.waiters.push({
        max: maxMessages,
        resolve,
        timer: null,
        idlePollMs: waitSeconds * 1000,
        countedUntil: now,
      });
      this.armWake();
    });
  }

  /** Counts the empty long polls of idle waiters up to now, so per-minute metrics see them. */
  private countIdlePolls(waiter: Waiter): void {
    if (waiter.idlePollMs === 0) return;
    const polls = Math.floor((this.clock.now() - waiter.countedUntil) / waiter.idlePollMs);
    this.count.requests += polls;
    this.count.emptyReceives += polls;
    waiter.countedUntil += polls * waiter.idlePollMs;
  }

  /** DeleteMessage. Throws ReceiptHandleError for a handle this queue never issued. */
  delete(receiptHandle: string): void {
    this.count.requests++;
    this.deleteOne(receiptHandle);
  }

  /** DeleteMessageBatch (1-10 handles): returns the handles that failed, as the batch API reports. */
  deleteBatch(receiptHandles: readonly string[]): string[] {
    this.count.requests++;
    requireInt("Entries.length", receiptHandles.length, 1, 10);
    const failed: string[] = [];
    for (const handle of receiptHandles) {
      try {
        this.deleteOne(handle);
      } catch (error) {
        if (!(error instanceof ReceiptHandleError)) throw error;
        failed.push(handle);
      }
    }
    return failed;
  }

  /** ChangeMessageVisibility: the message becomes visible `seconds` from now. */
  changeVisibility(receiptHandle: string, seconds: number): void {
    this.count.requests++;
    this.settle();
    requireInt("VisibilityTimeout", seconds, 0, MAX_VISIBILITY_SECONDS);
    const message = this.holder(receiptHandle);
    if (message.state !== INFLIGHT) throw new MessageNotInflightError(receiptHandle);
    const now = this.clock.now();
    const until = now + seconds * 1000;
    if (until > message.lastReceiveAt + MAX_VISIBILITY_SECONDS * 1000) {
      throw new ValidationError(
        "VisibilityTimeout",
        seconds,
        "would keep the message invisible more than 12 hours after its receive",
      );
    }
    message.visibleAt = until;
    this.hidden.push(until, this.heapSeq++, message);
    this.armWake();
  }

  /**
   * PurgeQueue (SQS API reference, PurgeQueue): the messages in the queue when it is called are
   * deleted within 60 s, and until then can still be received; we take the documented bound, so they
   * go 60 s after the call. Messages sent meanwhile stay (AWS: they "might be deleted"). A second
   * purge within 60 s is PurgeQueueInProgress.
   */
  purge(): void {
    this.count.requests++;
    const now = this.clock.now();
    if (now - this.lastPurgeAt < PURGE_MS) throw new PurgeInProgressError(this.name, now - this.lastPurgeAt);
    this.lastPurgeAt = now;
    const before = this.nextSeq;
    this.clock.after(PURGE_MS, () => {
      this.settle();
      for (const message of this.live.values()) {
        if (message.seq >= before) break;
        this.discard(message);
        this.count.purged++;
      }
    });
  }

  /** Bodies of every message still in the queue (visible, in flight or delayed), oldest first. */
  *bodies(): Generator<string> {
    for (const message of this.live.values()) yield message.body;
  }

  attributes(): QueueAttributes {
    this.settle();
    return {
      ApproximateNumberOfMessages: this.visibleCount,
      ApproximateNumberOfMessagesNotVisible: this.inflightCount,
      ApproximateNumberOfMessagesDelayed: this.delayedCount,
    };
  }

  /**
   * ApproximateAgeOfOldestMessage: how long the oldest message has been in this queue, or null when
   * it holds none. A dead letter's age counts from its move, not its send (SQS developer guide,
   * setting-up-dead-letter-queue-retention). Messages enter `live` in order, so the first is oldest.
   */
  ageOfOldestMessageSeconds(): number | null {
    this.settle();
    const oldest = this.live.values().next();
    return oldest.done ? null : Math.floor((this.clock.now() - oldest.value.enteredAt) / 1000);
  }

  counters(): QueueCounters {
    for (const waiter of this.waiters) this.countIdlePolls(waiter);
    this.settle();
    return { ...this.count };
  }

  /**
   * StartMessageMoveTask on this dead-letter queue: moves the messages visible now, at most
   * `maxNumberOfMessagesPerSecond` each virtual second, the first batch at once. The task completes
   * when that many have moved or none is visible; messages in flight stay.
   */
  startMessageMoveTask(options: MoveTaskOptions = {}): MoveTask {
    this.count.requests++;
    if (!this.isDeadLetterQueue) {
      throw new MoveTaskError(`${this.name}: not the dead-letter queue of any source queue`);
    }
    if (this.moveTask?.status().status === "RUNNING") {
      throw new MoveTaskError(`${this.name}: a message move task is already running`);
    }
    const rate = requireInt(
      "MaxNumberOfMessagesPerSecond",
      options.maxNumberOfMessagesPerSecond ?? MAX_MOVE_RATE,
      1,
      MAX_MOVE_RATE,
    );
    this.settle();
    const toMove = this.visibleCount;
    let moved = 0;
    let status: MoveTaskStatus = "RUNNING";
    let failureReason: string | null = null;
    let timer: TimerHandle | null = null;
    // Billed like any client's calls (SQS developer guide, DLQ redrive): per batch of up to ten, a
    // ReceiveMessage and a DeleteMessageBatch here and a SendMessageBatch to the destination.
    const bill = (sentTo: Map<SqsQueueModel, number>) => {
      for (const [destination, n] of sentTo) {
        const batches = Math.ceil(n / MOVE_BATCH);
        this.count.requests += 2 * batches;
        destination.count.requests += batches;
      }
    };
    const tick = () => {
      this.settle();
      const sentTo = new Map<SqsQueueModel, number>();
      for (let n = 0; n < rate && moved < toMove; n++) {
        const message = this.nextVisible();
        if (message === undefined) break;
        const destination = options.destination ?? message.origin;
        if (destination === null) {
          status = "FAILED";
          failureReason = `message ${this.idOf(message)} was not dead-lettered from a source queue; give a destination`;
          bill(sentTo);
          return;
        }
        this.discard(message);
        this.count.movedOut++;
        destination.acceptMovedBack(message);
        sentTo.set(destination, (sentTo.get(destination) ?? 0) + 1);
        moved++;
      }
      bill(sentTo);
      if (moved >= toMove || this.visibleCount === 0) status = "COMPLETED";
      else timer = this.clock.after(1000, tick);
    };
    const task: MoveTask = {
      taskHandle: `${this.tag}-move-${++this.moveTasks}`,
      status: () => ({
        status,
        approximateNumberOfMessagesMoved: moved,
        approximateNumberOfMessagesToMove: toMove,
        failureReason,
      }),
      cancel: () => {
        if (status !== "RUNNING") return;
        status = "CANCELLED";
        timer?.cancel();
      },
    };
    this.moveTask = task;
    tick();
    return task;
  }

  private accept(body: string, options: SendOptions, field: string): string {
    const delay = requireInt(`${field}DelaySeconds`, options.delaySeconds ?? this.delaySeconds, 0, 900);
    const senderId = options.senderId ?? this.senderId;
    const attributes = options.messageAttributes ?? NO_ATTRIBUTES;
    const message = this.store(body, this.clock.now(), senderId, attributes, delay);
    this.count.sent++;
    return this.idOf(message);
  }

  /** The redrive policy of `source` dead-letters `from` here: same message, same history. */
  private acceptDeadLetter(from: StoredMessage, source: SqsQueueModel): void {
    this.settle();
    const message = this.store(from.body, from.sentAt, from.senderId, from.messageAttributes, 0);
    message.carriedId = source.idOf(from);
    message.origin = source;
    message.receiveCount = from.receiveCount;
    message.firstReceiveAt = from.firstReceiveAt;
    message.md5 = from.md5;
    this.count.movedIn++;
    this.announce();
  }

  /** A move task brings `from` back: a new message with the same body and attributes. */
  private acceptMovedBack(from: StoredMessage): void {
    this.settle();
    const message = this.store(from.body, this.clock.now(), from.senderId, from.messageAttributes, 0);
    message.md5 = from.md5;
    this.count.movedIn++;
    this.announce();
  }

  private store(
    body: string,
    sentAt: number,
    senderId: string,
    attributes: SQSMessageAttributes,
    delaySeconds: number,
  ): StoredMessage {
    const seq = this.nextSeq++;
    const message = new StoredMessage(seq, body, sentAt, senderId, attributes);
    message.enteredAt = this.clock.now();
    this.live.set(seq, message);
    this.retention.push(sentAt + this.retentionMs, seq, message);
    if (delaySeconds === 0) this.makeVisible(message);
    else {
      message.visibleAt = this.clock.now() + delaySeconds * 1000;
      this.delayedCount++;
      // No armWake here: every send announces, and the serve that follows re-arms the wake.
      this.hidden.push(message.visibleAt, this.heapSeq++, message);
    }
    return message;
  }

  /** Message IDs are made when asked for: 36-character strings are a fifth of a message's memory. */
  private idOf(message: StoredMessage): string {
    return message.carriedId ?? `${this.tag}-0000-4000-8000-${message.seq.toString(16).padStart(12, "0")}`;
  }

  private makeVisible(message: StoredMessage): void {
    message.state = VISIBLE;
    this.visibleCount++;
    this.fifo.push(message);
  }

  /** Applies what virtual time has done since the last call: visibility changes, then expiry. */
  private settle(): void {
    const now = this.clock.now();
    const hidden = this.hidden;
    while (hidden.peekAt() <= now) {
      const at = hidden.peekAt();
      const message = hidden.pop() as StoredMessage;
      if (message.visibleAt !== at) continue;
      if (message.state === INFLIGHT) this.inflightCount--;
      else if (message.state === DELAYED) this.delayedCount--;
      else continue;
      this.makeVisible(message);
    }
    const retention = this.retention;
    while (retention.peekAt() <= now) {
      const message = retention.pop() as StoredMessage;
      if (message.state === GONE) this.goneInRetention--;
      else {
        this.remove(message);
        this.count.expired++;
        this.onExpired?.(message.body);
      }
    }
  }

  /** Marks a message gone; the heaps and the FIFO that still point at it skip it lazily. */
  private remove(message: StoredMessage): void {
    if (message.state === VISIBLE) this.visibleCount--;
    else if (message.state === INFLIGHT) this.inflightCount--;
    else this.delayedCount--;
    message.state = GONE;
    this.live.delete(message.seq);
  }

  /** Removes a message before its expiry, leaving a dead entry in the retention heap. */
  private discard(message: StoredMessage): void {
    this.remove(message);
    this.goneInRetention++;
    // Deleted messages would otherwise stay referenced until their retention ends (days).
    if (this.goneInRetention > 4096 && this.goneInRetention * 2 > this.retention.size) {
      this.retention.retain((m) => m.state !== GONE);
      this.goneInRetention = 0;
    }
  }

  private nextVisible(): StoredMessage | undefined {
    for (let message = this.fifo.peekFirst(); message !== undefined; message = this.fifo.peekFirst()) {
      if (message.state === VISIBLE) return message;
      this.fifo.shift();
    }
    return undefined;
  }

  /** Delivers up to `max` visible messages, dead-lettering those past maxReceiveCount on the way. */
  private take(max: number): QueueMessage[] {
    const batch: QueueMessage[] = [];
    const now = this.clock.now();
    while (batch.length < max) {
      const message = this.nextVisible();
      if (message === undefined) break;
      this.fifo.shift();
      if (this.deadLetter !== null && message.receiveCount >= this.deadLetter.maxReceiveCount) {
        this.discard(message);
        this.count.movedToDlq++;
        this.deadLetter.queue.acceptDeadLetter(message, this);
        this.onDeadLettered?.(message.body);
        continue;
      }
      this.visibleCount--;
      this.inflightCount++;
      message.state = INFLIGHT;
      message.receiveCount++;
      if (message.firstReceiveAt === 0) message.firstReceiveAt = now;
      message.lastReceiveAt = now;
      message.visibleAt = now + this.visibilityMs;
      this.hidden.push(message.visibleAt, this.heapSeq++, message);
      if (message.receiveCount > this.count.maxReceiveCountSeen) {
        this.count.maxReceiveCountSeen = message.receiveCount;
      }
      batch.push(
        delivered(
          message,
          this.idOf(message),
          `${this.tag}:${message.seq.toString(36)}:${message.receiveCount}`,
        ),
      );
    }
    this.count.received += batch.length;
    return batch;
  }

  private deleteOne(receiptHandle: string): void {
    this.settle();
    const parsed = this.parseHandle(receiptHandle);
    const message = this.live.get(parsed.seq);
    // Deleting a message that is already gone succeeds in SQS.
    if (message === undefined) return;
    if (parsed.receive > message.receiveCount) throw new ReceiptHandleError(receiptHandle, "never issued");
    this.discard(message);
    this.count.deleted++;
  }

  /** The message a receipt handle holds now: it must be the handle of the latest receive. */
  private holder(receiptHandle: string): StoredMessage {
    const parsed = this.parseHandle(receiptHandle);
    const message = this.live.get(parsed.seq);
    if (message === undefined) throw new ReceiptHandleError(receiptHandle, "the message no longer exists");
    if (parsed.receive !== message.receiveCount) {
      throw new ReceiptHandleError(
        receiptHandle,
        parsed.receive < message.receiveCount ? "superseded by a newer receive" : "never issued",
      );
    }
    return message;
  }

  private parseHandle(receiptHandle: string): { seq: number; receive: number } {
    const parts = receiptHandle.split(":");
    const seq = Number.parseInt(parts[1] ?? "", 36);
    const receive = Number(parts[2]);
    if (parts.length !== 3 || parts[0] !== this.tag || !(seq >= 0 && seq < this.nextSeq) || !(receive >= 1)) {
      throw new ReceiptHandleError(receiptHandle, `not issued by queue ${this.name}`);
    }
    return { seq, receive };
  }

  /** Wakes long polls at the next instant: sends of this instant are all in by then. */
  private announce(): void {
    if (this.waiters.length === 0 || this.serveScheduled) return;
    this.serveScheduled = true;
    this.clock.after(0, () => {
      this.serveScheduled = false;
      this.serve();
    });
  }

  private serve(): void {
    this.settle();
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0] as Waiter;
      const batch = this.take(waiter.max);
      if (batch.length === 0) break;
      this.waiters.shift();
      waiter.timer?.cancel();
      this.countIdlePolls(waiter);
      waiter.resolve(batch);
    }
    this.armWake();
  }

  /** While long polls wait, keeps one timer at the next time a hidden message becomes visible. */
  private armWake(): void {
    if (this.waiters.length === 0) {
      this.wake?.cancel();
      this.wake = null;
      this.wakeAt = Number.POSITIVE_INFINITY;
      return;
    }
    const hidden = this.hidden;
    while (hidden.size > 0) {
      const message = hidden.peek() as StoredMessage;
      if ((message.state === INFLIGHT || message.state === DELAYED) && message.visibleAt === hidden.peekAt())
        break;
      hidden.pop();
    }
    // With nothing hidden the target is infinite, never earlier than the wake armed (if any).
    const target = Math.max(hidden.peekAt(), this.clock.now());
    if (target >= this.wakeAt) return;
    this.wake?.cancel();
    this.wakeAt = target;
    this.wake = this.clock.after(target - this.clock.now(), () => {
      this.wake = null;
      this.wakeAt = Number.POSITIVE_INFINITY;
      this.serve();
    });
  }
}

function delivered(message: StoredMessage, messageId: string, receiptHandle: string): QueueMessage {
  // Hashed once per message, not per receive. A lazy getter would be cheaper still, but an object
  // literal with an accessor costs ~10x a plain one to build, and a prototype getter is lost on spread.
  message.md5 ??= hash("md5", message.body);
  return {
    messageId,
    receiptHandle,
    body: message.body,
    md5OfBody: message.md5,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(Math.floor(message.sentAt)),
      SenderId: message.senderId,
      ApproximateFirstReceiveTimestamp: String(Math.floor(message.firstReceiveAt)),
    },
    messageAttributes: message.messageAttributes,
  };
}

function checkBody(field: string, body: string): void {
  if (body.length === 0) {
    throw new ValidationError(field, body, "must be a non-empty string");
  }
}

/**
 * A message's size as SQS limits it: its body in UTF-8 bytes, and every part of each message
 * attribute, its name, type and value (SQS developer guide, sqs-message-metadata: "All components of
 * a message attribute are included in the 1 MiB message size restriction").
 */
function messageBytes(body: string, attributes: SQSMessageAttributes = NO_ATTRIBUTES): number {
  let bytes = Buffer.byteLength(body);
  for (const [name, attribute] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.dataType);
    // A Binary attribute's value arrives base64-encoded; SQS counts the bytes it stands for.
    bytes +=
      attribute.stringValue === undefined
        ? Buffer.byteLength(attribute.binaryValue ?? "", "base64")
        : Buffer.byteLength(attribute.stringValue);
  }
  return bytes;
}

export function createSqsQueueModel(options: SqsQueueModelOptions): SqsQueueModel {
  return new SqsQueueModel(options);
}

/** The template's source queue and its dead-letter queue, wired by the redrive policy. */
export function createVirtualQueuePair(
  config: Pick<PipelineConfig, "queue" | "dlq">,
  clock: VirtualClock,
  options: Pick<SqsQueueModelOptions, "senderId" | "onExpired" | "onDeadLettered"> = {},
): { queue: SqsQueueModel; dlq: SqsQueueModel } {
  const fromConfig = (q: QueueConfig) => ({
    name: q.name,
    clock,
    visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
    retentionSeconds: q.retentionSeconds,
    delaySeconds: q.delaySeconds,
    receiveWaitSeconds: q.receiveWaitSeconds,
    ...options,
  });
  const dlq = createSqsQueueModel(fromConfig(config.dlq));
  const queue = createSqsQueueModel({
    ...fromConfig(config.queue),
    deadLetter: { queue: dlq, maxReceiveCount: config.queue.maxReceiveCount },
  });
  return { queue, dlq };
}

/** The event source mapping's QueuePort over a queue model. */
export function createVirtualQueuePort(
  queue: SqsQueueModel,
  identity: { arn: string; region: string },
): QueuePort {
  return {
    arn: identity.arn,
    region: identity.region,
    receive: (maxMessages, waitSeconds) => queue.receive(maxMessages, waitSeconds),
    receiveWhenAvailable: (maxMessages, waitSeconds) => queue.receiveWhenAvailable(maxMessages, waitSeconds),
    deleteBatch: async (receiptHandles) => queue.deleteBatch(receiptHandles),
  };
}

/** The handler's VisibilityPort over queue models, found by the records' eventSourceARN. */
export function createVirtualVisibilityPort(queuesByArn: ReadonlyMap<string, SqsQueueModel>): VisibilityPort {
  return {
    changeVisibility: async (eventSourceArn, receiptHandle, timeoutSeconds) => {
      const queue = queuesByArn.get(eventSourceArn);
      if (queue === undefined) {
        throw new ValidationError(
          "eventSourceArn",
          eventSourceArn,
          `must be one of ${[...queuesByArn.keys()].join(", ")}`,
        );
      }
      queue.changeVisibility(receiptHandle, timeoutSeconds);
    },
  };
}
