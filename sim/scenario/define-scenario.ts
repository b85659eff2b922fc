import type { ScenarioFile } from "./scenario-file";

/**
 * Types a scenario file's default export, with each field's help on hover (the JSON Schema's
 * descriptions); validation happens when the file is loaded.
 */
export function defineScenario(scenario: ScenarioFile): ScenarioFile {
  return scenario;
}
