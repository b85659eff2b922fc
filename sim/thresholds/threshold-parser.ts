import { durationToMs } from "../scenario/durations";
import { ThresholdSyntaxError } from "./errors";
import { METRIC_NAME_PATTERN, type Tags } from "./metric-registry";

/**
 * One threshold as k6 takes it: an expression, or k6's object form (metrics/thresholds.go
 * thresholdConfig) whose `abortOnFail` ends the run once it fails, after `delayAbortEval` of run time.
 */
export type ThresholdSpec =
  | string
  | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string | number };

/** k6's thresholds option: `{ "http_req_duration{status:200}": ["p(95) < 500", { threshold: "avg < 200", abortOnFail: true }] }`. */
export type ThresholdsConfig = Readonly<Record<string, readonly ThresholdSpec[]>>;

export type Aggregation =
  | { name: "count" | "rate" | "value" | "avg" | "min" | "max" | "med" }
  | { name: "p"; percentile: number };

export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface ThresholdExpression {
  /** The expression as written. */
  source: string;
  aggregation: Aggregation;
  operator: ThresholdOperator;
  value: number;
  abortOnFail: boolean;
  /** Run time before a failure may abort the run; null: at once (k6's delayAbortEval unset). */
  delayAbortEvalMs: number | null;
}

export interface ThresholdDefinition {
  /** The key as written, e.g. "latency_ms{status:ok}". */
  key: string;
  metric: string;
  tags: Tags;
  expressions: ThresholdExpression[];
}

const PLAIN_AGGREGATIONS = new Set(["count", "rate", "value", "avg", "min", "max", "med"]);
// Longest first, so "<=" is not read as "<" followed by "=".
const OPERATORS = ["<=", ">=", "===", "==", "!=", "<", ">"] as const;
/** A decimal number as Go's strconv.ParseFloat reads one: a sign, ".5", "5.", an exponent. */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/;

export function parseThresholds(config: ThresholdsConfig): ThresholdDefinition[] {
  return Object.entries(config).map(([key, expressions]) => {
    if (!Array.isArray(expressions) || expressions.length === 0) {
      throw new ThresholdSyntaxError(
        key,
        null,
        String(expressions),
        "expected a non-empty array of expressions",
      );
    }
    return {
      key,
      ...parseThresholdKey(key),
      expressions: expressions.map((spec) => parseThresholdSpec(key, spec)),
    };
  });
}

/** A string expression, or k6's `{ threshold, abortOnFail, delayAbortEval }`. */
export function parseThresholdSpec(key: string, spec: ThresholdSpec): ThresholdExpression {
  if (spec === null || typeof spec !== "object") return parseThresholdExpression(key, spec as string);
  const parsed = parseThresholdExpression(key, spec.threshold);
  let delayAbortEvalMs: number | null = null;
  if (spec.delayAbortEval !== undefined) {
    // A number is milliseconds, as k6 reads one; durationToMs reads a unitless text the same way.
    const text = String(spec.delayAbortEval);
    delayAbortEvalMs = durationToMs(text);
    if (delayAbortEvalMs === null || delayAbortEvalMs < 0)
      throw new ThresholdSyntaxError(
        key,
        spec.threshold,
        text,
        'delayAbortEval: expected a duration like "10s"',
      );
  }
  return { ...parsed, abortOnFail: spec.abortOnFail === true, delayAbortEvalMs };
}

/**
 * `metric` or `metric{tag:value,...}`, as k6 reads a threshold's key: the tag set runs from the
 * first "{" to a "}" that ends the key (values may hold braces and colons: `{url:http://${}.com}`),
 * each tag needs ":" and a value; names and values are trimmed of spaces, then of quotes
 * (`{campaign:"spring sale"}`; metrics/metric.go ParseMetricName and AddSubmetric).
 */
