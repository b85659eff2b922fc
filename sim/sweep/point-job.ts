import type { RunSummary, RunTimeline } from "../../reports/summary";
import { parseScenario } from "../scenario/load-scenario";
import type { ScenarioInput } from "../scenario/schema";
import { runVirtualScenario } from "../virtual/virtual-engine";

/** One run of a sweep: a scenario with the point's settings and seed already applied. */
export interface PointJob {
  /** The scenario as written, `--set`s applied; JSON, so it crosses a process or the Lambda API. */
  input: ScenarioInput;
  /** The scenario file, against which a relative `infra.template` resolves; null when inline. */
  sourcePath: string | null;
  /** Also return the per-minute timeline (for the point a report details). */
  withTimeline: boolean;
}

export interface PointOutcome {
  summary: RunSummary;
  timeline: RunTimeline | null;
}

/** Where the points of a sweep run: worker processes here, or a deployed function. */
export interface PointRunner {
  /** How many points it runs at once. */
  readonly concurrency: number;
  run(job: PointJob): Promise<PointOutcome>;
  close(): Promise<void>;
}

/** Runs one point on the virtual engine, in this process. */
export async function runPointJob(job: PointJob): Promise<PointOutcome> {
  const scenario = parseScenario(job.input, job.sourcePath);
  const { summary, timeline } = await runVirtualScenario(scenario);
  return { summary, timeline: job.withTimeline ? timeline : null };
}
