import type { Pool, RowDataPacket } from "mysql2/promise";
import { type Clock, systemClock } from "../../domain/clock";
import type { LogStatus } from "../../domain/db-schema";
import { ENQUEUE_STALE_MS } from "../enqueue-progress";
import { maskPhone } from "./mask-phone";

export interface CampaignSummary {
  id: number;
  name: string | null;
  requestedBy: string;
  requestedAt: string;
  /** The audience as requested (filter conditions), or null for an explicit list of user IDs. */
  audience: unknown;
  status: LogStatus;
  totalCount: number;
  queuedCount: number;
  enqueueFailedCount: number;
  sentCount: number;
  failedCount: number;
  updatedAt: string;
  completedAt: string | null;
  /** QUEUEING with a stale producer heartbeat: the enqueue died and can be resumed. */
  interrupted: boolean;
}

export interface CampaignDetail extends CampaignSummary {
  content: string;
  templateId: string | null;
  progress: {
    total: number;
    /** Not on the queue yet: the producer is still enqueueing them. */
    notYetQueued: number;
    queued: number;
    enqueueFailed: number;
    sent: number;
    failed: number;
    /**
     * Queued but without a final result: waiting on the queue, in flight in the consumer, or in
     * the DLQ. The database cannot tell these apart; GET /dlq shows which DLQ messages belong here.
     */
    awaitingResult: number;
  };
  failureReasons: FailureReason[];
  /** When failureReasons were counted; they may trail failedCount by up to the refresh interval. */
  failureReasonsAsOf: string | null;
  /** Deliveries that did not complete, by code: why recipients are still waiting, or reached the DLQ. */
  failedAttempts: { total: number; byCode: AttemptReason[] };
}

export interface AttemptReason {
  code: string;
  count: number;
  /** The most recent attempt's detail: the carrier's own error code and message where it gave one. */
  lastDetail: string;
  lastAt: string;
}

export interface FailureReason {
  errorCode: string;
  count: number;
}

