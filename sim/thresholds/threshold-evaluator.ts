import { ValidationError } from "../../domain/errors";
import type { ThresholdResult } from "../../reports/summary";
import { ThresholdMetricError } from "./errors";
import { AGGREGATIONS_BY_KIND, type MetricSource, type MetricView } from "./metric-registry";
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
    const kind = source.kind(definition.metric);
    const view = source.view(definition.metric, definition.tags);
    const noSamples = view === null || isEmpty(view);
    return definition.expressions.map((expression) => {
      // k6 has no value for a rate without samples; other kinds without samples read 0.
      let value: number | null = kind === "rate" ? null : 0;
      if (!noSamples) value = measure(view, expression.aggregation, options.durationSeconds);
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
    const view = source.view(definition.metric, definition.tags);
    if (view === null || isEmpty(view)) continue;
    for (const expression of definition.expressions) {
      if (!expression.abortOnFail) continue;
      const value = measure(view, expression.aggregation, Math.max(elapsedMs / 1000, 0.001));
      if (compare(value, expression.operator, expression.value)) continue;
      if (expression.delayAbortEvalMs === null || expression.delayAbortEvalMs < elapsedMs) {
        return { metric: definition.key, expression: expression.source, value };
      }
    }
  }
  return null;
}

/** A series exists but holds no sample: a gauge never set, a rate or trend never added to. */
function isEmpty(view: MetricView): boolean {
  switch (view.kind) {
    case "gauge":
      return Number.isNaN(view.value);
    case "rate":
      return view.total === 0;
    case "trend":
      return view.trend.count === 0;
    default:
      return false;
  }
}

/** k6's sink value for an aggregation of a metric with samples (checkThresholds vetted the pair). */
function measure(view: MetricView, aggregation: Aggregation, durationSeconds: number): number {
  switch (view.kind) {
    case "counter":
      return aggregation.name === "rate" ? view.count / durationSeconds : view.count;
    case "rate":
      return view.nonZero / view.total;
    case "gauge":
      return view.value;
    case "trend": {
      const { trend } = view;
      if (aggregation.name === "avg") return trend.sum / trend.count;
      if (aggregation.name === "min") return trend.min;
      if (aggregation.name === "max") return trend.max;
      return trend.percentile(aggregation.name === "p" ? aggregation.percentile : 50);
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
