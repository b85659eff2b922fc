import { runLiveScenario } from "../live/live-engine";
import type { Scenario } from "../scenario/load-scenario";
import { type RunOptions, type RunResult, runVirtualScenario } from "../virtual/virtual-engine";

export type EngineName = "virtual" | "live";
export type Engine = (scenario: Scenario, options: RunOptions) => Promise<RunResult>;

/** The engines `smsim run --engine` chooses from; each takes the same scenario and gives the same outputs. */
export const ENGINES: Record<string, Engine> = {
  virtual: runVirtualScenario,
  live: runLiveScenario,
};
