import type { Pool, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { z } from "zod";
import { type Clock, systemClock } from "../domain/clock";
import { ValidationError } from "../domain/errors";
import { encodeMessageBody, MAX_CONTENT_LENGTH, RECIPIENTS_PER_MESSAGE } from "../domain/message-body";
import { parseWith } from "../domain/validation";
import type { Logger } from "../handler/logger";
import { type AudienceSource, parseAudience } from "./audience/compile-audience";
import { countAudience, DEFAULT_PAGE_SIZE, pagesOf, streamAudienceIds } from "./audience/stream-audience";
import { type BatchSenderTotals, createBatchSender } from "./batch-sender";
import { createEnqueueProgress, ENQUEUE_STALE_MS, type EnqueueCheckpoint } from "./enqueue-progress";
import {
  CampaignNotFoundError,
  EmptyAudienceError,
  EnqueueAbortedError,
  EnqueueTakenOverError,
  ResumeRefusedError,
} from "./errors";
import type { MessageQueuePort } from "./ports";

export interface SendBulkMessageInput {
  /** Who asked (admin name, "cli:<user>"); kept in the campaign log. */
  requestedBy: string;
  name?: string;
  content: string;
  templateId?: string;
  /** Exactly one of audience and userIds. */
  audience?: AudienceSource;
  userIds?: number[];
}

export interface SendBulkMessageResult {
  logId: number;
  /** Recipients whose messages are on the queue. */
  queuedCount: number;
  /** Recipients whose messages could not be enqueued; the log's enqueue_failed_count. */
  failedCount: number;
  status: "QUEUED" | "ENQUEUE_FAILED";
}

export interface StartedCampaign {
  logId: number;
  /**
   * Recipients the audience matched when the campaign started (the log's total_count until
   * enqueueing ends, when it becomes what was actually streamed: queued + failed).
   */
  totalCount: number;
  /** Settles when every chunk was sent or counted failed; rejects with EnqueueAbortedError. */
  done: Promise<SendBulkMessageResult>;
}

export interface ResumedCampaign extends StartedCampaign {
  /** The first chunk id this resume sends; chunks below it were on the queue already. */
  fromChunk: number;
  /** Users up to this id were on the queue already. */
  afterUserId: number;
}

export interface MessagingService {
  /** Validates `input` (it may come straight from a request body) and enqueues the campaign. */
  sendBulkMessage(input: SendBulkMessageInput): Promise<SendBulkMessageResult>;
  /**
   * The same in two steps, for callers that answer before a large audience is enqueued: resolves
   * once the campaign's log row exists, with enqueueing going on in `done`.
   */
  startBulkMessage(input: SendBulkMessageInput): Promise<StartedCampaign>;
  /**
   * Continues an interrupted campaign (QUEUEING, its producer's heartbeat stale) from its
   * checkpoint: resolves once this producer has claimed it, with enqueueing going on in `done`.
   * Refuses (ResumeRefusedError) a campaign that is finished, still alive or has no audience to
   * re-read; CampaignNotFoundError when there is none.
   */
  resumeBulkMessage(logId: number): Promise<ResumedCampaign>;
}

export interface MessagingServiceOptions {
  pool: Pool;
  queue: MessageQueuePort;
  clock?: Clock;
  logger?: Logger;
  /** SendMessageBatch calls in flight at once (default 12). */
  concurrency?: number;
  /** User IDs read from MySQL per query (default 5,000). */
  pageSize?: number;
  /**
   * Recipients answered for by SQS between two writes of the log's progress counts and resume
   * checkpoint (default 1,000): what a resume may send again after a crash, on top of the calls in flight.
   */
  progressEvery?: number;
  /** Sends per entry before it counts as failed (default 5). */
  maxAttempts?: number;
  /** A QUEUEING campaign whose heartbeat is older than this counts as interrupted (default 10 s). */
  staleAfterMs?: number;
  /** Backoff before the first resend, doubling after (default 100 ms). */
  retryBaseDelayMs?: number;
  maxBatchBytes?: number;
}

const TEMPLATE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

const inputSchema = z
  .object({
    requestedBy: z.string().trim().min(1).max(128),
    name: z.string().trim().min(1).max(200).optional(),
    content: z
      .string()
      .max(MAX_CONTENT_LENGTH)
      .refine((s) => s.trim().length > 0, "must not be blank"),
    templateId: z.string().regex(TEMPLATE_ID, "expected 1-64 of A-Z a-z 0-9 _ . -").optional(),
    audience: z.unknown().optional(),
    userIds: z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).optional(),
  })
  .strict();

