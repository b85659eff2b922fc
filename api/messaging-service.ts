import type { Pool, ResultSetHeader } from "mysql2/promise";
import { z } from "zod";
import { type Clock, systemClock } from "../domain/clock";
import { ValidationError } from "../domain/errors";
import type { Logger } from "../domain/logger";
import { encodeMessageBody, MAX_CONTENT_LENGTH, RECIPIENTS_PER_MESSAGE } from "../domain/message-body";
import { parseWith } from "../domain/validation";
import { type AudienceSource, parseAudience } from "./audience/compile-audience";
import { countAudience, DEFAULT_PAGE_SIZE, pagesOf, streamAudienceIds } from "./audience/stream-audience";
import { createBatchSender } from "./batch-sender";
import { createEnqueueProgress } from "./enqueue-progress";
import { EmptyAudienceError, EnqueueAbortedError } from "./errors";
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

export interface MessagingService {
  /** Validates `input` (it may come straight from a request body) and enqueues the campaign. */
  sendBulkMessage(input: SendBulkMessageInput): Promise<SendBulkMessageResult>;
  /**
   * The same in two steps, for callers that answer before a large audience is enqueued: resolves
   * once the campaign's log row exists, with enqueueing going on in `done`.
   */
  startBulkMessage(input: SendBulkMessageInput): Promise<StartedCampaign>;
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
  /** Recipients answered for by SQS between two writes of the log's progress counts (default 5,000). */
  progressEvery?: number;
  /** Sends per entry before it counts as failed (default 5). */
  maxAttempts?: number;
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
  const progressEvery = positiveInt("progressEvery", options.progressEvery ?? DEFAULT_PAGE_SIZE);
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
    return { logId, totalCount, done: enqueue(logId, input, resume(first.value, pages)) };
  }

  async function enqueue(
    logId: number,
    input: ValidInput,
    pages: AsyncIterable<number[]>,
  ): Promise<SendBulkMessageResult> {
    const sender = createBatchSender({ ...senderSettings, logId });
    const progress = createEnqueueProgress({ pool, clock, logger, logId, every: progressEvery });
    let chunkId = 0;
    try {
      for await (const userIds of chunksOf(pages, RECIPIENTS_PER_MESSAGE)) {
        const body = {
          v: 1 as const,
          logId,
          chunkId,
          userIds,
          content: input.content,
          templateId: input.templateId,
        };
        await sender.add({ id: String(chunkId), body: encodeMessageBody(body), recipients: userIds.length });
        progress.offer(sender.totals());
        chunkId++;
      }
    } catch (error) {
      const totals = await sender.finish();
      await progress.settled();
      await finishLog(logId, totals.queued, totals.failed, true);
      throw new EnqueueAbortedError(logId, totals.queued, error);
    }
    const { queued, failed } = await sender.finish();
    await progress.settled();
    const status = await finishLog(logId, queued, failed, false);
    logger?.info("campaign enqueued", { logId, queued, failed, messages: chunkId, status });
    return { logId, queuedCount: queued, failedCount: failed, status };
  }

  return {
    startBulkMessage,
    async sendBulkMessage(input) {
      const { done } = await startBulkMessage(input);
      return done;
    },
  };

  async function insertLog(input: ValidInput, requestedAt: Date, totalCount: number): Promise<number> {
    const [result] = await pool.execute<ResultSetHeader>(
      `INSERT INTO messaging_log
         (name, requested_by, requested_at, audience, content, template_id, total_count, status, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'QUEUEING', ?)`,
      [
        input.name ?? null,
        input.requestedBy,
        requestedAt,
        JSON.stringify(audienceRecord(input.recipients)),
        input.content,
        input.templateId ?? null,
        totalCount,
        requestedAt,
      ],
    );
    return result.insertId;
  }

  /**
   * Writes the final counts, the total becoming what was streamed (users may have joined or left
   * the audience since it was counted). The consumer records results while the campaign is
   * QUEUEING but leaves its status alone, so the status is settled here, in the same statement,
   * from the consumer's counters against the final total.
   */
  async function finishLog(
    logId: number,
    queued: number,
    failed: number,
    aborted: boolean,
  ): Promise<SendBulkMessageResult["status"]> {
    const status = failed > 0 || aborted ? "ENQUEUE_FAILED" : "QUEUED";
    const total = queued + failed;
    const now = new Date(clock.now());
    await pool.execute(
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
       WHERE id = ?`,
      [total, queued, failed, now, status, total, now, status, total, logId],
    );
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

async function* resume<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
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
