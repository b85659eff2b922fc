import { describe, expect, it } from "vitest";
import { k6DurationToNs } from "../../sim/scenario/durations";
import { parseScenario } from "../../sim/scenario/load-scenario";

const HOUR_NS = 3600e9;
const SECOND_NS = 1e9;
const MS_NS = 1e6;

describe("k6 lib/types/types_test.go", () => {
  // TestParseExtendedDuration's table, less its four int64-limit rows (±292 years: past the 2^53 ns
  // that a JavaScript number holds exactly, and past any scenario).
  it.each([
    ["", null],
    ["d", null],
    ["d2h", null],
    ["2.1d", null],
    ["2d-2h", null],
    ["-2d-2h", null],
    ["2+d", null],
    ["2da", null],
    ["2-d", null],
    ["1.12s", 1120 * MS_NS],
    ["0d1.12s", 1120 * MS_NS],
    ["10d1.12s", 240 * HOUR_NS + 1120 * MS_NS],
    ["1s", SECOND_NS],
    ["1d", 24 * HOUR_NS],
    ["20d", 480 * HOUR_NS],
    ["1d23h", 47 * HOUR_NS],
    ["1d24h15m", 48 * HOUR_NS + 15 * 60 * SECOND_NS],
    ["1d25h80m", 50 * HOUR_NS + 20 * 60 * SECOND_NS],
    ["0d25h120m80s", 27 * HOUR_NS + 80 * SECOND_NS],
    ["-1d2h", -26 * HOUR_NS],
    ["-1d24h", -48 * HOUR_NS],
    ["2d1ns", 48 * HOUR_NS + 1],
  ])("TestParseExtendedDuration: %j", (text, expected) => {
    // Prepare: k6's row
    // Act
    const ns = k6DurationToNs(text);
    // Assess
    expect(ns).toBe(expected);
  });

  // TestGetDurationValue's string rows, and the Go units k6 inherits from time.ParseDuration.
  it.each([
    ["invalid", null],
    ["1000", SECOND_NS],
    ["1000.001", SECOND_NS + 1000],
    ["1s", SECOND_NS],
    ["1.5s", 1500 * MS_NS],
    ["1d3h1s", 27 * HOUR_NS + SECOND_NS],
    ["1m15s", 75 * SECOND_NS],
    ["1d2h1m15s", 26 * HOUR_NS + 75 * SECOND_NS],
    ["1500us", 1500 * 1000],
    ["1500µs", 1500 * 1000],
    ["250ns", 250],
  ])("TestGetDurationValue / TestDuration: %j", (text, expected) => {
    // Prepare: k6's row
    // Act
    const ns = k6DurationToNs(text);
    // Assess
    expect(ns).toBe(expected);
  });

  it("TestDuration JSON Number: 75000 (a number, no unit) is 75 s in a scenario file", () => {
    // Prepare: a JSON number where a duration goes, as k6's Duration.UnmarshalJSON reads it
    const input = {
      name: "k6",
      seed: 1,
      duration: 75000,
      traffic: [{ name: "c", start: "0", recipients: 1 }],
    };
    // Act
    const scenario = parseScenario(input);
    // Assess
    expect(scenario.durationMs).toBe(75_000);
  });
});
