import type { Pool } from "mysql2/promise";
import { migrate } from "../../domain/db/migrate";
import { createMysqlPool, dropDatabase, ensureDatabase } from "../../domain/db/mysql";
import { seedUsers } from "../seed/seed-users";

export interface RunDatabase {
  url: string;
  pool: Pool;
  /** Closes the pool; drops the database unless `keep`. */
  dispose(keep: boolean): Promise<void>;
}

export interface RunDatabaseOptions {
  /** MYSQL_URL: the run's database goes on its server, named after the run. */
  mysqlUrl: string;
  runId: string;
  users: { count: number; invalidRate: number };
  seed: number;
  /** Connections for the producer and every invocation in flight. */
  connections: number;
}

/** A fresh database for one run: created, migrated and seeded with the scenario's users. */
export async function createRunDatabase(options: RunDatabaseOptions): Promise<RunDatabase> {
  const url = new URL(options.mysqlUrl);
  url.pathname = `/smsim_live_${options.runId.replace(/\W/g, "_")}`;
  const runUrl = url.toString();
  await ensureDatabase(runUrl);
  const pool = createMysqlPool(runUrl, { connectionLimit: options.connections });
  try {
    await migrate(pool);
    await seedUsers(pool, {
      count: options.users.count,
      invalidRate: options.users.invalidRate,
      seed: options.seed,
    });
  } catch (error) {
    await pool.end();
    await dropDatabase(runUrl);
    throw error;
  }
  return {
    url: runUrl,
    pool,
    async dispose(keep) {
      await pool.end();
      if (!keep) await dropDatabase(runUrl);
    },
  };
}

/** One campaign log as the admin API wrote it. */
export interface LogRow {
  logId: number;
  requestedAtMs: number;
}

/** One recipient's final result. */
export interface ResultRow {
  logId: number;
  userId: number;
  status: "SENT" | "FAILED";
  atMs: number;
}

export async function readLogs(pool: Pool): Promise<LogRow[]> {
  const [rows] = await pool.query("SELECT id, requested_at FROM messaging_log");
  return (rows as { id: number; requested_at: Date }[]).map((r) => ({
    logId: Number(r.id),
    requestedAtMs: r.requested_at.getTime(),
  }));
}

export async function readResults(pool: Pool): Promise<ResultRow[]> {
  const [rows] = await pool.query("SELECT log_id, user_id, status, updated_at FROM messaging_result");
  type Row = { log_id: number; user_id: number; status: "SENT" | "FAILED"; updated_at: Date };
  return (rows as Row[]).map((r) => ({
    logId: Number(r.log_id),
    userId: Number(r.user_id),
    status: r.status,
    atMs: r.updated_at.getTime(),
  }));
}

/** Recipients with a final result so far (for progress), from the campaigns' counters. */
export async function countResults(pool: Pool): Promise<number> {
  const [rows] = await pool.query(
    "SELECT COALESCE(SUM(sent_count + failed_count), 0) AS n FROM messaging_log",
  );
  return Number((rows as { n: number | string }[])[0]?.n ?? 0);
}