type Recipients = { kind: "userIds"; userIds: number[] } | { kind: "audience"; audience: AudienceSource };
type ValidInput = Omit<z.output<typeof inputSchema>, "audience" | "userIds"> & { recipients: Recipients };

export function createMessagingService(options: MessagingServiceOptions): MessagingService {
  const { pool, queue, logger } = options;
  const clock = options.clock ?? systemClock;
  const pageSize = positiveInt("pageSize", options.pageSize ?? DEFAULT_PAGE_SIZE);
  const progressEvery = positiveInt("progressEvery", options.progressEvery ?? 1_000);
  const staleAfterMs = positiveInt("staleAfterMs", options.staleAfterMs ?? ENQUEUE_STALE_MS);
  const senderSettings = {
    queue,
    clock,
    logger,
    concurrency: positiveInt("concurrency", options.concurrency ?? 12),
    maxAttempts: positiveInt("maxAttempts", options.maxAttempts ?? 5),
    retryBaseDelayMs: options.retryBaseDelayMs ?? 100,
    maxBatchBytes: options.maxBatchBytes,
  };

  async function startBulkMessage(raw: SendBulkMessageInput): Promise<StartedCampaign> {
    const input = validate(raw);
    const requestedAt = new Date(clock.now());
    const { recipients } = input;
    const pages =
      recipients.kind === "userIds"
        ? pagesOf(recipients.userIds, pageSize)
        : streamAudienceIds(pool, recipients.audience, pageSize);
    // Read the first page before writing the log row: an audience matching nobody leaves no row.
    const [first, totalCount] = await Promise.all([
      pages.next(),
      recipients.kind === "userIds" ? recipients.userIds.length : countAudience(pool, recipients.audience),
    ]);
    if (first.done) throw new EmptyAudienceError(JSON.stringify(audienceRecord(recipients)));
    const logId = await insertLog(input, requestedAt, totalCount);
    const start = { heartbeatAt: requestedAt, checkpoint: { chunks: 0, throughUser: 0 }, base: NO_TOTALS };
    return { logId, totalCount, done: enqueue(logId, input, prepend(first.value, pages), start) };
  }

  async function resumeBulkMessage(logId: number): Promise<ResumedCampaign> {
    const [rows] = await pool.execute<RowDataPacket[]>(
      `SELECT status, audience, content, template_id, requested_by, name, total_count,
         enqueue_failed_count, enqueued_chunks, enqueued_through_user, enqueue_heartbeat_at
       FROM messaging_log WHERE id = ?`,
      [logId],
    );
    const row = rows[0];
    if (!row) throw new CampaignNotFoundError(logId);
    const audience = typeof row.audience === "string" ? JSON.parse(row.audience) : row.audience;
    if (row.status !== "QUEUEING") {
      throw new ResumeRefusedError(
        logId,
        `its status is ${row.status}: only an interrupted QUEUEING campaign resumes`,
      );
    }
    if (audience?.kind === "userIds") {
      throw new ResumeRefusedError(logId, "it was sent to an explicit list of user IDs, which is not kept");
    }
    const now = new Date(clock.now());
    // The claim is the fence: the old producer's next write finds a heartbeat it did not write and stops.
    const [claim] = await pool.execute<ResultSetHeader>(
      `UPDATE messaging_log SET enqueue_heartbeat_at = ?, updated_at = ?
       WHERE id = ? AND status = 'QUEUEING' AND (enqueue_heartbeat_at IS NULL OR enqueue_heartbeat_at < ?)`,
      [now, now, logId, new Date(now.getTime() - staleAfterMs)],
    );
    if (claim.affectedRows !== 1) {
      const beat = row.enqueue_heartbeat_at ? new Date(row.enqueue_heartbeat_at).toISOString() : "none";
      throw new ResumeRefusedError(logId, `its producer is still enqueueing (last heartbeat ${beat})`);
    }
    const checkpoint = {
      chunks: Number(row.enqueued_chunks),
      throughUser: Number(row.enqueued_through_user),
    };
    const source = parseAudience(audience);
    // The audience up to the checkpoint's user, as the resume re-reads it, is what was answered for.
    const answered = await countAudience(pool, source, checkpoint.throughUser);
    const failed = Math.min(Number(row.enqueue_failed_count), answered);
    const input: ValidInput = {
      requestedBy: String(row.requested_by),
      name: row.name ?? undefined,
      content: String(row.content),
      templateId: row.template_id ?? undefined,
      recipients: { kind: "audience", audience: source },
    };
    const pages = streamAudienceIds(pool, source, pageSize, checkpoint.throughUser);
    const start = { heartbeatAt: now, checkpoint, base: { queued: answered - failed, failed } };
    logger?.info("campaign resumed", {
      logId,
      fromChunk: checkpoint.chunks,
      afterUserId: checkpoint.throughUser,
    });
    return {
      logId,
      totalCount: Number(row.total_count),
      fromChunk: checkpoint.chunks,
      afterUserId: checkpoint.throughUser,
      done: enqueue(logId, input, pages, start),
    };
  }

  async function enqueue(
    logId: number,
    input: ValidInput,
    pages: AsyncIterable<number[]>,
    start: EnqueueStart,
  ): Promise<SendBulkMessageResult> {
    const checkpoints = createCheckpointTracker(start.checkpoint);
    const sender = createBatchSender({
      ...senderSettings,
      logId,
      onAnswered: (message) => checkpoints.answered(Number(message.id)),
    });
    const totals = () => plus(start.base, sender.totals());
    const progress = createEnqueueProgress({
      pool,
      clock,
      logger,
      logId,
      every: progressEvery,
      heartbeatAt: start.heartbeatAt,
    });
    let chunkId = start.checkpoint.chunks;
    try {
      for await (const userIds of chunksOf(pages, RECIPIENTS_PER_MESSAGE)) {
        if (!progress.owned()) throw new EnqueueTakenOverError(logId);
        const body = {
          v: 1 as const,
          logId,
          chunkId,
          userIds,
          content: input.content,
          templateId: input.templateId,
        };
        checkpoints.sent(chunkId, userIds.at(-1) as number);
        await sender.add({ id: String(chunkId), body: encodeMessageBody(body), recipients: userIds.length });
        progress.offer(totals(), checkpoints.current());
        chunkId++;
      }
    } catch (error) {
      await sender.finish();
      await progress.settled();
      if (error instanceof EnqueueTakenOverError) throw error;
      const { queued, failed } = totals();
      await finishLog(logId, queued, failed, true, progress.heartbeatAt());
      throw new EnqueueAbortedError(logId, queued, error);
    }
    await sender.finish();
    await progress.settled();
    const { queued, failed } = totals();
    const status = await finishLog(logId, queued, failed, false, progress.heartbeatAt());
    logger?.info("campaign enqueued", { logId, queued, failed, messages: chunkId, status });
    return { logId, queuedCount: queued, failedCount: failed, status };
  }

  return {
    startBulkMessage,
    resumeBulkMessage,
    async sendBulkMessage(input) {
      const { done } = await startBulkMessage(input);
      return done;
    },
  };

  async function insertLog(input: ValidInput, requestedAt: Date, totalCount: number): Promise<number> {
    const [result] = await pool.execute<ResultSetHeader>(
      `INSERT INTO messaging_log
         (name, requested_by, requested_at, audience, content, template_id, total_count, status, updated_at,
          enqueue_heartbeat_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'QUEUEING', ?, ?)`,
      [
        input.name ?? null,
        input.requestedBy,
        requestedAt,
        JSON.stringify(audienceRecord(input.recipients)),
        input.content,
        input.templateId ?? null,
        totalCount,
        requestedAt,
        requestedAt,
      ],
    );
    return result.insertId;
  }

  /**
   * Writes the final counts, the total becoming what was streamed (users may have joined or left
   * the audience since it was counted). The consumer records results while the campaign is
   * QUEUEING but leaves its status alone, so the status is settled here, in the same statement,
   * from the consumer's counters against the final total. Fenced on this producer's last
   * heartbeat: a resume that claimed the campaign settles it instead.
   */
  async function finishLog(
    logId: number,
    queued: number,
    failed: number,
    aborted: boolean,
    heartbeatAt: Date,
  ): Promise<SendBulkMessageResult["status"]> {
    const status = failed > 0 || aborted ? "ENQUEUE_FAILED" : "QUEUED";
    const total = queued + failed;
    const now = new Date(clock.now());
    const [result] = await pool.execute<ResultSetHeader>(
      `UPDATE messaging_log SET
         total_count = ?, queued_count = ?, enqueue_failed_count = ?, updated_at = ?,
         completed_at = IF(? = 'QUEUED' AND sent_count + failed_count >= ?, COALESCE(completed_at, ?), NULL),
         status = CASE
           WHEN ? = 'ENQUEUE_FAILED' THEN 'ENQUEUE_FAILED'
           WHEN sent_count + failed_count = 0 THEN 'QUEUED'
           WHEN sent_count + failed_count < ? THEN 'SENDING'
           WHEN failed_count = 0 THEN 'COMPLETED'
           WHEN sent_count = 0 THEN 'FAILED'
           ELSE 'PARTIAL'
         END
       WHERE id = ? AND enqueue_heartbeat_at <=> ?`,
      [total, queued, failed, now, status, total, now, status, total, logId, heartbeatAt],
    );
    if (result.affectedRows !== 1) throw new EnqueueTakenOverError(logId);
    return status;
  }
}

