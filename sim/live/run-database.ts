import type { Pool } from "mysql2/promise";
import { migrate } from "../../domain/db/migrate";
import { createMysqlPool, dropDatabase, ensureDatabase } from "../../domain/db/mysql";
import { seedUsers } from "../seed/seed-users";
import { LiveEngineError } from "./errors";

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
  /**
   * Use MYSQL_URL's database itself rather than one named after the run: the one a function
   * invoked through --lambda-endpoint writes to. It must hold no users and no campaigns; the run
   * empties it again afterwards (unless kept), so it is left as it was found.
   */
  given?: boolean;
}

/** Every run database's name starts so (`smsim services prune` finds leftovers by it). */
export const RUN_DATABASE_PREFIX = "smsim_live_";

/** A fresh database for one run: created, migrated and seeded with the scenario's users. */
export async function createRunDatabase(options: RunDatabaseOptions): Promise<RunDatabase> {
  const url = new URL(options.mysqlUrl);
  if (!options.given) url.pathname = `/${RUN_DATABASE_PREFIX}${options.runId.replace(/\W/g, "_")}`;
  const runUrl = url.toString();
  await ensureDatabase(runUrl);
  const pool = createMysqlPool(runUrl, { connectionLimit: options.connections });
  const given = options.given === true;
  try {
    await migrate(pool);
    if (given) await checkEmpty(pool, runUrl);
    await seedUsers(pool, {
      count: options.users.count,
      invalidRate: options.users.invalidRate,
      seed: options.seed,
    });
  } catch (error) {
    await pool.end();
    if (!given) await dropDatabase(runUrl);
    throw error;
  }
  return {
    url: runUrl,
    pool,
    async dispose(keep) {
      if (given && !keep) await emptyTables(pool);
      await pool.end();
      if (!given && !keep) await dropDatabase(runUrl);
    },
  };
}

async function checkEmpty(pool: Pool, url: string) {
  const [rows] = await pool.query(
    "SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM messaging_log) AS campaigns",
  );
  const { users, campaigns } = (rows as { users: number; campaigns: number }[])[0] ?? {
    users: 0,
    campaigns: 0,
  };
  if (Number(users) + Number(campaigns) === 0) return;
  const { pathname } = new URL(url);
  throw new LiveEngineError(
    `MYSQL_URL's database ${pathname.slice(1)} holds ${users} users and ${campaigns} campaigns; a run through ` +
      "--lambda-endpoint fills the function's database with its own users and counts every result in it, " +
      "so it needs an empty one: point MYSQL_URL at a new database name, for the function and the run alike",
  );
}

/** Every table but the migrations', emptied: the state a given database was found in. */
async function emptyTables(pool: Pool) {
  const [rows] = await pool.query(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name <> 'schema_migrations'",
  );
  const connection = await pool.getConnection();
  try {
    await connection.query("SET SESSION foreign_key_checks = 0");
    for (const { name } of rows as { name: string }[]) await connection.query(`TRUNCATE TABLE \`${name}\``);
    await connection.query("SET SESSION foreign_key_checks = 1");
  } finally {
    connection.release();
  }
}

/** One campaign log as the admin API wrote it. */
export interface LogRow {
  logId: number;
  requestedAtMs: number;
  /** Recipients whose messages SQS accepted (final once enqueueing has ended). */
  queuedCount: number;
}

/** One recipient's final result. */
export interface ResultRow {
  logId: number;
  userId: number;
  status: "SENT" | "FAILED";
  atMs: number;
}

export async function readLogs(pool: Pool): Promise<LogRow[]> {
  const [rows] = await pool.query("SELECT id, requested_at, queued_count FROM messaging_log");
  return (rows as { id: number; requested_at: Date; queued_count: number }[]).map((r) => ({
    logId: Number(r.id),
    requestedAtMs: r.requested_at.getTime(),
    queuedCount: Number(r.queued_count),
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