export function parseThresholdKey(key: string): { metric: string; tags: Tags } {
  const open = key.indexOf("{");
  const close = key.lastIndexOf("}");
  const metric = (open < 0 ? key : key.slice(0, open)).trim();
  if (!METRIC_NAME_PATTERN.test(metric)) {
    throw new ThresholdSyntaxError(
      key,
      null,
      metric,
      "expected a metric name (a letter or _, then letters, digits, _ . -)",
    );
  }
  // A "}" before any "{" is in the metric name, which the pattern above refuses.
  if (open < 0) return { metric, tags: {} };
  if (close < 0)
    throw new ThresholdSyntaxError(key, null, key.slice(open), "unmatched { or } in the tag set");
  if (close !== key.length - 1) {
    throw new ThresholdSyntaxError(key, null, key.slice(close + 1), 'unexpected text after "}"');
  }
  const tags: Record<string, string> = {};
  for (const pair of key.slice(open + 1, close).split(",")) {
    const colon = pair.indexOf(":");
    if (colon < 0 || pair.slice(colon + 1) === "")
      throw new ThresholdSyntaxError(key, null, pair.trim(), 'expected "tag:value"');
    const name = unquote(pair.slice(0, colon));
    if (name === "") throw new ThresholdSyntaxError(key, null, pair.trim(), "expected a tag name");
    tags[name] = unquote(pair.slice(colon + 1));
  }
  return { metric, tags };
}

function unquote(text: string): string {
  return text.trim().replace(/^["']+|["']+$/g, "");
}

/** `<aggregation> <operator> <number>`, e.g. "p(99.9) < 1500"; spaces are optional. */
export function parseThresholdExpression(key: string, source: string): ThresholdExpression {
  if (typeof source !== "string") {
    throw new ThresholdSyntaxError(key, String(source), String(source), "expected a string expression");
  }
  let at = 0;
  const skipSpaces = () => {
    // Past the end charAt gives "", which is not a space.
    while (/\s/.test(source.charAt(at))) at++;
  };
  const fail = (reason: string, token = source.slice(at).replace(/\s.*/s, "")): never => {
    throw new ThresholdSyntaxError(key, source, token, reason);
  };

  skipSpaces();
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(at))?.[0];
  if (name === undefined)
    return fail("expected an aggregation (count, rate, value, avg, min, max, med or p(N))");
  let aggregation: Aggregation;
  if (name === "p") {
    // k6 takes `p(` number `)` with nothing else inside, the number as strconv.ParseFloat reads it
    // (".5" is 0.5, " 95 " is not a number) and within 0-100 (metrics/thresholds_parser.go
    // parseThresholdAggregationMethod).
    at += 1;
    if (source.charAt(at) !== "(") return fail('expected "(" after p, as in p(95)');
    at++;
    const digits = NUMBER.exec(source.slice(at))?.[0];
    if (digits === undefined) return fail("expected a percentile between 0 and 100");
    const percentile = Number(digits);
    if (percentile < 0 || percentile > 100) return fail("expected a percentile between 0 and 100", digits);
    at += digits.length;
    if (source.charAt(at) !== ")") return fail('expected ")" to close p(');
    at++;
    aggregation = { name: "p", percentile };
  } else if (PLAIN_AGGREGATIONS.has(name)) {
    at += name.length;
    aggregation = { name } as Aggregation;
  } else {
    return fail("unknown aggregation; expected count, rate, value, avg, min, max, med or p(N)", name);
  }

  skipSpaces();
  const operator = OPERATORS.find((op) => source.startsWith(op, at));
  if (operator === undefined) return fail("expected an operator: < <= > >= == !=");
  at += operator.length;
  skipSpaces();
  const number = NUMBER.exec(source.slice(at))?.[0];
  if (number === undefined) return fail("expected a number");
  at += number.length;
  skipSpaces();
  if (at < source.length) return fail("unexpected text after the number");
  // k6 accepts === as a synonym of ==.
  return {
    source,
    aggregation,
    operator: operator === "===" ? "==" : operator,
    value: Number(number),
    abortOnFail: false,
    delayAbortEvalMs: null,
  };
}

export function describeAggregation(aggregation: Aggregation): string {
  return aggregation.name === "p" ? `p(${aggregation.percentile})` : aggregation.name;
}
