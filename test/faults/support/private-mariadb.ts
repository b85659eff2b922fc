import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { MARIADB_DAEMON, mariaDbReachable } from "../../../infra/local/mariadb";

export interface PrivateMariaDb {
  /** mysql://root@127.0.0.1:<port>, for createTestDatabase's `server`. */
  server: string;
  /** SIGKILLs the server (InnoDB recovers on the next start), waits `downMs`, starts it again. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A MariaDB of the test's own, on a free port with its own data folder, so a fault test can kill
 * it without disturbing the machine's shared server (and every other test on it). Grant tables
 * are skipped: root connects without a password, as to the machine's.
 */
export async function startPrivateMariaDb(): Promise<PrivateMariaDb> {
  const dir = await mkdtemp(join(tmpdir(), "smsim-private-mariadb-"));
  const dataDir = join(dir, "data");
  await promisify(execFile)("mariadb-install-db", [
    "--no-defaults",
    `--datadir=${dataDir}`,
    "--user=root",
    "--skip-test-db",
    "--auth-root-authentication-method=normal",
  ]);
  const port = await freePort();
  const server = `mysql://root@127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const daemon = spawn(
      MARIADB_DAEMON,
      [
        "--no-defaults",
        `--datadir=${dataDir}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        `--socket=${join(dir, "mariadb.sock")}`,
        `--pid-file=${join(dir, "mariadb.pid")}`,
        "--user=root",
        "--skip-grant-tables",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=64M",
        "--max-connections=200",
      ],
      { stdio: "ignore" },
    );
    child = daemon;
    const deadline = Date.now() + 60_000;
    while (!(await mariaDbReachable(`${server}/mysql`))) {
      if (daemon.exitCode !== null) throw new Error(`private mariadbd exited with ${daemon.exitCode}`);
      if (Date.now() > deadline) throw new Error(`private mariadbd on port ${port} did not answer in 60 s`);
      await sleep(100);
    }
  };

  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };

  await start();
  return {
    server,
    async restart({ downMs = 2_000 } = {}) {
      await kill();
      await sleep(downMs);
      await start();
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}
