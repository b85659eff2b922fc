import { describe, expect, it } from "vitest";
import { ThresholdSyntaxError } from "../errors";
import { parseThresholdExpression, parseThresholdKey, parseThresholds } from "../threshold-parser";

function syntaxErrorOf(act: () => unknown): ThresholdSyntaxError {
  try {
    act();
  } catch (error) {
    if (error instanceof ThresholdSyntaxError) return error;
    throw error;
  }
  throw new Error("expected a ThresholdSyntaxError");
}

describe("threshold parser", () => {
  it("reads keys with tags and every aggregation and operator", () => {
    // Prepare
    const config = {
      "latency_ms{status:ok, carrier : kt}": ["p(99.9) < 1500", "med<=200", "avg>10", "min >= 0", "max!=0"],
      sms_sent: ["count==1000", "rate === 5"],
      queue_depth: ["value < 100"],
    };

    // Act
    const definitions = parseThresholds(config);

    // Assess
    expect(definitions[0]).toMatchObject({
      key: "latency_ms{status:ok, carrier : kt}",
      metric: "latency_ms",
      tags: { status: "ok", carrier: "kt" },
    });
    expect(
      definitions.flatMap((d) => d.expressions.map((e) => [e.aggregation, e.operator, e.value])),
    ).toEqual([
      [{ name: "p", percentile: 99.9 }, "<", 1500],
      [{ name: "med" }, "<=", 200],
      [{ name: "avg" }, ">", 10],
      [{ name: "min" }, ">=", 0],
      [{ name: "max" }, "!=", 0],
      [{ name: "count" }, "==", 1000],
      [{ name: "rate" }, "==", 5],
      [{ name: "value" }, "<", 100],
    ]);
    expect(definitions[1]?.tags).toEqual({});
  });

  it.each([
    ["p95<200", "p95", /unknown aggregation/],
    ["p(95<200", "<200", /expected "\)"/],
    ["p(101) < 5", "101", /between 0 and 100/],
    ["avg => 5", "=>", /expected an operator/],
    ["avg < abc", "abc", /expected a number/],
    ["avg < 5 ms", "ms", /unexpected text/],
    ["avg <", "", /expected a number \(at end of input\)/],
    ["< 5", "<", /expected an aggregation/],
  ])("names the bad token in %j", (expression, token, reason) => {
    // Act
    const error = syntaxErrorOf(() => parseThresholdExpression("latency_ms", expression));

    // Assess
    expect(error.token).toBe(token);
    expect(error.key).toBe("latency_ms");
    expect(error.expression).toBe(expression);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain(`threshold "latency_ms": ${JSON.stringify(expression)}`);
  });

  it.each([
    ["9latency", "9latency", /metric name/],
    ["latency{status}", "status", /tag:value/],
    ["latency{status:ok", "{status:ok", /unmatched/],
    ["latency{}", "", /tag:value/],
    ["latency{a:}", "a:", /tag:value/],
    ["latency{a:1} x", " x", /after "}"/],
  ])("names the bad token in key %j", (key, token, reason) => {
    // Act
    const error = syntaxErrorOf(() => parseThresholdKey(key));

    // Assess
    expect(error.token).toBe(token);
    expect(error.expression).toBeNull();
    expect(error.message).toMatch(reason);
    expect(error.code).toBe("THRESHOLD_SYNTAX");
  });

  it("rejects a key without expressions", () => {
    // Act
    const error = syntaxErrorOf(() => parseThresholds({ latency_ms: [] }));

    // Assess
    expect(error.message).toMatch(/threshold "latency_ms": expected a non-empty array/);
  });
});
