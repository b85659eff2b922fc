import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { SCENARIO_SCHEMA_PATH, scenarioJsonSchemaText } from "./json-schema";
import { SCENARIO_FILE_TYPE_PATH, scenarioFileTypeText } from "./scenario-file-type";

// `npm run schema`: regenerates the published JSON Schema and the ScenarioFile type after a change
// to schema.ts.
const root = resolve(import.meta.dirname, "../..");
for (const [path, text] of [
  [SCENARIO_SCHEMA_PATH, scenarioJsonSchemaText()],
  [SCENARIO_FILE_TYPE_PATH, scenarioFileTypeText()],
] as const) {
  writeFileSync(resolve(root, path), text);
  process.stdout.write(`wrote ${path}\n`);
}
