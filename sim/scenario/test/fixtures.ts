import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ScenarioInput } from "../schema";

type TrafficInput = ScenarioInput["traffic"][number];

/** A small valid scenario as a file would hold it; `patch` replaces top-level fields. */
export function scenarioInput(patch: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: "fixture",
    seed: 1,
    duration: "2h",
    traffic: [campaign()],
    ...patch,
  };
}

export function campaign(patch: Partial<Extract<TrafficInput, { malformed?: number }>> = {}): TrafficInput {
  return { name: "campaign", start: "10m", recipients: 1000, ...patch };
}

export function constantArrivalRate(
  patch: Partial<Extract<TrafficInput, { executor: "constant-arrival-rate" }>> = {},
): TrafficInput {
  return {
    name: "orders",
    executor: "constant-arrival-rate",
    rate: 10,
    timeUnit: "1m",
    duration: "1h",
    ...patch,
  };
}

/** A temporary directory for scenario files; `remove()` deletes it. */
export async function scenarioDir(): Promise<{
  path: string;
  write(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), "smsim-scenario-"));
  return {
    path,
    async write(name, text) {
      const file = join(path, name);
      await writeFile(file, text);
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

export const SHIPPED_SCENARIOS_DIR = resolve(import.meta.dirname, "../../../scenarios");

/** The scenario files in scenarios/ (the published JSON Schema is not one). */
export function shippedScenarioFiles(): string[] {
  return readdirSync(SHIPPED_SCENARIOS_DIR).filter(
    (f) => /\.(ts|mts|js|mjs|json|ya?ml)$/.test(f) && !f.endsWith(".schema.json"),
  );
}
