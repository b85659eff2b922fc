import { describe, expect, it } from "vitest";
import { ThresholdMetricError, ThresholdSyntaxError } from "../../sim/thresholds/errors";
import { createMetricRegistry, type MetricRegistry } from "../../sim/thresholds/metric-registry";
import {
  checkThresholds,
  evaluateThresholds,
  thresholdToAbort,
} from "../../sim/thresholds/threshold-evaluator";
import {
  parseThresholdExpression,
  parseThresholdKey,
  parseThresholds,
  type ThresholdsConfig,
} from "../../sim/thresholds/threshold-parser";

function evaluate(registry: MetricRegistry, config: ThresholdsConfig) {
  return evaluateThresholds(parseThresholds(config), registry, { durationSeconds: 1 });
}

describe("k6 metrics/thresholds_parser_test.go", () => {
  it.each([
    ["count!20", null],
    ["foo>20", null],
    ["count>abc", null],
    ["count>20", { aggregation: { name: "count" }, operator: ">", value: 20 }],
  ])("TestParseThresholdExpression: %j", (source, expected) => {
    // Prepare: k6's row (null: k6 expects an error)
    const act = () => parseThresholdExpression("m", source);
    // Act + Assess
    if (expected === null) expect(act).toThrow(ThresholdSyntaxError);
    else expect(act()).toMatchObject(expected);
  });

  it.each([
    ["count", true],
    ["rate", true],
    ["value", true],
    ["avg", true],
    ["min", true],
    ["max", true],
    ["med", true],
    ["p(99)", true],
    ["p(99.9)", true],
    ["p(0)", true],
    ["p(100)", true],
    ["foo", false],
    ["p()", false],
    ["p(99", false],
    ["p(foo)", false],
    ["p(-1)", false],
    ["p(101)", false],
    ["p(NaN)", false],
    ["p(+Inf)", false],
  ])("TestParseThresholdAggregationMethod: %j", (aggregation, valid) => {
    // Prepare: the aggregation in an expression
    const act = () => parseThresholdExpression("m", `${aggregation} < 1`);
    // Act + Assess
    if (valid) expect(act).not.toThrow();
    else expect(act).toThrow(ThresholdSyntaxError);
  });

  // TestScanThresholdExpression, with k6's placeholders foo and bar as an aggregation and a number.
  it.each([
    ["count<=1", "<="],
    ["count<1", "<"],
    ["count>=1", ">="],
    ["count>1", ">"],
    ["count===1", "=="],
    ["count==1", "=="],
    ["count!=1", "!="],
    ["  count  <=1", "<="],
    ["count<=  1  ", "<="],
    ["count!1", null],
  ])("TestScanThresholdExpression: %j", (source, operator) => {
    // Prepare
    const act = () => parseThresholdExpression("m", source);
    // Act + Assess
    if (operator === null) expect(act).toThrow(ThresholdSyntaxError);
    else expect(act().operator).toBe(operator);
  });
});

describe("k6 metrics/thresholds_parser.go parseThresholdAggregationMethod", () => {
  // k6 trims the text before the operator, needs it to start with "p(" and end with ")", and reads
  // what lies between with strconv.ParseFloat, which takes ".5" and "1e1" but no spaces.
  it.each([
    ["p(.5)", 0.5],
    ["p(5.)", 5],
    ["p(1e1)", 10],
    ["  p(99.9)  ", 99.9],
    ["p( 95 )", null],
    ["p(95 )", null],
    ["p (95)", null],
    ["p(-0.1)", null],
    ["p(100.01)", null],
  ])("a percentile written %j", (aggregation, percentile) => {
    // Prepare
    const act = () => parseThresholdExpression("m", `${aggregation}< 1`);
    // Act + Assess
    if (percentile === null) expect(act).toThrow(ThresholdSyntaxError);
    else expect(act().aggregation).toEqual({ name: "p", percentile });
  });
});

/** k6's keys hold a literal "${}"; built from this so it reads as data, not a template. */
const DOLLAR = "$";

describe("k6 metrics/metric_test.go", () => {
  it.each([
    ["test_metric", {}],
    ["test_metric{abc:123}", { abc: "123" }],
    ["test_metric{abc:123,easyas:doremi}", { abc: "123", easyas: "doremi" }],
    ["test_metric{abc:123, easyas:doremi}", { abc: "123", easyas: "doremi" }],
    ["test_metric{group:::mygroup}", { group: "::mygroup" }],
    [`http_req_duration{name:http://${DOLLAR}{}.com}`, { name: `http://${DOLLAR}{}.com` }],
    [
      `http_req_duration{name:http://${DOLLAR}{}.com,url:ssh://github.com:grafana/k6}`,
      { name: `http://${DOLLAR}{}.com`, url: "ssh://github.com:grafana/k6" },
    ],
    ["test_metric{easyas}", null],
    ["test_metric{easyas:}", null],
    ["test_metric{abc:123,easyas:}", null],
    ["test_metric{abc:123,easyas:doremi", null],
    ["test_metricabc:123,easyas:doremi}", null],
    ["test_metric}abc:123,easyas:doremi}", null],
    ["test_metric{abc:123,easyas:doremi}}abc", null],
  ])("TestParseMetricName: %j", (key, tags) => {
    // Prepare: k6's row (null: k6 expects an error)
    const act = () => parseThresholdKey(key);
    // Act + Assess
    if (tags === null) expect(act).toThrow(ThresholdSyntaxError);
    else expect(act().tags).toEqual(tags);
  });

  // TestAddSubmetric's rows with a value for every tag (a threshold key needs one, by ParseMetricName).
  it.each([
    ["a:1", { a: "1" }],
    [" a : 1 ", { a: "1" }],
    [` a:"",b: ''`, { a: "", b: "" }],
    ["a:1,b:2", { a: "1", b: "2" }],
    [" a : 1, b : 2 ", { a: "1", b: "2" }],
    [`a : '1' , b : "2"`, { a: "1", b: "2" }],
    [`" a" : ' 1' , b : "2 " `, { " a": " 1", b: "2 " }],
    [`campaign:"spring sale"`, { campaign: "spring sale" }],
  ])("TestAddSubmetric: quotes and spaces around tag names and values, %j", (body, tags) => {
    // Prepare
    const key = `metric{${body}}`;
    // Act
    const parsed = parseThresholdKey(key);
    // Assess
    expect(parsed.tags).toEqual(tags);
  });
});

