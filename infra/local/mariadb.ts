import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { createConnection } from "mysql2/promise";
import { parseMysqlUrl } from "../../domain/db/mysql";
import { LocalServiceError } from "./errors";

const run = promisify(execFile);

export const MARIADB_DAEMON = "/usr/sbin/mariadbd";

export interface EnsureMariaDbOptions {
  /** Record the daemon's pid here when this call starts it (so `services down` can stop it). */
  pidFile?: string;
  timeoutMs?: number;
}

/**
 * Starts the machine's MariaDB when the URL's server does not answer, and waits until it does.
 * Resolves with whether this call started it. Only the server matters: the URL's database may
 * not exist yet.
 */
export async function ensureMariaDb(url: string, options: EnsureMariaDbOptions = {}): Promise<boolean> {
  if (await mariaDbReachable(url)) return false;
  // A daemon still starting up does not answer yet: wait for it rather than start a second one.
  const started = !(await daemonRunning());
  if (started) await startDaemon(options.pidFile);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (await mariaDbReachable(url)) return started;
    await sleep(250);
  }
  const { host, port } = parseMysqlUrl(url);
  throw new LocalServiceError("mariadb", `${MARIADB_DAEMON} runs but ${host}:${port} does not answer`);
}

async function daemonRunning(): Promise<boolean> {
  try {
    await run("start-stop-daemon", ["--status", "--exec", MARIADB_DAEMON]);
    return true;
  } catch {
    return false;
  }
}

async function startDaemon(pidFile: string | undefined) {
  const pidFileArgs = pidFile ? ["--make-pidfile", "--pidfile", pidFile] : [];
  try {
    await run("start-stop-daemon", [
      "--start",
      "--oknodo",
      "--background",
      ...pidFileArgs,
      "--exec",
      MARIADB_DAEMON,
    ]);
  } catch (error) {
    throw new LocalServiceError("mariadb", `could not start ${MARIADB_DAEMON}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Whether the URL's server accepts a connection (without selecting its database). */
export async function mariaDbReachable(url: string): Promise<boolean> {
  const { database: _, ...server } = parseMysqlUrl(url);
  try {
    const connection = await createConnection({ ...server, connectTimeout: 2_000 });
    await connection.end();
    return true;
  } catch {
    return false;
  }
}
