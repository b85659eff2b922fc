import { describe, expect, it } from "vitest";
import { DEFAULT_ESM_BACKOFF } from "../../esm/esm-backoff";
import { ScenarioError } from "../errors";
import { parseScenario } from "../load-scenario";
import { scenarioInput } from "./fixtures";

describe("a scenario's esm block (the mapping's unpublished backoff settings)", () => {
  it("defaults to the documented defaults when absent", () => {
    // Prepare
    const input = scenarioInput();
    // Act
    const scenario = parseScenario(input, "/scenarios/s.ts", "scenarios/s.ts");
    // Assess
    expect(scenario.esm).toEqual(DEFAULT_ESM_BACKOFF);
  });

  it("takes durations as k6 strings and keeps unset fields at their defaults", () => {
    // Prepare
    const input = { ...scenarioInput(), esm: { throttleRetry: { initial: "500ms", max: "2m" }, floor: 3 } };
    // Act
    const scenario = parseScenario(input, "/scenarios/s.ts", "scenarios/s.ts");
    // Assess
    expect(scenario.esm).toEqual({
      ...DEFAULT_ESM_BACKOFF,
      throttleRetryInitialMs: 500,
      throttleRetryMaxMs: 120_000,
      floor: 3,
    });
  });

  it.each([
    [{ shrinkPerMinute: 0 }, "esm.shrinkPerMinute: "],
    [{ floor: 1.5 }, "esm.floor: "],
    [
      { throttleRetry: { initial: "10s", max: "5s" } },
      "esm.throttleRetry.max: must be at least throttleRetry.initial",
    ],
    [{ throttleRetry: { multiplier: 0.5 } }, "esm.throttleRetry.multiplier: "],
    [{ shrinkRate: 1 }, "esm.shrinkRate: unknown field"],
  ])("rejects %j naming the field", (esm, message) => {
    // Prepare
    const input = { ...scenarioInput(), esm };
    // Act
    const act = () => parseScenario(input, "/scenarios/s.ts", "scenarios/s.ts");
    // Assess
    expect(act).toThrow(ScenarioError);
    expect(act).toThrow(`scenarios/s.ts: ${message}`);
  });
});
