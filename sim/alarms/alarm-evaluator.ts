import { ValidationError } from "../../domain/errors";
import type { AlarmConfig } from "../../infra/pipeline-config";
import { UnknownAlarmError, UnsupportedAlarmError } from "./errors";
import type { MetricSeries, MetricStore } from "./metric-store";

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** One period's aggregated value; `timestampMs` is the period's start, as CloudWatch labels it. */
export interface AlarmDatapoint {
  timestampMs: number;
  value: number;
}

export interface AlarmTransition {
  atMs: number;
  alarm: string;
  from: AlarmState;
  to: AlarmState;
  /** CloudWatch's NewStateReason wording. */
  reason: string;
  /** The real datapoints the decision used, newest first. */
  datapoints: AlarmDatapoint[];
}

/**
 * A transition that has actions to run: AlarmActions on -> ALARM, OKActions on -> OK,
 * InsufficientDataActions on -> INSUFFICIENT_DATA (PutMetricAlarm).
 */
export interface AlarmActionEvent {
  alarm: AlarmConfig;
  transition: AlarmTransition;
  /** Logical IDs of the topics to notify. */
  actions: string[];
}

export interface AlarmEvaluatorOptions {
  /** When the alarms were created; evaluations before it are a caller bug. */
  startMs: number;
}

export interface AlarmEvaluator {
  /**
   * Evaluates every alarm over the periods completed at `nowMs` (call it every 60 s of virtual or
   * real time) and returns the actions to run for the transitions it made.
   */
  evaluate(nowMs: number): AlarmActionEvent[];
  state(alarmName: string): AlarmState;
  history(alarmName: string): readonly AlarmTransition[];
}

/*
 * CloudWatch's rules (CloudWatch user guide, "Configuring how CloudWatch alarms treat missing data",
 * alarms-and-missing-data), which this evaluator follows:
 * - Each evaluation fetches the last R completed periods (the evaluation range, R >= N).
 * - At least N real datapoints in the range: the N most recent real ones decide (ALARM when at least
 *   M breach); TreatMissingData is not used.
 * - Fewer than N real datapoints: the missing ones are filled, as few as possible (N - real), and all
 *   real datapoints in the range take part:
 *     breaching     fills count as breaching;   notBreaching  fills count as not breaching;
 *     missing       no real datapoint -> INSUFFICIENT_DATA; M real breaching -> ALARM; a real
 *                   non-breaching one in the range -> OK; only breaching ones (fewer than M) ->
 *                   ALARM by the premature-alarm rule below, else INSUFFICIENT_DATA;
 *     ignore        the same, except that "no real datapoint", the premature rule and "only
 *                   breaching ones" keep the current state.
 * - Premature alarm rule: ALARM when, within the N most recent periods, the oldest breaching
 *   datapoint is at least M periods old and every more recent one is breaching or missing (so
 *   "- - X - -" alarms at 3 of 3 but "- - - - X" does not, yet).
 * The guide states the premature rule but not its interplay with non-breaching datapoints older
 * than the breach, nor the state it leaves when it does not fire; its tables settle the first
 * ("0 - X - -" is OK at 2 of 3) and the page's earlier edition the second ("- - - - X" at 3 of 3:
 * INSUFFICIENT_DATA under missing, current state under ignore).
 * The guide's tables (range 5, newest on the right; 0 ok, X breaching, - missing), M of N:
 *   3 of 3       missing            ignore     breaching  notBreaching
 *   0 - X - X    OK                 OK         OK         OK
 *   0 - - - -    OK                 OK         OK         OK
 *   - - - - -    INSUFFICIENT_DATA  keep       ALARM      OK
 *   0 X X - X    ALARM              ALARM      ALARM      ALARM
 *   - - X - -    ALARM              keep       ALARM      OK
 *   2 of 3
 *   0 - X - X    ALARM              ALARM      ALARM      ALARM
 *   0 0 X 0 X    ALARM              ALARM      ALARM      ALARM
 *   0 - X - -    OK                 OK         ALARM      OK
 *   - - - - 0    OK                 OK         ALARM      OK
 *   - - - X -    ALARM              keep       ALARM      OK
 * test/conformance/cloudwatch-missing-data.conformance.test.ts feeds every row to this file.
 */

