/**
 * What the live-stack benchmarks share: child processes whose stdout is echoed, undo steps run at the
 * end (and on Ctrl-C), and CPU use per process read from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import type { Pool, RowDataPacket } from "mysql2/promise";

export const ROOT = resolve(import.meta.dirname, "..");
export const SMSIM = resolve(ROOT, "bin/smsim.mjs");

export const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");

export interface Child {
  pid: number;
  /** The first stdout line that starts with the expected mark, without the mark. */
  ready: Promise<string>;
  /** Settles with the exit code when the child exits by itself. */
  exited: Promise<number>;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number>;
}

/** A Node child process whose stdout is echoed to stderr (the parent's stdout is the report). */
export function startChild(
  name: string,
  args: string[],
  env: Record<string, string>,
  readyMark?: string,
): Child {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number>((done) => child.once("exit", (code) => done(code ?? 1)));
  const ready = new Promise<string>((done, fail) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        process.stderr.write(`${name}: ${line}\n`);
        if (readyMark === undefined || line.startsWith(readyMark)) done(line.slice(readyMark?.length ?? 0));
      }
    });
    child.once("error", fail);
    exited.then((code) => fail(new Error(`${name} exited with ${code} before it was ready`)));
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid ?? 0,
    ready,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Undo steps, run last-registered first; also on Ctrl-C. */
export function createCleanup(log: (line: string) => void) {
  const steps: { what: string; run: () => Promise<unknown> }[] = [];
  let running: Promise<void> | null = null;
  const runAll = () => {
    running ??= (async () => {
      for (const step of steps.reverse()) {
        await step.run().catch((error: unknown) => log(`cleanup: ${step.what} failed: ${String(error)}`));
      }
    })();
    return running;
  };
  process.once("SIGINT", () => {
    log("interrupted: cleaning up");
    void runAll().finally(() => process.exit(130));
  });
  return { add: (what: string, run: () => Promise<unknown>) => steps.push({ what, run }), runAll };
}

/** Linux's USER_HZ: /proc counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far (user + system), from /proc; null without /proc or the process. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name, in parentheses, may hold spaces; utime and stime are fields 12 and 13 after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has been busy (not idle or waiting on I/O), from /proc/stat. */
function machineBusySeconds(): number | null {
  try {
    const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0]?.trim().split(/\s+/) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks.map(Number);
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Counts CPU seconds of the machine and of named processes; `cores` is the average cores used since. */
export function cpuMeter(pids: ReadonlyMap<string, number>) {
  const read = () => {
    const used = new Map<string, number | null>([["machine", machineBusySeconds()]]);
    for (const [name, pid] of pids) used.set(name, processCpuSeconds(pid));
    return { at: performance.now(), used };
  };
  const start = read();
  return {
    cores(): Record<string, number | null> {
      const end = read();
      const seconds = (end.at - start.at) / 1000;
      const cores: Record<string, number | null> = {};
      for (const [name, before] of start.used) {
        const after = end.used.get(name);
        cores[name] =
          before === null || after === null || after === undefined
            ? null
            : Math.round(((after - before) / seconds) * 100) / 100;
      }
      return cores;
    },
  };
}

/** The database server's process, when it runs on this machine and says where its pid file is. */
export async function mariadbPid(pool: Pool): Promise<number | null> {
  const [rows] = await pool.query<RowDataPacket[]>("SELECT @@pid_file AS file");
  try {
    const pid = Number(readFileSync(String(rows[0]?.file), "utf8").trim());
    return processCpuSeconds(pid) === null ? null : pid;
  } catch {
    return null;
  }
}
