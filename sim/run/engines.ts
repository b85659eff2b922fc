import { type LiveRunOptions, runLiveScenario } from "../live/live-engine";
import type { Scenario } from "../scenario/load-scenario";
import { type RunResult, runVirtualScenario } from "../virtual/virtual-engine";

/** Options every engine takes; those only the live engine understands are refused by the CLI for virtual. */
export type EngineOptions = Pick<
  LiveRunOptions,
  "slackWebhookUrl" | "onProgress" | "timeScale" | "invoke" | "lambdaEndpoint" | "signal" | "keepResources"
>;
export type Engine = (scenario: Scenario, options: EngineOptions) => Promise<RunResult>;

/** The engines `smsim run --engine` chooses from; each takes the same scenario and gives the same outputs. */
export const ENGINES: Record<string, Engine> = {
  virtual: runVirtualScenario,
  live: runLiveScenario,
};
