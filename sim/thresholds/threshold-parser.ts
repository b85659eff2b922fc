import { ThresholdSyntaxError } from "./errors";
import { METRIC_NAME_PATTERN, type Tags } from "./metric-registry";

/** k6's thresholds option: `{ "http_req_duration{status:200}": ["p(95) < 500", "avg < 200"] }`. */
export type ThresholdsConfig = Readonly<Record<string, readonly string[]>>;

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
const TAG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseThresholds(config: ThresholdsConfig): ThresholdDefinition[] {
  return Object.entries(config).map(([key, expressions]) => {
    if (!Array.isArray(expressions) || expressions.length === 0) {
      throw new ThresholdSyntaxError(key, null, "", "expected a non-empty array of expressions");
    }
    return {
      key,
      ...parseThresholdKey(key),
      expressions: expressions.map((expression) => parseThresholdExpression(key, expression)),
    };
  });
}

/** `metric` or `metric{tag:value,...}`; whitespace around names and values is ignored. */
export function parseThresholdKey(key: string): { metric: string; tags: Tags } {
  const brace = key.indexOf("{");
  const metric = (brace < 0 ? key : key.slice(0, brace)).trim();
  if (!METRIC_NAME_PATTERN.test(metric)) {
    throw new ThresholdSyntaxError(
      key,
      null,
      metric,
      "expected a metric name (a letter or _, then letters, digits, _ . -)",
    );
  }
  if (brace < 0) return { metric, tags: {} };
  const close = key.indexOf("}", brace);
  if (close < 0)
    throw new ThresholdSyntaxError(key, null, key.slice(brace), 'expected "}" to close the tag set');
  if (key.slice(close + 1).trim() !== "") {
    throw new ThresholdSyntaxError(key, null, key.slice(close + 1).trim(), 'unexpected text after "}"');
  }
  const body = key.slice(brace + 1, close);
  if (body.trim() === "") throw new ThresholdSyntaxError(key, null, "{}", "empty tag set");
  const tags: Record<string, string> = {};
  for (const pair of body.split(",")) {
    const colon = pair.indexOf(":");
    if (colon < 0) throw new ThresholdSyntaxError(key, null, pair.trim(), 'expected "tag:value"');
    const name = pair.slice(0, colon).trim();
    const value = pair.slice(colon + 1).trim();
    if (!TAG_NAME.test(name)) throw new ThresholdSyntaxError(key, null, name, "expected a tag name");
    if (value === "") throw new ThresholdSyntaxError(key, null, pair.trim(), `tag ${name} has no value`);
    if (name in tags) throw new ThresholdSyntaxError(key, null, name, `tag ${name} given twice`);
    tags[name] = value;
  }
  return { metric, tags };
}

/** `<aggregation> <operator> <number>`, e.g. "p(99.9) < 1500"; spaces are optional. */
export function parseThresholdExpression(key: string, source: string): ThresholdExpression {
  if (typeof source !== "string") {
    throw new ThresholdSyntaxError(key, String(source), String(source), "expected a string expression");
  }
  let at = 0;
  const skipSpaces = () => {
    while (at < source.length && /\s/.test(source.charAt(at))) at++;
  };
  const fail = (reason: string, token = /^\S*/.exec(source.slice(at))?.[0] ?? ""): never => {
    throw new ThresholdSyntaxError(key, source, token, reason);
  };

  skipSpaces();
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(at))?.[0];
  if (name === undefined)
    return fail("expected an aggregation (count, rate, value, avg, min, max, med or p(N))");
  let aggregation: Aggregation;
  if (name === "p") {
    at += 1;
    skipSpaces();
    if (source.charAt(at) !== "(") return fail('expected "(" after p, as in p(95)');
    at++;
    skipSpaces();
    const digits = /^\d+(\.\d+)?/.exec(source.slice(at))?.[0];
    if (digits === undefined) return fail("expected a percentile between 0 and 100");
    const percentile = Number(digits);
    if (percentile > 100) return fail("expected a percentile between 0 and 100", digits);
    at += digits.length;
    skipSpaces();
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
  const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(source.slice(at))?.[0];
  if (number === undefined) return fail("expected a number");
  at += number.length;
  skipSpaces();
  if (at < source.length) return fail("unexpected text after the number");
  // k6 accepts === as a synonym of ==.
  return { source, aggregation, operator: operator === "===" ? "==" : operator, value: Number(number) };
}

export function describeAggregation(aggregation: Aggregation): string {
  return aggregation.name === "p" ? `p(${aggregation.percentile})` : aggregation.name;
}