type Decision = { state: AlarmState | "keep"; used: number; filled: number };

interface AlarmRuntime {
  config: AlarmConfig;
  series: MetricSeries;
  periodMs: number;
  range: number;
  state: AlarmState;
  history: AlarmTransition[];
}

export function createAlarmEvaluator(
  alarms: readonly AlarmConfig[],
  store: MetricStore,
  options: AlarmEvaluatorOptions,
): AlarmEvaluator {
  const runtimes = new Map<string, AlarmRuntime>();
  for (const config of alarms) {
    if (runtimes.has(config.name)) throw new UnsupportedAlarmError(config.name, "two alarms share this name");
    if (config.periodSeconds < 60) {
      throw new UnsupportedAlarmError(
        config.name,
        `Period ${config.periodSeconds} s needs high-resolution metrics; SQS publishes one datapoint a minute`,
      );
    }
    runtimes.set(config.name, {
      config,
      series: store.series({ namespace: config.namespace, metricName: config.metricName }, config.dimensions),
      periodMs: config.periodSeconds * 1000,
      // How many periods each evaluation fetches (CloudWatch's "evaluation range"). AWS does not
      // publish the formula; its documented tables use 5 for EvaluationPeriods 3.
      range: config.evaluationPeriods + 2,
      state: "INSUFFICIENT_DATA",
      history: [],
    });
  }
  let lastEvaluationMs = options.startMs;

  const runtime = (name: string): AlarmRuntime => {
    const found = runtimes.get(name);
    if (!found) throw new UnknownAlarmError(name, [...runtimes.keys()]);
    return found;
  };

  return {
    evaluate(nowMs) {
      if (!(nowMs >= lastEvaluationMs)) {
        throw new ValidationError(
          "nowMs",
          nowMs,
          `must not precede the last evaluation (${lastEvaluationMs})`,
        );
      }
      lastEvaluationMs = nowMs;
      const events: AlarmActionEvent[] = [];
      for (const alarm of runtimes.values()) {
        const transition = evaluateAlarm(alarm, nowMs);
        if (!transition) continue;
        const actions = actionsOn(alarm.config)[transition.to];
        if (actions.length > 0) events.push({ alarm: alarm.config, transition, actions: [...actions] });
      }
      return events;
    },
    state: (name) => runtime(name).state,
    history: (name) => runtime(name).history,
  };
}

function actionsOn(config: AlarmConfig): Record<AlarmState, string[]> {
  return {
    ALARM: config.alarmActions,
    OK: config.okActions,
    INSUFFICIENT_DATA: config.insufficientDataActions,
  };
}

function evaluateAlarm(alarm: AlarmRuntime, nowMs: number): AlarmTransition | undefined {
  const { config, periodMs } = alarm;
  // Periods are aligned to the epoch; only those ending at or before now are complete.
  const lastEnd = Math.floor(nowMs / periodMs) * periodMs;
  const points: (AlarmDatapoint | undefined)[] = [];
  for (let k = 1; k <= alarm.range; k++) {
    const start = lastEnd - k * periodMs;
    const value = alarm.series.statistic(start, start + periodMs, config.statistic);
    points.push(value === undefined ? undefined : { timestampMs: start, value });
  }
  const breaches = points.map((p) => (p === undefined ? undefined : breaching(config, p.value)));
  const decision = decide(breaches, config);
  if (decision.state === "keep" || decision.state === alarm.state) return undefined;
  const used = points.filter((p): p is AlarmDatapoint => p !== undefined).slice(0, decision.used);
  const transition: AlarmTransition = {
    atMs: nowMs,
    alarm: config.name,
    from: alarm.state,
    to: decision.state,
    reason: reasonFor(config, alarm.state, decision.state, decision, used, alarm.range),
    datapoints: used,
  };
  alarm.state = decision.state;
  alarm.history.push(transition);
  return transition;
}

