import { z } from "zod";
import { scenarioSchema } from "./schema";

/** Where the published schema lives, relative to the repository root; shipped YAML/JSON scenarios name it. */
export const SCENARIO_SCHEMA_PATH = "scenarios/scenario.schema.json";

/**
 * The JSON Schema of a scenario file, generated from the loader's own zod schema (what a file may
 * hold, before defaults), so editors complete and check scenario files. Cross-field rules (traffic
 * inside the duration, thresholds against the run's metrics) are the loader's alone: `smsim validate`.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(scenarioSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://smsim.local/scenario.schema.json",
    title: "smsim scenario",
    description:
      "A scenario file for smsim run/validate (docs/SCENARIOS.md). Check it whole with `smsim validate`.",
  };
}

/** The schema as the repository publishes it: two-space JSON with a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
