import { describe, expect, it } from "vitest";
import { ThresholdSyntaxError } from "../errors";
import {
  describeAggregation,
  parseThresholdExpression,
  parseThresholdKey,
  parseThresholds,
  type ThresholdsConfig,
} from "../threshold-parser";

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
    ["9count < 5", "9count", /expected an aggregation/],
    ["avg < x5", "x5", /expected a number/],
    ["p[95] < 5", "[95]", /expected "\(" after p, as in p\(95\)/],
    ["p(foo) < 5", "foo)", /expected a percentile between 0 and 100/],
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
    ["{status:ok}", "", /expected a metric name/],
    ["latency{status:ok, carrier}", "carrier", /expected "tag:value"/],
    ["latency{status:ok, :kt}", ":kt", /expected a tag name/],
  ])("names the bad token in key %j", (key, token, reason) => {
    // Act
    const error = syntaxErrorOf(() => parseThresholdKey(key));

    // Assess
    expect(error.token).toBe(token);
    expect(error.expression).toBeNull();
    expect(error.message).toMatch(reason);
    expect(error.message).toContain(`threshold ${JSON.stringify(key)}: `);
    expect(error.code).toBe("THRESHOLD_SYNTAX");
  });

  it("rejects a key without expressions", () => {
    // Act
    const error = syntaxErrorOf(() => parseThresholds({ latency_ms: [] }));

    // Assess
    expect(error.message).toMatch(/threshold "latency_ms": expected a non-empty array/);
  });

  it("reads k6's object form: abortOnFail only when true, delayAbortEval as a duration or milliseconds", () => {
    // Prepare
    const config = {
      dlq_messages: [
        "count < 1",
        { threshold: "count < 5", abortOnFail: true, delayAbortEval: "1m30s" },
        { threshold: "count < 9", abortOnFail: true, delayAbortEval: 2500 },
        { threshold: "count < 10", abortOnFail: "yes" as unknown as boolean },
        { threshold: "count < 11", abortOnFail: true, delayAbortEval: "0s" },
      ],
    };

    // Act
    const [definition] = parseThresholds(config);

    // Assess
    expect(
      definition?.expressions.map((e) => [e.source, e.value, e.abortOnFail, e.delayAbortEvalMs]),
    ).toEqual([
      ["count < 1", 1, false, null],
      ["count < 5", 5, true, 90_000],
      ["count < 9", 9, true, 2_500],
      ["count < 10", 10, false, null],
      ["count < 11", 11, true, 0],
    ]);
  });

  it.each([
    [
      "an unreadable delayAbortEval",
      { threshold: "count < 1", delayAbortEval: "soon" },
      "soon",
      /delayAbortEval: expected a duration/,
    ],
    ["a negative delayAbortEval", { threshold: "count < 1", delayAbortEval: -5 }, "-5", /delayAbortEval/],
    [
      "a delayAbortEval that is not a number",
      { threshold: "count < 1", delayAbortEval: Number.NaN },
      "NaN",
      /delayAbortEval: expected a duration/,
    ],
    ["an expression that is not a string", 5, "5", /expected a string expression/],
    ["a missing expression", null, "null", /expected a string expression/],
  ])("refuses %s", (_name, spec, token, reason) => {
    // Act
    const error = syntaxErrorOf(() =>
      parseThresholds({ dlq_messages: [spec] } as unknown as ThresholdsConfig),
    );

    // Assess
    expect(error.token).toBe(token);
    expect(error.message).toMatch(reason);
  });

  it("refuses a key whose expressions are not a list", () => {
    // Act
    const error = syntaxErrorOf(() =>
      parseThresholds({ dlq_messages: "count < 1" } as unknown as ThresholdsConfig),
    );

    // Assess
    expect(error.message).toBe(
      'threshold "dlq_messages": expected a non-empty array of expressions (at "count < 1")',
    );
  });

  it("reads a key's metric and tags trimmed of spaces and quotes, and refuses a tag without a name", () => {
    // Act
    const parsed = parseThresholdKey(` latency_ms {'status' : "ok",carrier:"'kt'",note:"it's"}`);
    const noName = syntaxErrorOf(() => parseThresholdKey("latency_ms{:ok}"));

    // Assess
    expect(parsed).toEqual({ metric: "latency_ms", tags: { status: "ok", carrier: "kt", note: "it's" } });
    expect(noName.message).toMatch(/expected a tag name/);
    expect(noName.token).toBe(":ok");
  });

  it("reads numbers the way k6 does: signs, fractions and exponents", () => {
    // Act
    const values = [
      "count > -5",
      "count < +5",
      "count < .25",
      "count < 5.",
      "count < 1.5e12",
      "count < 2E-2",
    ].map((source) => parseThresholdExpression("m", source).value);

    // Assess
    expect(values).toEqual([-5, 5, 0.25, 5, 1.5e12, 0.02]);
  });

  it("names aggregations as written in a threshold", () => {
    // Act
    const names = [{ name: "p", percentile: 99.9 } as const, { name: "med" } as const].map(
      describeAggregation,
    );

    // Assess
    expect(names).toEqual(["p(99.9)", "med"]);
  });
});
