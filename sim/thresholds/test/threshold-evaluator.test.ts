import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { MetricKindConflictError, ThresholdMetricError } from "../errors";
import { createMetricRegistry, type MetricRegistry } from "../metric-registry";
import { evaluateThresholds, thresholdToAbort } from "../threshold-evaluator";
import { parseThresholds, type ThresholdsConfig } from "../threshold-parser";

function evaluate(registry: MetricRegistry, config: ThresholdsConfig, durationSeconds = 100) {
  return evaluateThresholds(parseThresholds(config), registry, { durationSeconds });
}

/** latency_ms 1..100 tagged ok, plus 1000 and 2000 tagged fail. */
function latencyRegistry(): MetricRegistry {
  const registry = createMetricRegistry();
  const latency = registry.trend("latency_ms");
  const ok = latency.series({ status: "ok" });
  for (let v = 100; v >= 1; v--) ok.add(v);
  latency.add(1000, { status: "fail" });
  latency.add(2000, { status: "fail" });
  return registry;
}

describe("threshold evaluation", () => {
  it("measures a trend's percentiles the way k6 does (linear interpolation between ranks)", () => {
    // Prepare
    const registry = latencyRegistry();

    // Act
    const results = evaluate(registry, {
      "latency_ms{status:ok}": [
        "p(95) < 95.1",
        "p(95) < 95",
        "med == 50.5",
        "avg == 50.5",
        "min == 1",
        "max < 100",
      ],
    });

    // Assess: p(95) of 1..100 sits at rank 0.95 x 99 = 94.05, between 95 and 96.
    expect(results.map((r) => [r.expression, r.value, r.ok])).toEqual([
      ["p(95) < 95.1", 95.05, true],
      ["p(95) < 95", 95.05, false],
      ["med == 50.5", 50.5, true],
      ["avg == 50.5", 50.5, true],
      ["min == 1", 1, true],
      ["max < 100", 100, false],
    ]);
    expect(results[0]?.metric).toBe("latency_ms{status:ok}");
  });

  it("merges every tagged series for a key without tags", () => {
    // Prepare
    const registry = latencyRegistry();

    // Act
    const [max, count] = evaluate(registry, { latency_ms: ["max == 2000", "p(100) == 2000"] });

    // Assess
    expect(max?.ok).toBe(true);
    expect(count?.value).toBe(2000);
  });

  it("counts a counter per tag and divides by the run time for rate", () => {
    // Prepare
    const registry = createMetricRegistry();
    const sent = registry.counter("sms_sent");
    const toKt = { carrier: "kt" };
    for (let i = 0; i < 30; i++) sent.add(10, toKt);
    sent.add(5, { carrier: "skt" });

    // Act
    const results = evaluate(
      registry,
      { "sms_sent{carrier:kt}": ["count == 300", "rate == 1.5"], sms_sent: ["count == 305"] },
      200,
    );

    // Assess
    expect(results.map((r) => [r.value, r.ok])).toEqual([
      [300, true],
      [1.5, true],
      [305, true],
    ]);
  });

  it("gives a rate metric the fraction of non-zero samples", () => {
    // Prepare
    const registry = createMetricRegistry();
    const failed = registry.rate("send_failed");
    for (const outcome of [true, false, false, 1, 0, false, false, false]) failed.add(outcome);

    // Act
    const [result] = evaluate(registry, { send_failed: ["rate < 0.25"] });

    // Assess
    expect(result).toEqual({
      metric: "send_failed",
      expression: "rate < 0.25",
      value: 0.25,
      ok: false,
      noSamples: false,
    });
  });

  it("gives a gauge its last value across tagged series", () => {
    // Prepare
    const registry = createMetricRegistry();
    const depth = registry.gauge("queue_depth");
    depth.set(7, { queue: "a" });
    depth.set(40, { queue: "b" });
    depth.set(3, { queue: "a" });

    // Act
    const results = evaluate(registry, { queue_depth: ["value == 3"] });

    // Assess
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it("treats a metric without matching samples as k6 does: 0 for a trend or counter, and says so", () => {
    // Prepare
    const registry = latencyRegistry();
    registry.counter("dlq_messages");

    // Act
    const results = evaluate(registry, {
      "latency_ms{status:timeout}": ["p(95) < 1e9", "med > 39"],
      dlq_messages: ["count == 0"],
    });

    // Assess
    expect(results.map((r) => [r.value, r.ok, r.noSamples])).toEqual([
      [0, true, true],
      [0, false, true],
      [0, true, true],
    ]);
  });

  it("refuses an unknown metric and an aggregation the metric kind lacks, naming them", () => {
    // Prepare
    const registry = latencyRegistry();
    registry.counter("sms_sent");

    // Act
    const unknown = () => evaluate(registry, { latency: ["avg < 1"] });
    const wrongKind = () => evaluate(registry, { sms_sent: ["p(95) < 1"] });

    // Assess
    expect(unknown).toThrow(ThresholdMetricError);
    expect(unknown).toThrow(/no metric named latency/);
    expect(wrongKind).toThrow(/"sms_sent".*a counter supports count, rate, not p\(95\)/);
  });

  it("keeps one kind per metric name", () => {
    // Prepare
    const registry = createMetricRegistry();
    registry.counter("sms_sent");

    // Act
    const act = () => registry.trend("sms_sent");

    // Assess
    expect(act).toThrow(MetricKindConflictError);
    expect(act).toThrow(/"sms_sent" is a counter, not a trend/);
  });
});

describe("threshold comparison and k6's edge cases", () => {
  // k6 metrics/thresholds.go runNoTaint: the aggregated value on the left, the threshold on the right.
  it.each([
    ["<", [false, false, true]],
    ["<=", [false, true, true]],
    [">", [true, false, false]],
    [">=", [true, true, false]],
    ["==", [false, true, false]],
    ["===", [false, true, false]],
    ["!=", [true, false, true]],
  ])(
    "%s compares the value with a threshold below, at and above it, negative values included",
    (operator, oks) => {
      // Prepare: a gauge whose last value is -2.5
      const registry = createMetricRegistry();
      registry.gauge("balance").set(-2.5);

      // Act
      const results = evaluate(registry, {
        balance: [`value ${operator} -3`, `value${operator}-2.5`, `value ${operator} -2`],
      });

      // Assess
      expect(results).toEqual(
        oks.map((ok, i) => ({
          metric: "balance",
          expression: [`value ${operator} -3`, `value${operator}-2.5`, `value ${operator} -2`][i],
          value: -2.5,
          ok,
          noSamples: false,
        })),
      );
    },
  );

  it.each([0, -1, Number.NaN])("refuses a run length of %s seconds", (durationSeconds) => {
    // Prepare
    const registry = createMetricRegistry();
    registry.counter("sms_sent").add(1);

    // Act
    const act = () => evaluate(registry, { sms_sent: ["rate < 1"] }, durationSeconds);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(/durationSeconds.*must be a positive number/);
  });

  it("gives a trend series without samples 0 for every aggregation, marked as without samples", () => {
    // Prepare: a series that exists but never got a sample
    const registry = createMetricRegistry();
    registry.trend("latency_ms").series({ status: "timeout" });

    // Act
    const results = evaluate(registry, {
      "latency_ms{status:timeout}": ["avg == 0", "min == 0", "max == 0", "med == 0", "p(99) == 0"],
    });

    // Assess
    expect(results.map((r) => [r.value, r.ok, r.noSamples])).toEqual(Array(5).fill([0, true, true]));
  });

  it("gives a rate without samples no value and a gauge never set 0, both marked as without samples", () => {
    // Prepare: a rate and a gauge whose series exist without samples, and a rate with no series
    const registry = createMetricRegistry();
    registry.rate("send_failed").series({ carrier: "kt" });
    registry.gauge("queue_depth").series();
    registry.rate("retried");

    // Act
    const results = evaluate(registry, {
      send_failed: ["rate > 0.5"],
      queue_depth: ["value > 1"],
      retried: ["rate > 0.5"],
    });

    // Assess
    expect(results.map((r) => [r.value, r.ok, r.noSamples])).toEqual([
      [null, true, true],
      [0, false, true],
      [null, true, true],
    ]);
  });

  it("gives a gauge whose tagged series matches nothing 0", () => {
    // Prepare
    const registry = createMetricRegistry();
    registry.gauge("queue_depth").set(5, { queue: "a" });

    // Act
    const [result] = evaluate(registry, { "queue_depth{queue:b}": ["value < 1"] });

    // Assess
    expect(result).toMatchObject({ value: 0, ok: true, noSamples: true });
  });
});

it("measures a skewed trend's average apart from its median", () => {
  // Prepare
  const registry = createMetricRegistry();
  for (const v of [1, 2, 9]) registry.trend("latency_ms").add(v);

  // Act
  const results = evaluate(registry, { latency_ms: ["avg == 4", "med == 2"] });

  // Assess
  expect(results.map((r) => [r.value, r.ok])).toEqual([
    [4, true],
    [2, true],
  ]);
});

describe("abortOnFail during a run", () => {
  function counterRegistry(count: number): MetricRegistry {
    const registry = createMetricRegistry();
    registry.counter("sms_sent").add(count);
    return registry;
  }

  it("aborts on a failing abortOnFail threshold, measuring a counter's rate over the run time so far", () => {
    // Prepare: 30 sent in 10 s is 3 a second
    const registry = counterRegistry(30);
    const definitions = parseThresholds({
      sms_sent: [
        "rate < 1",
        { threshold: "rate > 2", abortOnFail: true },
        { threshold: "rate < 2", abortOnFail: true },
      ],
    });

    // Act
    const abort = thresholdToAbort(definitions, registry, 10_000);

    // Assess: the plain failing threshold and the passing one do not abort
    expect(abort).toEqual({ metric: "sms_sent", expression: "rate < 2", value: 3 });
  });

  it("waits until the run time is past delayAbortEval, as k6 does", () => {
    // Prepare
    const registry = counterRegistry(5);
    const definitions = parseThresholds({
      sms_sent: [{ threshold: "count < 1", abortOnFail: true, delayAbortEval: "10s" }],
    });

    // Act
    const atGrace = thresholdToAbort(definitions, registry, 10_000);
    const afterGrace = thresholdToAbort(definitions, registry, 10_001);

    // Assess: k6 aborts when the grace period is shorter than the time spent (runAll)
    expect(atGrace).toBeNull();
    expect(afterGrace).toEqual({ metric: "sms_sent", expression: "count < 1", value: 5 });
  });

  it("a counter's rate at the very start of a run is finite", () => {
    // Prepare
    const registry = counterRegistry(1);
    const definitions = parseThresholds({ sms_sent: [{ threshold: "rate < 1", abortOnFail: true }] });

    // Act
    const abort = thresholdToAbort(definitions, registry, 0);

    // Assess: 1 over a millisecond
    expect(abort?.value).toBe(1000);
  });

  it("skips metrics the run does not know yet", () => {
    // Prepare
    const registry = createMetricRegistry();
    const definitions = parseThresholds({ lambda_errors: [{ threshold: "count < 1", abortOnFail: true }] });

    // Act
    const abort = thresholdToAbort(definitions, registry, 60_000);

    // Assess
    expect(abort).toBeNull();
  });
});
