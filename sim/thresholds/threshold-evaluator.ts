import { ValidationError } from "../../domain/errors";
import type { ThresholdResult } from "../../reports/summary";
import { ThresholdMetricError } from "./errors";
import { AGGREGATIONS_BY_KIND, type MetricKind, type MetricSource, type MetricView } from "./metric-registry";
import {
  type Aggregation,
  describeAggregation,
  type ThresholdDefinition,
  type ThresholdOperator,
} from "./threshold-parser";

export type { ThresholdResult };

/** A failed threshold with abortOnFail, when k6 would abort: its grace (delayAbortEval) is over. */
export interface ThresholdAbort {
  metric: string;
  expression: string;
  value: number;
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
 * Evaluates every expression at the end of a run, with k6's treatment of metrics without samples:
 * a counter counts 0, a gauge reads 0, a trend's aggregates are 0, and a rate has no value and
 * passes (metrics/thresholds.go Run; TestThresholdsRun). noSamples marks them in the results.
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
    const noSamples = isEmpty(view);
    return definition.expressions.map((expression) => {
      const value = measure(kind, view, expression.aggregation, options.durationSeconds);
      return {
        metric: definition.key,
        expression: expression.source,
        value,
        ok: value === null || compare(value, expression.operator, expression.value),
        noSamples,
      };
    });
  });
}

/**
 * k6's abort rule during a run (metrics/thresholds.go runAll; internal/metrics/engine): a metric
 * without samples is skipped; a failing abortOnFail threshold aborts once its delayAbortEval is
 * shorter than the run time so far (at once when unset). The first such threshold, or null.
 */
export function thresholdToAbort(
  definitions: readonly ThresholdDefinition[],
  source: MetricSource,
  elapsedMs: number,
): ThresholdAbort | null {
  for (const definition of definitions) {
    const kind = source.kind(definition.metric);
    if (kind === undefined) continue;
    const view = source.view(definition.metric, definition.tags);
    if (isEmpty(view)) continue;
    for (const expression of definition.expressions) {
      if (!expression.abortOnFail) continue;
      const value = measure(kind, view, expression.aggregation, Math.max(elapsedMs / 1000, 0.001));
      if (value === null || compare(value, expression.operator, expression.value)) continue;
      if (expression.delayAbortEvalMs === null || expression.delayAbortEvalMs < elapsedMs) {
        return { metric: definition.key, expression: expression.source, value };
      }
    }
  }
  return null;
}

function isEmpty(view: MetricView | null): boolean {
  if (view === null) return true;
  switch (view.kind) {
    case "counter":
      return false;
    case "gauge":
      return Number.isNaN(view.value);
    case "rate":
      return view.total === 0;
    case "trend":
      return view.trend.count === 0;
  }
}

/** k6's sink value for an aggregation; null where k6 has none (a rate without samples). */
function measure(
  kind: MetricKind,
  view: MetricView | null,
  aggregation: Aggregation,
  durationSeconds: number,
): number | null {
  if (view === null) return kind === "rate" ? null : 0;
  switch (view.kind) {
    case "counter":
      return aggregation.name === "rate" ? view.count / durationSeconds : view.count;
    case "rate":
      return view.total === 0 ? null : view.nonZero / view.total;
    case "gauge":
      return Number.isNaN(view.value) ? 0 : view.value;
    case "trend": {
      const { trend } = view;
      if (trend.count === 0) return 0;
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
          return 0;
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
