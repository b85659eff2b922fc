import type { Pool, RowDataPacket } from "mysql2/promise";
import type { Clock } from "../../domain/clock";
import { KOREAN_REGIONS, USER_TIERS } from "../../domain/db-schema";
import { type MessageBody, parseMessageBody } from "../../domain/message-body";
import type { BatchSendResult, MessageQueuePort, OutgoingMessage } from "../ports";

export { eventually } from "../../test/support/eventually";

/** A clock whose sleeps return at once and move time on; `sleeps` lists every wait asked for. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { clock, sleeps };
}

export interface RecordingQueueOptions {
  /** How a call answers: entries it fails, or a thrown error. Default: all accepted. */
  answer?: (
    entries: readonly OutgoingMessage[],
    call: number,
  ) => BatchSendResult | Error | Promise<BatchSendResult | Error>;
}

/** An in-memory MessageQueuePort that keeps what it accepted and counts overlapping calls. */
export function recordingQueue(options: RecordingQueueOptions = {}) {
  const accepted: MessageBody[] = [];
  const calls: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const queue: MessageQueuePort = {
    async sendBatch(entries) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      calls.push(entries.map((e) => e.id));
      // Yield to the event loop so calls genuinely overlap, as network calls do.
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      const answer = (await options.answer?.(entries, calls.length)) ?? { failedIds: [] };
      if (answer instanceof Error) throw answer;
      const failed = new Set(answer.failedIds);
      for (const e of entries) if (!failed.has(e.id)) accepted.push(parseMessageBody(e.body));
      return answer;
    },
  };
  return { queue, accepted, calls, maxInFlight: () => maxInFlight };
}

export interface UserRow {
  id: number;
  name: string;
  phone: string;
  marketing_opt_in: 0 | 1;
  tier: (typeof USER_TIERS)[number];
  region: string;
  signup_date: string;
  last_order_at: string | null;
}

/** A user whose every attribute follows from its ID, so tests can compute who a filter matches. */
export function userRow(id: number): UserRow {
  const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10);
  return {
    id,
    name: `user ${id}`,
    phone: `010${String(10_000_000 + id).slice(-8)}`,
    marketing_opt_in: id % 3 === 0 ? 1 : 0,
    tier: USER_TIERS[id % USER_TIERS.length] ?? "basic",
    region: KOREAN_REGIONS[id % KOREAN_REGIONS.length] ?? "seoul",
    signup_date: day(id % 365),
    last_order_at: id % 5 === 0 ? null : `${day((id * 7) % 400)} 12:34:56`,
  };
}

export async function seedUsers(pool: Pool, ids: Iterable<number>): Promise<UserRow[]> {
  const rows = [...ids].map(userRow);
  for (let i = 0; i < rows.length; i += 1000) {
    const page = rows.slice(i, i + 1000);
    await pool.query(
      "INSERT INTO users (id, name, phone, marketing_opt_in, tier, region, signup_date, last_order_at) VALUES ?",
      [page.map((r) => Object.values(r))],
    );
  }
  return rows;
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A campaign's counters as the console reads them. */
export interface LogCounts {
  status: string;
  total: number;
  queued: number;
  failed: number;
}

export async function readCounts(pool: Pool, logId: number): Promise<LogCounts> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT status, total_count, queued_count, enqueue_failed_count FROM messaging_log WHERE id = ?",
    [logId],
  );
  const row = rows[0];
  if (!row) throw new Error(`no messaging_log row ${logId}`);
  return {
    status: String(row.status),
    total: Number(row.total_count),
    queued: Number(row.queued_count),
    failed: Number(row.enqueue_failed_count),
  };
}
