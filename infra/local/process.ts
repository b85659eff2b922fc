import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The process's command line ("" when it is gone): guards against a pid file naming a reused pid. */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

/**
 * SIGTERM, then SIGKILL when the process outlives `graceMs`; resolves once it is gone, with true
 * when it exited on its own (within the grace period).
 */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<boolean> {
  if (!signal(pid, "SIGTERM")) return true;
  if (await exitsWithin(pid, graceMs)) return true;
  signal(pid, "SIGKILL");
  await exitsWithin(pid, 5_000);
  return false;
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(25);
  }
  return !isAlive(pid);
}
