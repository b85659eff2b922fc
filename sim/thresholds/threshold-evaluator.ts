import { ValidationError } from "../../domain/errors";
import { ThresholdMetricError } from "./errors";
import { AGGREGATIONS_BY_KIND, type MetricKind, type MetricSource, type MetricView } from "./metric-registry";
import {
  type Aggregation,
  describeAggregation,
  type ThresholdDefinition,
  type ThresholdOperator,
} from "./threshold-parser";

export interface ThresholdResult {
  /** The threshold's key, e.g. "latency_ms{status:ok}". */
  metric: string;
  expression: string;
  /** The measured aggregate; null when there were no samples to measure (the threshold fails). */
  value: number | null;
  ok: boolean;
}

export interface ThresholdEvaluationOptions {
  /** Length of the run, for counters' `rate` (count per second). */
  durationSeconds: number;
}

/**
 * Fails fast, before a run, on thresholds naming an unknown metric or an aggregation its kind lacks
 * (k6 refuses to start on those too).
 */
export function checkThresholds(definitions: readonly ThresholdDefinition[], source: MetricSource): void {
  for (const definition of definitions) {
    const kind = source.kind(definition.metric);
    if (kind === undefined)
      throw new ThresholdMetricError(definition.key, `no metric named ${definition.metric}`);
    for (const expression of definition.expressions) {
      const name = expression.aggregation.name === "p" ? "p(N)" : expression.aggregation.name;
      const allowed = AGGREGATIONS_BY_KIND[kind];
      if (!allowed.includes(name)) {
        throw new ThresholdMetricError(
          definition.key,
          `${JSON.stringify(expression.source)}: a ${kind} supports ${allowed.join(", ")}, not ${describeAggregation(expression.aggregation)}`,
        );
      }
    }
  }
}

/**
 * Evaluates every expression. A counter without samples counts 0; any other aggregate without
 * samples is null and fails, so a threshold cannot pass on a metric nobody fed.
 */
export function evaluateThresholds(
  definitions: readonly ThresholdDefinition[],
  source: MetricSource,
  options: ThresholdEvaluationOptions,
): ThresholdResult[] {
  if (!(options.durationSeconds > 0)) {
    throw new ValidationError("durationSeconds", options.durationSeconds, "must be a positive number");
  }
  checkThresholds(definitions, source);
  return definitions.flatMap((definition) => {
    const kind = source.kind(definition.metric) as MetricKind;
    const view = source.view(definition.metric, definition.tags);
    return definition.expressions.map((expression) => {
      const measured = measure(kind, view, expression.aggregation, options.durationSeconds);
      const value = Number.isNaN(measured) ? null : measured;
      return {
        metric: definition.key,
        expression: expression.source,
        value,
        ok: value !== null && compare(value, expression.operator, expression.value),
      };
    });
  });
}

function measure(
  kind: MetricKind,
  view: MetricView | null,
  aggregation: Aggregation,
  durationSeconds: number,
): number {
  if (view === null) return kind === "counter" ? 0 : Number.NaN;
  switch (view.kind) {
    case "counter":
      return aggregation.name === "rate" ? view.count / durationSeconds : view.count;
    case "rate":
      return view.total === 0 ? Number.NaN : view.nonZero / view.total;
    case "gauge":
      return aggregation.name === "min" ? view.min : aggregation.name === "max" ? view.max : view.value;
    case "trend": {
      const { trend } = view;
      if (trend.count === 0) return Number.NaN;
      switch (aggregation.name) {
        case "avg":
          return trend.sum / trend.count;
        case "min":
          return trend.min;
        case "max":
          return trend.max;
        case "med":
          return trend.percentile(50);
        case "p":
          return trend.percentile(aggregation.percentile);
        default:
          return Number.NaN;
      }
    }
  }
}

function compare(value: number, operator: ThresholdOperator, threshold: number): boolean {
  switch (operator) {
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}
