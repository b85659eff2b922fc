import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import { defineScenario } from "../define-scenario";
import { scenarioJsonSchema } from "../json-schema";
import type { ScenarioFile } from "../scenario-file";
import { SCENARIO_FILE_TYPE_PATH, scenarioFileTypeText } from "../scenario-file-type";
import type { ScenarioInput } from "../schema";

type Node = { description?: string; properties?: Record<string, Node>; items?: Node; oneOf?: Node[] };

/** Every named field of the schema, as "path: description". */
function fields(node: Node, path: string): [string, string | undefined][] {
  const own = Object.entries(node.properties ?? {}).flatMap(([name, child]) => [
    [`${path}${name}`, child.description] as [string, string | undefined],
    ...fields(child, `${path}${name}.`),
  ]);
  const items = node.items ? fields(node.items, `${path.slice(0, -1)}[].`) : [];
  const members = (node.oneOf ?? []).flatMap((member) => fields(member, path));
  return [...own, ...items, ...members];
}

describe("the ScenarioFile type that defineScenario takes", () => {
  it("is published as generated (run `npm run schema` when this fails)", async () => {
    // Prepare
    const published = await readFile(
      resolve(import.meta.dirname, "../../..", SCENARIO_FILE_TYPE_PATH),
      "utf8",
    );
    // Act
    const generated = scenarioFileTypeText();
    // Assess
    expect(published).toBe(generated);
  });

  it("accepts exactly what the loader's schema accepts, so help on hover never lies about a field", () => {
    expectTypeOf<ScenarioFile>().toExtend<ScenarioInput>();
    expectTypeOf<ScenarioInput>().toExtend<ScenarioFile>();
  });

  it("documents every field an author can write, the same words an editor shows for YAML", () => {
    // Prepare
    const schema = scenarioJsonSchema() as Node;
    // Act
    const undocumented = fields(schema, "").filter(([, description]) => !description);
    // Assess
    expect(undocumented.map(([path]) => path)).toEqual([]);
    expect(scenarioFileTypeText()).toContain(
      "  /** Seeds every random choice: the same seed gives the same run. `--seed` overrides it. Default 1. */\n  seed?: number;",
    );
  });

  it("refuses in the editor what the loader refuses: an unknown executor, a misspelt field", () => {
    const base = { name: "x", duration: "1h" };
    // @ts-expect-error "campain" is no executor
    defineScenario({ ...base, traffic: [{ name: "a", executor: "campain", start: 0, recipients: 1 }] });
    // @ts-expect-error "recipient" is not a field of a campaign entry
    defineScenario({ ...base, traffic: [{ name: "a", start: 0, recipient: 1 }] });
  });
});
