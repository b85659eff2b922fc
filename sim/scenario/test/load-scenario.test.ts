import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { DEFAULT_TEMPLATE_PATH } from "../../../infra/pipeline-config";
import { DEFAULT_CARRIER_CONFIG } from "../../../provider-mock/config";
import { ScenarioError, ScenarioFileError } from "../errors";
import { loadScenario, parseScenario } from "../load-scenario";
import { campaign, constantArrivalRate, scenarioDir, scenarioInput } from "./fixtures";

const DEFINE_SCENARIO = resolve(import.meta.dirname, "../define-scenario.ts");

describe("loadScenario", () => {
  let dir: Awaited<ReturnType<typeof scenarioDir>>;
  beforeEach(async () => {
    dir = await scenarioDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it("reads .ts, .mjs, .json and .yaml files into the same scenario", async () => {
    // Prepare: one scenario written in each supported format
    const input = scenarioInput({ traffic: [campaign(), constantArrivalRate()] });
    const json = JSON.stringify(input);
    const files = [
      await dir.write(
        "a.ts",
        `import { defineScenario } from ${JSON.stringify(DEFINE_SCENARIO)};\nexport default defineScenario(${json});\n`,
      ),
      await dir.write("b.mjs", `export default ${json};\n`),
      await dir.write("c.json", json),
      await dir.write("d.yaml", stringify(input)),
    ];
    // Act
    const loaded = await Promise.all(files.map((file) => loadScenario(file)));
    // Assess
    const comparable = loaded.map(({ sourcePath: _, ...rest }) => rest);
    for (const scenario of comparable.slice(1)) expect(scenario).toEqual(comparable[0]);
    expect(loaded.map((s) => s.sourcePath)).toEqual(files);
  });

  it("turns durations into milliseconds and fills in defaults", async () => {
    // Prepare
    const file = await dir.write(
      "s.json",
      JSON.stringify(
        scenarioInput({
          duration: "1d2h",
          traffic: [
            campaign({ name: "big", recipients: 5000 }),
            { name: "promo", executor: "daily", at: "09:30", days: 1, recipients: 200 },
          ],
        }),
      ),
    );
    // Act
    const scenario = await loadScenario(file);
    // Assess
    expect(scenario.durationMs).toBe(26 * 3_600_000);
    expect(scenario.traffic).toEqual([
      { executor: "campaign", name: "big", startMs: 600_000, recipients: 5000, malformed: 0 },
      { executor: "daily", name: "promo", atMs: 9.5 * 3_600_000, days: 1, recipients: 200 },
    ]);
    expect(scenario.users).toEqual({ count: 5000, invalidRate: 0 });
    expect(scenario.carrier).toEqual(DEFAULT_CARRIER_CONFIG);
    expect(scenario.infra).toEqual({ templatePath: DEFAULT_TEMPLATE_PATH, overrides: {} });
    expect(scenario.thresholds).toEqual({});
  });

  it("resolves a template next to the scenario file and applies overrides and handler settings", async () => {
    // Prepare: a copy of the template with a longer visibility timeout
    const template = (await readFile(DEFAULT_TEMPLATE_PATH, "utf8")).replace(
      "VisibilityTimeout: 120",
      "VisibilityTimeout: 300",
    );
    await dir.write("template.yaml", template);
    const file = await dir.write(
      "s.json",
      JSON.stringify(
        scenarioInput({
          infra: {
            template: "./template.yaml",
            overrides: {
              "MessagingQueue.RedrivePolicy.maxReceiveCount": 5,
              "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 8,
            },
          },
          handler: { recordParallelism: 4, retries: 2 },
        }),
      ),
    );
    // Act
    const scenario = await loadScenario(file);
    // Assess
    expect(scenario.infra.templatePath).toBe(resolve(dir.path, "template.yaml"));
    expect(scenario.pipeline.queue.visibilityTimeoutSeconds).toBe(300);
    expect(scenario.pipeline.queue.maxReceiveCount).toBe(5);
    expect(scenario.pipeline.esm.maximumConcurrency).toBe(8);
    expect(scenario.pipeline.lambda.recordParallelism).toBe(4);
    expect(scenario.pipeline.lambda.carrierRetries).toBe(2);
  });

  it("maps the carrier block onto provider-mock's config, outages relative to the scenario start", async () => {
    // Prepare
    const file = await dir.write(
      "s.json",
      JSON.stringify(
        scenarioInput({
          carrier: {
            rateLimit: { requestsPerSecond: 20 },
            latencyMs: { dist: "uniform", min: 10, max: 30 },
            timeoutRate: 0.01,
            outages: [{ start: "15m", duration: "15m" }],
          },
        }),
      ),
    );
    // Act
    const { carrier } = await loadScenario(file);
    // Assess
    expect(carrier).toEqual({
      ...DEFAULT_CARRIER_CONFIG,
      rateLimit: { requestsPerSecond: 20, recipientsPerSecond: null },
      latencyMs: { dist: "uniform", min: 10, max: 30 },
      timeoutRate: 0.01,
      outages: [{ startMs: 900_000, durationMs: 900_000 }],
    });
  });

  it("names the file, the field path and the value of the first problem", async () => {
    // Prepare: the third traffic entry has a stage target that is not a number
    const ramp = {
      name: "ramp",
      executor: "ramping-arrival-rate",
      stages: [{ target: "x", duration: "1m" }],
    };
    const file = await dir.write(
      "bad.json",
      JSON.stringify({ ...scenarioInput(), traffic: [campaign(), constantArrivalRate(), ramp] }),
    );
    // Act
    const error = await loadScenario(file).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).message).toBe(
      `${file}: traffic[2].stages[0].target: expected a number (got "x")`,
    );
    expect((error as ScenarioError).field).toBe("traffic[2].stages[0].target");
  });

  it.each([
    [{ duration: "2 hours" }, 'duration: expected a duration like "500ms"'],
    [{ seed: 1.5 }, "seed: expected an integer (got 1.5)"],
    [{ name: "a b" }, "name: expected letters, digits"],
    [{ traffic: [] }, "traffic: must have at least 1 entry (got [])"],
    [
      { traffic: [{ name: "x", executor: "weekly", recipients: 1 }] },
      'traffic[0].executor: expected one of "campaign", "daily"',
    ],
    [
      { traffic: [campaign({ recipients: undefined })] },
      "traffic[0].recipients: required, expected a number (got undefined)",
    ],
    [{ traffic: [campaign(), campaign()] }, 'traffic[1].name: duplicate of traffic[0].name (got "campaign")'],
    [
      { traffic: [campaign({ start: "3h" })] },
      'traffic[0].start: sends after the scenario ends (duration 2h) (got "3h")',
    ],
    [
      { traffic: [constantArrivalRate({ duration: "3h" })] },
      "traffic[0].duration: sends after the scenario ends",
    ],
    [
      { traffic: [{ name: "d", executor: "daily", at: "9am", days: 1, recipients: 1 }] },
      'traffic[0].at: expected a time of day "HH:MM"',
    ],
    [{ carrier: { latencyMs: { dist: "fixed" } } }, "carrier.latencyMs.value: required, expected a number"],
    [{ carrier: { rateLimt: {} } }, "carrier.rateLimt: unknown field (got {})"],
    [
      { users: { count: 10 } },
      "users.count: must be at least the largest campaign's recipients (1000) (got 10)",
    ],
    [
      { thresholds: { dlq_messages: 3 } },
      'thresholds.dlq_messages: expected an expression like "count == 0", an object { threshold, abortOnFail, delayAbortEval }, or a list of them (got 3)',
    ],
    [
      { thresholds: { dlq_messages: ["count === 0", "cnt < 1"] } },
      'thresholds.dlq_messages[1]: threshold "dlq_messages": "cnt < 1": unknown aggregation',
    ],
    [
      { infra: { overrides: { "MessagingQueue.VisibilityTimeout": 5 } } },
      "infra: MessagingLambda.Timeout: must not exceed MessagingQueue.VisibilityTimeout (5)",
    ],
    [
      { infra: { overrides: { "NoSuchThing.Foo": 1 } } },
      "infra: override NoSuchThing.Foo: no resource NoSuchThing",
    ],
  ])("rejects %j", (patch, message) => {
    // Prepare
    const input = { ...scenarioInput(), ...patch };
    // Act
    const act = () => parseScenario(input, "/scenarios/s.ts", "scenarios/s.ts");
    // Assess
    expect(act).toThrow(ScenarioError);
    expect(act).toThrow(`scenarios/s.ts: ${message}`);
  });

  it.each([
    ["missing.json", "{}", " cannot read"],
    ["s.txt", "{}", " expected a .ts, .mts, .js, .mjs, .json, .yaml or .yml file"],
    ["s.json", "{ not json", "1:3: not valid JSON: Expected property name or '}' in JSON at position 2"],
    [
      "s.yaml",
      "a: [1, 2",
      "1:9: not valid YAML: Flow sequence in block collection must be sufficiently indented",
    ],
    ["s.mjs", "export const scenario = {};", " has no default export"],
    ["s.mjs", "throw new Error('boom');", " cannot import: boom"],
    ["s.mjs", "export default {\n  a: 1\n  b: 2 };", '3:3: syntax error: Expected "}" but found "b"'],
  ])("explains why %s cannot be loaded", async (name, text, message) => {
    // Prepare
    const file = name === "missing.json" ? resolve(dir.path, name) : await dir.write(name, text);
    // Act
    const error = await loadScenario(file).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(ScenarioFileError);
    expect((error as Error).message).toContain(`${file}:${message}`);
  });
});
