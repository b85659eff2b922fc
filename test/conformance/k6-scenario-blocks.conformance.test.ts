import type { ConstantArrivalRateScenario, RampingArrivalRateScenario } from "k6/options";
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../sim/scenario/errors";
import { parseScenario } from "../../sim/scenario/load-scenario";
import type { ScenarioInput } from "../../sim/scenario/schema";

/** A k6 `options.scenarios` object pasted as smsim traffic: each key becomes an entry's name. */
function scenarioOf(k6Scenarios: Record<string, object>): ScenarioInput {
  const traffic = Object.entries(k6Scenarios).map(([name, block]) => ({ name, ...block }));
  return { name: "k6-blocks", seed: 1, duration: "1h", traffic } as ScenarioInput;
}

describe("k6 lib/executor/executors_test.go: configMapTestCases for the arrival-rate executors", () => {
  it.each([
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 30, "timeUnit": "1m", "duration": "10m", "preAllocatedVUs": 20, "maxVUs": 30}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "10m", "preAllocatedVUs": 20, "maxVUs": 30}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "10m", "preAllocatedVUs": 20}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "startRate": 10, "timeUnit": "30s", "preAllocatedVUs": 20, "maxVUs": 50, "stages": [{"duration": "3m", "target": 30}, {"duration": "5m", "target": 10}]}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "preAllocatedVUs": 20, "maxVUs": 50, "stages": [{"duration": "5m", "target": 10}]}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "preAllocatedVUs": 20, "stages": [{"duration": "5m", "target": 10}]}}`,
  ])("loads the valid block %s", (json) => {
    // Prepare: k6's block as JSON, with startTime and gracefulStop as a k6 script may add
    const blocks = JSON.parse(json) as Record<string, object>;
    for (const block of Object.values(blocks)) Object.assign(block, { startTime: "1m", gracefulStop: "30s" });
    // Act
    const scenario = parseScenario(scenarioOf(blocks));
    // Assess: startTime is our start
    expect(scenario.traffic[0]).toMatchObject({ startMs: 60_000 });
  });

  it("reads the first block as k6 does: 30 a minute for 10 minutes is 300 sends", () => {
    // Prepare
    const blocks = {
      carrival: {
        executor: "constant-arrival-rate",
        rate: 30,
        timeUnit: "1m",
        duration: "10m",
        preAllocatedVUs: 20,
      },
    };
    // Act
    const entry = parseScenario(scenarioOf(blocks)).traffic[0];
    // Assess
    expect(entry).toMatchObject({ rate: 30, timeUnitMs: 60_000, durationMs: 600_000, startMs: 0 });
  });

  it.each([
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "10m", "preAllocatedVUs": 20, "maxVUs": 30, "timeUnit": "-1s"}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "10m", "preAllocatedVUs": 20, "maxVUs": 30, "timeUnit": "0s"}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "10m", "maxVUs": 30}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "preAllocatedVUs": 20, "maxVUs": 30}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "duration": "10m", "preAllocatedVUs": 20, "maxVUs": 30}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "0m", "preAllocatedVUs": 20, "maxVUs": 30}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 0, "duration": "10m", "preAllocatedVUs": 20, "maxVUs": 30}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "10m", "preAllocatedVUs": 20, "maxVUs": 15}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "0s", "preAllocatedVUs": 20, "maxVUs": 25}}`,
    `{"carrival": {"executor": "constant-arrival-rate", "rate": 10, "duration": "10m", "preAllocatedVUs": -2, "maxVUs": 25}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "preAllocatedVUs": -20, "maxVUs": 50, "stages": [{"duration": "5m", "target": 10}]}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "startRate": -1, "preAllocatedVUs": 20, "maxVUs": 50, "stages": [{"duration": "5m", "target": 10}]}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "maxVUs": 50, "stages": [{"duration": "5m", "target": 10}]}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "preAllocatedVUs": 20, "maxVUs": 50}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "preAllocatedVUs": 20, "maxVUs": 50, "stages": []}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "preAllocatedVUs": 20, "maxVUs": 50, "stages": [{"duration": "5m", "target": 10}], "timeUnit": "-1s"}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "preAllocatedVUs": 20, "maxVUs": 50, "stages": [{"duration": "5m", "target": 10}], "timeUnit": "0s"}}`,
    `{"varrival": {"executor": "ramping-arrival-rate", "preAllocatedVUs": 30, "maxVUs": 20, "stages": [{"duration": "5m", "target": 10}]}}`,
  ])("refuses the block k6 refuses: %s", (json) => {
    // Prepare: k6 expects a validation error for this block
    const blocks = JSON.parse(json) as Record<string, object>;
    // Act
    const act = () => parseScenario(scenarioOf(blocks));
    // Assess
    expect(act).toThrow(ScenarioError);
  });
});

describe("@types/k6 options: a typed block pastes into a .ts scenario", () => {
  it("type-checks k6's own scenario types as traffic entries (tsc checks this file)", () => {
    // Prepare: blocks typed by k6's declarations, as a k6 script would hold them
    const contacts = {
      executor: "ramping-arrival-rate",
      startRate: 300,
      timeUnit: "1m",
      preAllocatedVUs: 50,
      maxVUs: 100,
      startTime: "30s",
      gracefulStop: "10s",
      stages: [
        { target: 300, duration: "1m" },
        { target: 600, duration: "2m" },
      ],
    } satisfies RampingArrivalRateScenario;
    const orders = {
      executor: "constant-arrival-rate",
      rate: 30,
      timeUnit: "1s",
      duration: "5m",
      preAllocatedVUs: 10,
    } satisfies ConstantArrivalRateScenario;
    const input: ScenarioInput = {
      name: "pasted",
      seed: 1,
      duration: "10m",
      traffic: [
        { name: "contacts", ...contacts },
        { name: "orders", ...orders },
      ],
    };
    // Act
    const scenario = parseScenario(input);
    // Assess
    expect(scenario.traffic).toMatchObject([
      { name: "contacts", startMs: 30_000 },
      { name: "orders", startMs: 0 },
    ]);
  });
});