describe("k6 metrics/metric_type.go supportedAggregationMethods", () => {
  it.each([
    ["counter", ["count", "rate"], ["value", "avg", "p(95)"]],
    ["gauge", ["value"], ["min", "max", "count", "avg"]],
    ["rate", ["rate"], ["count", "value"]],
    ["trend", ["avg", "min", "max", "med", "p(95)"], ["count", "rate", "value"]],
  ] as const)("a %s takes %j and refuses %j", (kind, allowed, refused) => {
    // Prepare
    const registry = createMetricRegistry();
    registry[kind]("m");
    const check = (aggregation: string) => () =>
      checkThresholds(parseThresholds({ m: [`${aggregation} < 1`] }), registry);
    // Act + Assess
    for (const aggregation of allowed) expect(check(aggregation)).not.toThrow();
    for (const aggregation of refused) expect(check(aggregation)).toThrow(ThresholdMetricError);
  });
});

describe("k6 metrics/thresholds_test.go", () => {
  it.each([
    ["a counter's existing sink", (r: MetricRegistry) => r.counter("m").add(1234.5), "count<2000", true],
    [
      "a counter's existing sink, failing",
      (r: MetricRegistry) => r.counter("m").add(3000),
      "count<2000",
      false,
    ],
    ["a trend without values, passing med", (r: MetricRegistry) => void r.trend("m"), "med<39", true],
    ["a trend without values, failing med", (r: MetricRegistry) => void r.trend("m"), "med>39", false],
    [
      "a trend with values, passing med",
      (r: MetricRegistry) => {
        for (const v of [70, 80, 90]) r.trend("m").add(v);
      },
      "med>39",
      true,
    ],
    [
      "a trend with values, failing med",
      (r: MetricRegistry) => {
        for (const v of [70, 80, 90]) r.trend("m").add(v);
      },
      "med<39",
      false,
    ],
    [
      "a rate without samples: no value, so it does not fail",
      (r: MetricRegistry) => r.rate("m"),
      "rate>0.5",
      true,
    ],
  ])("TestThresholdsRun: %s", (_name, feed, expression, ok) => {
    // Prepare
    const registry = createMetricRegistry();
    feed(registry);
    // Act
    const [result] = evaluate(registry, { m: [expression] });
    // Assess
    expect(result?.ok).toBe(ok);
  });

  // TestThresholdsRunAll: sinks rate 0.0001 and p(95) 500 after 1.5 s; the first threshold aborts.
  it.each([
    ["one passing", ["rate<0.01"], false, null, false],
    ["one failing", ["p(95)<200"], false, null, false],
    ["one aborting", ["p(95)<200"], true, null, true],
    ["abort with grace period", ["p(95)<200"], true, "1s", true],
    ["no abort with grace period", ["p(95)<200"], true, "2s", false],
  ])("TestThresholdsRunAll: %s", (_name, sources, abortOnFail, grace, aborts) => {
    // Prepare: a trend whose p(95) is 500 and a rate of 0.0001
    const registry = createMetricRegistry();
    registry.trend("latency").add(500);
    const failures = registry.rate("failures");
    for (let i = 0; i < 10_000; i++) failures.add(i === 0);
    const [first, ...rest] = sources as string[];
    const metric = first?.startsWith("rate") ? "failures" : "latency";
    const spec = {
      threshold: first as string,
      abortOnFail,
      ...(grace === null ? {} : { delayAbortEval: grace }),
    };
    // Act
    const abort = thresholdToAbort(parseThresholds({ [metric]: [spec, ...rest] }), registry, 1500);
    // Assess
    expect(abort !== null).toBe(aborts);
  });

  it("internal/metrics/engine: a metric without samples never aborts the run", () => {
    // Prepare: an abortOnFail threshold that a 0 would fail, on a trend nobody fed
    const registry = createMetricRegistry();
    registry.trend("latency");
    const definitions = parseThresholds({ latency: [{ threshold: "avg > 10", abortOnFail: true }] });
    // Act
    const abort = thresholdToAbort(definitions, registry, 60_000);
    // Assess
    expect(abort).toBeNull();
  });
});
