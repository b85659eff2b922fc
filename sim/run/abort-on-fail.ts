import type { CarrierStats } from "../../provider-mock/model";
import type { AlarmEvaluator } from "../alarms/alarm-evaluator";
import type { Scenario } from "../scenario/load-scenario";
import { createMetricRegistry, type MetricRegistry } from "../thresholds/metric-registry";
import { type ThresholdAbort, thresholdToAbort } from "../thresholds/threshold-evaluator";
import { parseThresholds } from "../thresholds/threshold-parser";
import { RUN_METRICS } from "./run-metrics";

/** What an engine knows in the middle of a run: cumulative counts, read once a scenario minute. */
export interface InterimFacts {
  carrier: Pick<CarrierStats, "requests" | "rateLimited" | "transientErrors" | "timeouts">;
  dlqMessages: number;
  lambda: { invocations: number; errors: number; throttles: number; maxConcurrent: number };
  slackNotifications: number;
}

/**
 * Metrics an abortOnFail threshold can stop a run on. The recipient counts, drains, latencies and
 * cost are settled only when the run ends, so thresholds on them are checked then, as usual.
 */
export const INTERIM_METRICS: ReadonlySet<string> = new Set([
  RUN_METRICS.carrierRequests,
  RUN_METRICS.carrierRateLimited,
  RUN_METRICS.carrierTransientErrors,
  RUN_METRICS.carrierTimeouts,
  RUN_METRICS.dlqMessages,
  RUN_METRICS.lambdaInvocations,
  RUN_METRICS.lambdaErrors,
  RUN_METRICS.lambdaThrottles,
  RUN_METRICS.lambdaMaxConcurrent,
  RUN_METRICS.alarmTransitions,
  RUN_METRICS.slackNotifications,
]);

/** Feeds the metrics known mid-run, as counters (and a gauge) by their RUN_METRICS names. */
export function recordInterimMetrics(
  metrics: MetricRegistry,
  facts: InterimFacts,
  alarms: readonly { name: string; transitions: readonly { to: string }[] }[],
): void {
  const counters: [string, number][] = [
    [RUN_METRICS.carrierRequests, facts.carrier.requests],
    [RUN_METRICS.carrierRateLimited, facts.carrier.rateLimited],
    [RUN_METRICS.carrierTransientErrors, facts.carrier.transientErrors],
    [RUN_METRICS.carrierTimeouts, facts.carrier.timeouts],
    [RUN_METRICS.dlqMessages, facts.dlqMessages],
    [RUN_METRICS.lambdaInvocations, facts.lambda.invocations],
    [RUN_METRICS.lambdaErrors, facts.lambda.errors],
    [RUN_METRICS.lambdaThrottles, facts.lambda.throttles],
    [RUN_METRICS.slackNotifications, facts.slackNotifications],
  ];
  for (const [name, value] of counters) metrics.counter(name).add(value);
  metrics.gauge(RUN_METRICS.lambdaMaxConcurrent).set(facts.lambda.maxConcurrent);
  const transitions = metrics.counter(RUN_METRICS.alarmTransitions);
  for (const alarm of alarms) {
    for (const t of alarm.transitions) transitions.add(1, { alarm: alarm.name, to: t.to });
  }
}

export interface AbortWatch {
  /** The threshold that ends the run now (k6's abortOnFail), or null to go on. */
  check(facts: InterimFacts, elapsedMs: number): ThresholdAbort | null;
}

/**
 * k6's abortOnFail for a run in progress: null when no threshold asks for it. The engine calls
 * check once a scenario minute (k6 evaluates every 2 s; our metrics move by the minute).
 */
export function createAbortWatch(scenario: Scenario, evaluator: AlarmEvaluator): AbortWatch | null {
  const definitions = parseThresholds(scenario.thresholds)
    .map((d) => ({ ...d, expressions: d.expressions.filter((e) => e.abortOnFail) }))
    .filter((d) => d.expressions.length > 0 && INTERIM_METRICS.has(d.metric));
  if (definitions.length === 0) return null;
  return {
    check(facts, elapsedMs) {
      const metrics = createMetricRegistry();
      const alarms = scenario.pipeline.alarms.map((alarm) => ({
        name: alarm.name,
        transitions: evaluator.history(alarm.name),
      }));
      recordInterimMetrics(metrics, facts, alarms);
      return thresholdToAbort(definitions, metrics, elapsedMs);
    },
  };
}
