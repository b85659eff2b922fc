import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { SCENARIO_SCHEMA_PATH, scenarioJsonSchema } from "../json-schema";
import { SHIPPED_SCENARIOS_DIR, scenarioInput, shippedScenarioFiles } from "./fixtures";

const SCHEMA_FILE = resolve(import.meta.dirname, "../../..", SCENARIO_SCHEMA_PATH);

/** A scenario file's content as an editor sees it (a module's default export for .ts/.js). */
async function contentOf(file: string): Promise<unknown> {
  const path = resolve(SHIPPED_SCENARIOS_DIR, file);
  const extension = extname(file);
  if (extension === ".json") return JSON.parse(await readFile(path, "utf8"));
  if (extension === ".yaml" || extension === ".yml") return parseYaml(await readFile(path, "utf8"));
  return ((await import(pathToFileURL(path).href)) as { default: unknown }).default;
}

async function editorCheck() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(await readFile(SCHEMA_FILE, "utf8")));
}

describe("the scenario JSON Schema", () => {
  it("is published as generated from the loader's schema (run `npm run schema` when this fails)", async () => {
    // Prepare
    const published = JSON.parse(await readFile(SCHEMA_FILE, "utf8"));
    // Act
    const generated = scenarioJsonSchema();
    // Assess
    expect(published).toEqual(generated);
  });

  it.each(shippedScenarioFiles())("passes an editor's check of %s", async (file) => {
    // Prepare: ajv, a JSON Schema validator as editors run one
    const validate = await editorCheck();
    // Act
    const valid = validate(await contentOf(file));
    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("is named by every shipped YAML and JSON scenario", async () => {
    // Prepare
    const documents = shippedScenarioFiles().filter((f) => /\.(json|ya?ml)$/.test(f));
    // Act
    const texts = await Promise.all(
      documents.map((f) => readFile(resolve(SHIPPED_SCENARIOS_DIR, f), "utf8")),
    );
    // Assess
    expect(documents.length).toBeGreaterThanOrEqual(2);
    for (const text of texts) expect(text).toMatch(/\$schema"?\s*[:=]\s*"?\.\/scenario\.schema\.json/);
  });

  it("flags what an editor should: a misspelt field, a wrong type, an unknown executor", async () => {
    // Prepare
    const validate = await editorCheck();
    const wrong = [
      { ...scenarioInput(), carier: {} },
      { ...scenarioInput(), carrier: { transientFailureRate: 2 } },
      { ...scenarioInput(), traffic: [{ name: "x", executor: "constant-vus", vus: 10, duration: "1m" }] },
    ];
    // Act
    const verdicts = wrong.map((input) => validate(input));
    // Assess
    expect(verdicts).toEqual([false, false, false]);
  });
});
