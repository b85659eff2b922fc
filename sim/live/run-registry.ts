import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../../infra/local/process";

/**
 * Runs in progress on this machine, one file per run holding its pid, so `smsim services prune`
 * spares them. In the OS's temporary folder, shared by every checkout of the project.
 */
const REGISTRY_DIR = join(tmpdir(), "smsim-live-runs");

/**
 * Run ids are their start time (epoch ms in base 36, 8 digits until 2059) and 6 random hex digits;
 * a rehearsal's start with "rh" (older rehearsals had 4 hex digits).
 */
const RUN_ID = /^([0-9a-z]{8})[0-9a-f]{6}$|^rh([0-9a-z]{8})[0-9a-f]{4,6}$/;

/** A new run id, e.g. "mx985i1d9b442e"; a rehearsal's has the prefix "rh". */
export function newRunId(prefix: "" | "rh" = ""): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/** When the run began (epoch ms), or null when `runId` is not one of newRunId's. */
export function runStartedAt(runId: string): number | null {
  const match = RUN_ID.exec(runId);
  const time = match?.[1] ?? match?.[2];
  return time === undefined ? null : Number.parseInt(time, 36);
}

/** Records the run as in progress in this process; the returned function forgets it. */
export function registerRun(runId: string): () => void {
  mkdirSync(REGISTRY_DIR, { recursive: true });
  const file = join(REGISTRY_DIR, runId);
  writeFileSync(file, `${process.pid}\n`);
  return () => rmSync(file, { force: true });
}

/** Ids of the runs whose process is still alive; the files of dead ones are removed. */
export function activeRunIds(): Set<string> {
  const active = new Set<string>();
  let names: string[];
  try {
    names = readdirSync(REGISTRY_DIR);
  } catch {
    return active;
  }
  for (const name of names) {
    const file = join(REGISTRY_DIR, name);
    let pid = Number.NaN;
    try {
      pid = Number(readFileSync(file, "utf8").trim());
    } catch {
      continue;
    }
    if (Number.isInteger(pid) && isAlive(pid)) active.add(name);
    else rmSync(file, { force: true });
  }
  return active;
}
