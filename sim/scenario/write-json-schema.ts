import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { SCENARIO_SCHEMA_PATH, scenarioJsonSchemaText } from "./json-schema";

// `npm run schema`: regenerates the published scenario schema after a change to schema.ts.
const path = resolve(import.meta.dirname, "../..", SCENARIO_SCHEMA_PATH);
writeFileSync(path, scenarioJsonSchemaText());
process.stdout.write(`wrote ${path}\n`);