/** `points` newest first: true breaching, false not breaching, undefined missing. */
function decide(points: (boolean | undefined)[], config: AlarmConfig): Decision {
  const m = config.datapointsToAlarm;
  const n = config.evaluationPeriods;
  // The N most recent real datapoints; when there are fewer, all of them, and the rest are filled.
  const real = points.filter((p): p is boolean => p !== undefined).slice(0, n);
  const breaches = real.filter(Boolean).length;
  const filled = n - real.length;
  const result = (state: Decision["state"]): Decision => ({ state, used: n, filled });
  switch (config.treatMissingData) {
    case "breaching":
      return result(breaches + filled >= m ? "ALARM" : "OK");
    case "notBreaching":
      return result(breaches >= m ? "ALARM" : "OK");
    case "missing":
    case "ignore":
      if (breaches >= m) return result("ALARM");
      if (real.includes(false)) return result("OK");
      // Left: fewer than M real datapoints, all breaching, or none at all.
      if (config.treatMissingData === "ignore") return result("keep");
      return prematureAlarm(points, m, n)
        ? result("ALARM")
        : { state: "INSUFFICIENT_DATA", used: 0, filled: 0 };
  }
}

/**
 * Within the N newest periods, the oldest breach is at least M periods old. Only asked when no real
 * datapoint in the range is OK, so every more recent one is breaching or missing.
 */
function prematureAlarm(points: (boolean | undefined)[], m: number, n: number): boolean {
  return points.slice(0, n).lastIndexOf(true) + 1 >= m;
}

function breaching(config: AlarmConfig, value: number): boolean {
  switch (config.comparisonOperator) {
    case "GreaterThanOrEqualToThreshold":
      return value >= config.threshold;
    case "GreaterThanThreshold":
      return value > config.threshold;
    case "LessThanThreshold":
      return value < config.threshold;
    case "LessThanOrEqualToThreshold":
      return value <= config.threshold;
  }
}

const OPERATOR_WORDS: Record<AlarmConfig["comparisonOperator"], string> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

function reasonFor(
  config: AlarmConfig,
  from: AlarmState,
  to: AlarmState,
  decision: Decision,
  used: AlarmDatapoint[],
  range: number,
): string {
  if (to === "INSUFFICIENT_DATA") return `Insufficient Data: ${range} datapoints were unknown.`;
  // CloudWatch counts and lists the datapoints that bear the new state out: the breaching ones for
  // ALARM, the others for OK ("1 out of the last 3 datapoints [0.0 (...)] was not greater than ...").
  const counted = used.filter((p) => breaching(config, p.value) === (to === "ALARM"));
  const listed = counted
    .map((p) => `${formatDouble(p.value)} (${formatReasonTime(p.timestampMs)})`)
    .join(", ");
  const negation = to === "OK" ? "not " : "";
  const fills =
    decision.filled > 0 &&
    (config.treatMissingData === "breaching" || config.treatMissingData === "notBreaching")
      ? ` ${plural(decision.filled, "missing datapoint")} treated as [${config.treatMissingData === "breaching" ? "Breaching" : "NonBreaching"}].`
      : "";
  return (
    `Threshold Crossed: ${counted.length} out of the last ${decision.used} datapoints [${listed}] was ` +
    `${negation}${OPERATOR_WORDS[config.comparisonOperator]} the threshold (${formatDouble(config.threshold)}) ` +
    `(minimum ${plural(config.datapointsToAlarm, "datapoint")} for ${from} -> ${to} transition).${fills}`
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Java's Double.toString, as CloudWatch prints values: 5.0, 0.25, 1.5E7. */
function formatDouble(value: number): string {
  const magnitude = Math.abs(value);
  if (value !== 0 && (magnitude >= 1e7 || magnitude < 1e-3)) {
    const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
    return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** CloudWatch's reason timestamps: dd/MM/yy HH:mm:ss in UTC. */
function formatReasonTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(2, 4)} ${iso.slice(11, 19)}`;
}