function validate(raw: unknown): ValidInput {
  if (raw === null || typeof raw !== "object") throw new ValidationError("input", raw, "expected an object");
  const { audience, userIds, ...rest } = parseWith(inputSchema, raw, "");
  if ((audience === undefined) === (userIds === undefined)) {
    throw new ValidationError("audience", audience, "give exactly one of audience and userIds");
  }
  if (userIds === undefined)
    return { ...rest, recipients: { kind: "audience", audience: parseAudience(audience) } };
  const seen = new Set<number>();
  for (const [i, id] of userIds.entries()) {
    if (seen.has(id)) throw new ValidationError(`userIds.${i}`, id, "duplicate user ID");
    seen.add(id);
  }
  return { ...rest, recipients: { kind: "userIds", userIds } };
}

interface EnqueueStart {
  heartbeatAt: Date;
  checkpoint: EnqueueCheckpoint;
  /** What chunks below the checkpoint counted (a resume continues the counts). */
  base: BatchSenderTotals;
}

const NO_TOTALS: BatchSenderTotals = { queued: 0, failed: 0 };

function plus(a: BatchSenderTotals, b: BatchSenderTotals): BatchSenderTotals {
  return { queued: a.queued + b.queued, failed: a.failed + b.failed };
}

/**
 * The contiguous prefix of chunks SQS has answered for. Batches are answered out of order, so a
 * chunk answered early waits here until every chunk before it is answered too.
 */
