import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { thresholdsToJUnit } from "../junit";
import type { ThresholdResult } from "../summary";

function result(overrides: Partial<ThresholdResult> = {}): ThresholdResult {
  return { metric: "latency_ms", expression: "p(95) < 500", value: 120, ok: true, ...overrides };
}

/** Parses with Python's expat (a strict XML parser) and returns the suite as JSON. */
function parseWithExpat(xml: string) {
  const script = `
import json, sys, xml.etree.ElementTree as ET
suite = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps({"tag": suite.tag, "attrib": suite.attrib, "cases": [
  {"classname": c.get("classname"), "name": c.get("name"),
   "failure": None if c.find("failure") is None else {"message": c.find("failure").get("message"), "text": c.find("failure").text}}
  for c in suite.findall("testcase")]}))`;
  return JSON.parse(execFileSync("python3", ["-c", script], { input: xml, encoding: "utf8" }));
}

describe("JUnit report", () => {
  it("writes one well-formed testsuite with a testcase per expression and the measured value on failures", () => {
    // Prepare
    const awkward = `latency_ms{name:a<b & "c" 'd'}`;
    const results = [
      result(),
      result({ metric: awkward, expression: "p(99) <= 1e3", value: 1234.5, ok: false }),
      result({
        metric: "send_failed",
        expression: "rate < 0.01\u0007",
        value: 0,
        ok: false,
        noSamples: true,
      }),
    ];

    // Act
    const xml = thresholdsToJUnit(results, {
      suiteName: "smoke & soak",
      durationSeconds: 60,
      timestampMs: 0,
    });

    // Assess
    const suite = parseWithExpat(xml);
    expect(suite.tag).toBe("testsuite");
    expect(suite.attrib).toMatchObject({
      name: "smoke & soak",
      tests: "3",
      failures: "2",
      time: "60",
      timestamp: "1970-01-01T00:00:00",
    });
    expect(suite.cases).toEqual([
      { classname: "latency_ms", name: "p(95) < 500", failure: null },
      {
        classname: awkward,
        name: "p(99) <= 1e3",
        failure: {
          message: `${awkward}: p(99) <= 1e3 failed (measured 1234.5)`,
          text: `${awkward}: p(99) <= 1e3 failed (measured 1234.5)`,
        },
      },
      {
        classname: "send_failed",
        name: "rate < 0.01\uFFFD",
        failure: expect.objectContaining({
          message: "send_failed: rate < 0.01\uFFFD failed (measured 0, no samples)",
        }),
      },
    ]);
  });

  it("writes an empty suite when there are no thresholds", () => {
    // Act
    const suite = parseWithExpat(thresholdsToJUnit([]));

    // Assess
    expect(suite.attrib).toMatchObject({ tests: "0", failures: "0" });
    expect(suite.cases).toEqual([]);
  });
});