export interface FailureRow {
  userId: number;
  phone: string;
  errorCode: string | null;
  errorDetail: string | null;
  attempts: number;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface CampaignQueries {
  list(paging: { page: number; pageSize: number }): Promise<Page<CampaignSummary>>;
  /** One campaign with counters and failure reasons; null if there is none with that ID. */
  get(logId: number): Promise<CampaignDetail | null>;
  /** A page of a campaign's failed recipients; null if there is no campaign with that ID. */
  failures(logId: number, paging: { page: number; pageSize: number }): Promise<Page<FailureRow> | null>;
  /** Every failure of a campaign in user ID order, read in index-ordered batches (for CSV export). */
  streamFailures(logId: number): AsyncIterable<FailureRow>;
}

export interface CampaignQueriesOptions {
  clock?: Clock;
  /**
   * The least time between two recounts of a campaign's failure reasons while its failures grow.
   * Dashboards poll a draining campaign many times a second; its counters are one primary-key
   * read, but the GROUP BY over its failures grows with them, so in between the last count is
   * served (with its time in failureReasonsAsOf). 0 recounts on every read.
   */
  failureReasonsRefreshMs?: number;
  streamBatchSize?: number;
}

const SUMMARY_COLUMNS = `id, name, requested_by, requested_at, audience, status, total_count, queued_count,
  enqueue_failed_count, sent_count, failed_count, updated_at, completed_at, enqueue_heartbeat_at`;
const MAX_CACHED = 500;

interface CountedReasons {
  failedCount: number;
  at: number;
  reasons: FailureReason[];
}

export function createCampaignQueries(pool: Pool, options: CampaignQueriesOptions = {}): CampaignQueries {
  const { clock = systemClock, failureReasonsRefreshMs = 2000, streamBatchSize = 1000 } = options;
  const counted = new Map<number, CountedReasons>();
  const counting = new Map<number, Promise<CountedReasons>>();

  /** One recount at a time per campaign; concurrent readers share it. */
  function recount(logId: number, failedCount: number): Promise<CountedReasons> {
    let pending = counting.get(logId);
    if (!pending) {
      const at = clock.now();
      pending = countReasons(logId)
        .then((reasons) => {
          if (counted.size >= MAX_CACHED) counted.clear();
          const entry = { failedCount, at, reasons };
          counted.set(logId, entry);
          return entry;
        })
        .finally(() => counting.delete(logId));
      counting.set(logId, pending);
    }
    return pending;
  }

  async function countReasons(logId: number): Promise<FailureReason[]> {
    // Served by the (log_id, status) index: only this campaign's FAILED rows are read.
    const [rows] = await pool.execute<RowDataPacket[]>(
      `SELECT COALESCE(error_code, 'UNKNOWN') AS error_code, COUNT(*) AS n FROM messaging_result
       WHERE log_id = ? AND status = 'FAILED' GROUP BY error_code ORDER BY n DESC, error_code`,
      [logId],
    );
    return rows.map((r) => ({ errorCode: String(r.error_code), count: Number(r.n) }));
  }

  async function reasonsFor(logId: number, failedCount: number): Promise<CountedReasons | null> {
    if (failedCount === 0) return null;
    const last = counted.get(logId);
    if (last?.failedCount === failedCount) return last;
    if (!last || failureReasonsRefreshMs <= 0) return recount(logId, failedCount);
    if (clock.now() - last.at >= failureReasonsRefreshMs) {
      recount(logId, failedCount).catch(() => undefined);
    }
    return last;
  }

  async function countAttempts(logId: number): Promise<CampaignDetail["failedAttempts"]> {
    const [rows] = await pool.execute<RowDataPacket[]>(
      `SELECT a.code, a.n, a.last_at, d.detail FROM (
         SELECT code, COUNT(*) AS n, MAX(at) AS last_at, MAX(id) AS last_id
         FROM delivery_attempt WHERE log_id = ? GROUP BY code
       ) a JOIN delivery_attempt d ON d.id = a.last_id ORDER BY a.n DESC, a.code`,
      [logId],
    );
    const byCode = rows.map((r) => ({
      code: String(r.code),
      count: Number(r.n),
      lastDetail: String(r.detail),
      lastAt: iso(r.last_at),
    }));
    return { total: byCode.reduce((sum, r) => sum + r.count, 0), byCode };
  }

  async function loadDetail(logId: number): Promise<CampaignDetail | null> {
    const [rows] = await pool.execute<RowDataPacket[]>(
      `SELECT ${SUMMARY_COLUMNS}, content, template_id FROM messaging_log WHERE id = ?`,
      [logId],
    );
    const row = rows[0];
    if (!row) return null;
    const summary = toSummary(row, clock.now());
    const [reasons, failedAttempts] = await Promise.all([
      reasonsFor(logId, summary.failedCount),
      countAttempts(logId),
    ]);
    const finished = summary.sentCount + summary.failedCount;
    return {
      ...summary,
      content: row.content,
      templateId: row.template_id ?? null,
      progress: {
        total: summary.totalCount,
        notYetQueued: Math.max(0, summary.totalCount - summary.queuedCount - summary.enqueueFailedCount),
        queued: summary.queuedCount,
        enqueueFailed: summary.enqueueFailedCount,
        sent: summary.sentCount,
        failed: summary.failedCount,
        awaitingResult: Math.max(0, summary.queuedCount - finished),
      },
      failureReasons: reasons?.reasons ?? [],
      failureReasonsAsOf: reasons ? iso(new Date(reasons.at)) : null,
      failedAttempts,
    };
  }

  async function failureBatch(logId: number, limit: number, offset: number, afterUserId = 0) {
    const [rows] = await pool.execute<RowDataPacket[]>(
      `SELECT user_id, phone, error_code, error_detail, attempts, updated_at FROM messaging_result
       WHERE log_id = ? AND status = 'FAILED' AND user_id > ? ORDER BY user_id LIMIT ? OFFSET ?`,
      [logId, afterUserId, String(limit), String(offset)],
    );
    return rows.map(
      (r): FailureRow => ({
        userId: Number(r.user_id),
        phone: maskPhone(String(r.phone)),
        errorCode: r.error_code ?? null,
        errorDetail: r.error_detail ?? null,
        attempts: Number(r.attempts),
        updatedAt: iso(r.updated_at),
      }),
    );
  }

  return {
    async list({ page, pageSize }) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        `SELECT ${SUMMARY_COLUMNS} FROM messaging_log ORDER BY id DESC LIMIT ? OFFSET ?`,
        [String(pageSize), String((page - 1) * pageSize)],
      );
      const [count] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM messaging_log");
      const now = clock.now();
      const items = rows.map((row) => toSummary(row, now));
      return { items, page, pageSize, total: Number(count[0]?.n ?? 0) };
    },

    get: loadDetail,

    async failures(logId, { page, pageSize }) {
      const [rows] = await pool.execute<RowDataPacket[]>(
        "SELECT failed_count FROM messaging_log WHERE id = ?",
        [logId],
      );
      if (!rows[0]) return null;
      const items = await failureBatch(logId, pageSize, (page - 1) * pageSize);
      return { items, page, pageSize, total: Number(rows[0].failed_count) };
    },

    async *streamFailures(logId) {
      let after = 0;
      for (;;) {
        const batch = await failureBatch(logId, streamBatchSize, 0, after);
        yield* batch;
        const last = batch.at(-1);
        if (!last || batch.length < streamBatchSize) return;
        after = last.userId;
      }
    },
  };
}

function toSummary(row: RowDataPacket, now: number): CampaignSummary {
  const heartbeat = row.enqueue_heartbeat_at ? new Date(row.enqueue_heartbeat_at).getTime() : 0;
  return {
    id: Number(row.id),
    name: row.name ?? null,
    requestedBy: String(row.requested_by),
    requestedAt: iso(row.requested_at),
    audience: typeof row.audience === "string" ? JSON.parse(row.audience) : (row.audience ?? null),
    status: row.status as LogStatus,
    totalCount: Number(row.total_count),
    queuedCount: Number(row.queued_count),
    enqueueFailedCount: Number(row.enqueue_failed_count),
    sentCount: Number(row.sent_count),
    failedCount: Number(row.failed_count),
    updatedAt: iso(row.updated_at),
    completedAt: row.completed_at ? iso(row.completed_at) : null,
    interrupted: row.status === "QUEUEING" && now - heartbeat > ENQUEUE_STALE_MS,
  };
}

function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}
