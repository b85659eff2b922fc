import type { ScenarioInput } from "./schema";

/** Types a scenario file's default export; validation happens when the file is loaded. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}
