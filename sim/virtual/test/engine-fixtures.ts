import type { RunSummary } from "../../../reports/summary";
import { parseScenario, type Scenario } from "../../scenario/load-scenario";
import type { ScenarioInput } from "../../scenario/schema";
import { type RunResult, runVirtualScenario } from "../virtual-engine";

/** The template's DLQ alarm (infra/template.yaml DLQAlarm). */
export const DLQ_ALARM = "messaging-dlq-alarm";
/** The Lambda model's init time of a new execution environment (its default). */
export const COLD_START_MS = 250;
/** The template's VisibilityTimeout of the source queue. */
export const VISIBILITY_TIMEOUT_MS = 120_000;

/**
 * A scenario on the template: one campaign at 1m of `recipients`, a carrier answering in a fixed
 * 100 ms with no limit and no failures, unless `overrides` say otherwise (shallow, per field).
 */
export function engineScenario(overrides: Partial<ScenarioInput> & { recipients?: number } = {}): Scenario {
  const { recipients = 1_000, ...fields } = overrides;
  return parseScenario({
    name: "engine-test",
    seed: 1,
    duration: "30m",
    carrier: { latencyMs: { dist: "fixed", value: 100 } },
    // Pure queueing arithmetic: no stack costs on top of the carrier's latency.
    stack: { storeQueryMs: 0, carrierRoundTripMs: 0 },
    traffic: [{ name: "campaign", start: "1m", recipients }],
    ...fields,
  });
}

export function runScenario(overrides: Parameters<typeof engineScenario>[0] = {}): Promise<RunResult> {
  return runVirtualScenario(engineScenario(overrides));
}

/** summary.json as written, less what may differ between two runs of one seed (wall-clock time). */
export function summaryJsonWithoutWall(summary: RunSummary): string {
  const { wallSeconds: _wall, ...rest } = summary;
  return JSON.stringify(rest, null, 2);
}

/** The one campaign of a run, by traffic name. */
export function campaignOf(summary: RunSummary, name = "campaign") {
  const campaign = summary.campaigns.find((c) => c.name === name);
  if (campaign === undefined) throw new Error(`no campaign ${name} in the summary`);
  return campaign;
}