function createCheckpointTracker(start: EnqueueCheckpoint) {
  const current = { ...start };
  const lastUser = new Map<number, number>();
  const answered = new Set<number>();
  return {
    sent(chunkId: number, lastUserId: number) {
      lastUser.set(chunkId, lastUserId);
    },
    answered(chunkId: number) {
      answered.add(chunkId);
      while (answered.delete(current.chunks)) {
        current.throughUser = lastUser.get(current.chunks) ?? current.throughUser;
        lastUser.delete(current.chunks);
        current.chunks++;
      }
    },
    current: (): EnqueueCheckpoint => ({ ...current }),
  };
}

async function* prepend<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield first;
  yield* rest;
}

/** Regroups pages of IDs into chunks of `size`, carrying a page's remainder into the next. */
async function* chunksOf(pages: AsyncIterable<number[]>, size: number): AsyncGenerator<number[]> {
  let carry: number[] = [];
  for await (const page of pages) {
    let i = 0;
    if (carry.length > 0) {
      i = size - carry.length;
      carry.push(...page.slice(0, i));
      if (carry.length < size) continue;
      yield carry;
    }
    for (; i + size <= page.length; i += size) yield page.slice(i, i + size);
    carry = page.slice(i);
  }
  if (carry.length > 0) yield carry;
}

/** The audience as the campaign log keeps it: an explicit list only by its size. */
function audienceRecord(recipients: Recipients): AudienceSource | { kind: "userIds"; count: number } {
  return recipients.kind === "userIds"
    ? { kind: "userIds", count: recipients.userIds.length }
    : recipients.audience;
}

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new ValidationError(field, value, "expected a positive integer");
  return value;
}
