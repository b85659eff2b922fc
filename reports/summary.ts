import type { CostBreakdown } from "./cost";

/** One threshold expression's outcome (sim/thresholds evaluates it). */
export interface ThresholdResult {
  /** The threshold's key, e.g. "latency_ms{status:ok}". */
  metric: string;
  expression: string;
  /**
   * The measured aggregate. With no samples it is k6's: 0 for a counter, gauge or trend, and
   * null for a rate, whose threshold k6 then passes (metrics/thresholds.go Run).
   */
  value: number | null;
  ok: boolean;
  /** True when no sample matched the threshold's metric and tags. */
  noSamples?: boolean;
}

/** What a run's summary says about the mapping's backing off and the settings it rests on. */
export interface EsmAssumptionReport {
  /** Batches held and retried after a throttle; of them, the ones dropped when their window passed. */
  throttledBatches: number;
  droppedBatches: number;
  messagesDropped: number;
  /** Every EsmBackoff setting by its scenario name, with the value the run used. */
  settings: Record<string, string>;
  /** The outcomes of this run that rest on those settings, each naming them; empty when none. */
  assumptions: string[];
}

/** What one run of a scenario did, engine-independent; written as summary.json. */
export interface RunSummary {
  scenario: string;
  engine: "virtual" | "live";
  seed: number;
  /** Scenario (virtual or real) time covered by the run. */
  scenarioSeconds: number;
  /** Wall-clock time the run took. */
  wallSeconds: number;
  /** Set when the run was stopped before its end (SIGINT/SIGTERM): the figures cover `scenarioSeconds`. */
  interrupted?: true;
  /** `requested` is the sum of the other six; `unaccounted` must be 0 for a correct pipeline. */
  recipients: {
    requested: number;
    sent: number;
    failed: number;
    inDlq: number;
    pending: number;
    expired: number;
    unaccounted: number;
  };
  carrier: {
    requests: number;
    accepted: number;
    rateLimited: number;
    transientErrors: number;
    timeouts: number;
    maxAcceptedRequestsPerSecond: number;
    duplicateDeliveries: number;
  };
  queue: {
    sent: number;
    received: number;
    deleted: number;
    movedToDlq: number;
    maxApproximateReceiveCount: number;
  };
  lambda: {
    invocations: number;
    errors: number;
    throttles: number;
    maxConcurrent: number;
    gbSeconds: number;
  };
  /**
   * Throttled batches the event source mapping held, and the outcomes that rest on its settings AWS
   * does not publish (retry schedule, backoff), named with their values (docs/CONFORMANCE.md).
   */
  esm: EsmAssumptionReport;
  campaigns: CampaignSummary[];
  /** firstAlarm: null when the alarm never fired; absent in summaries written before it existed. */
  alarms: { name: string; transitions: AlarmTransition[]; firstAlarm?: FirstAlarmTiming | null }[];
  notifications: { atSeconds: number; alarm: string; state: AlarmState; text: string }[];
  /** One per expression, as sim/thresholds evaluates them (value null: the metric never reported). */
  thresholds: ThresholdResult[];
  /** The template's departures from AWS's advice, each with the page it comes from; printed once. */
  advice?: string[];
  /** Set when a threshold with abortOnFail (k6's object form) stopped the run early. */
  abortedBy?: { atSeconds: number; metric: string; expression: string; value: number };
  /** us-east-1 list prices; see reports/cost.ts for what is and is not included. */
  costUsd: CostBreakdown;
}

export interface CampaignSummary {
  name: string;
  recipients: number;
  startSeconds: number;
  /** From the campaign's start until its last recipient left the pipeline (sent, failed or DLQ). */
  drainSeconds: number;
  /** null (n/a) for a campaign with no delivery to measure. */
  latencySeconds: { p50: number | null; p95: number | null; p99: number | null };
  /** Its recipients in DLQ messages at the end, and the longest any of its messages spent there. */
  dlq: { recipients: number; longestSeconds: number };
  /** Its recipients whose message outlived a queue's retention. */
  expiredRecipients: number;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/**
 * When an alarm first fired, so Slack heard of it: earliest with SQS metrics on time, latest when
 * the DLQ had been idle and its metrics resumed `metricsResumeDelaySeconds` late (SQS developer
 * guide: up to 15 minutes). latestSeconds null: not within the delay and the alarm's range after
 * the run.
 */
export interface FirstAlarmTiming {
  earliestSeconds: number;
  latestSeconds: number | null;
  metricsResumeDelaySeconds: number;
}

export interface AlarmTransition {
  atSeconds: number;
  from: AlarmState;
  to: AlarmState;
}

/** Alarm states as numbers, so a timeline column stays an array of numbers. */
export const ALARM_STATE_CODES: Record<AlarmState, number> = { INSUFFICIENT_DATA: 0, OK: 1, ALARM: 2 };
export const ALARM_STATES: readonly AlarmState[] = ["INSUFFICIENT_DATA", "OK", "ALARM"];

/**
 * Per-minute series for the report's charts; columnar (one array per series, index = minute of the
 * scenario) so a month of 43,200 minutes stays small. Every array has `minutes` entries.
 */
export interface RunTimeline {
  minutes: number;
  /** Recipients delivered (accepted by the carrier) in the minute. */
  delivered: number[];
  /** Source queue, at the end of the minute. */
  queueVisible: number[];
  queueInFlight: number[];
  dlqDepth: number[];
  /** Accepted carrier requests per second: the mean over the minute, and the busiest second in it. */
  carrierRequestsPerSecond: number[];
  carrierRequestsPerSecondMax: number[];
  /** The carrier's requests-per-second limit, null when unlimited. */
  carrierLimitPerSecond: number | null;
  /** 429 answers in the minute. */
  carrierRateLimited: number[];
  /** Most concurrent invocations in the minute. */
  lambdaConcurrencyMax: number[];
  /** State of each alarm at the end of the minute, as ALARM_STATE_CODES. */
  alarms: { name: string; state: number[] }[];
  /** The largest campaigns' drains at a finer step (engines that record them). */
  campaigns?: CampaignWindow[];
}

/** One campaign's drain, one entry per `stepSeconds` from its enqueue until it left the pipeline. */
export interface CampaignWindow {
  campaign: string;
  recipients: number;
  /** Scenario time of the enqueue. */
  startSeconds: number;
  stepSeconds: number;
  carrierLimitPerSecond: number | null;
  /** At the end of each step. */
  queueVisible: number[];
  queueInFlight: number[];
  dlqDepth: number[];
  /** Accepted carrier requests per second over the step. */
  carrierRequestsPerSecond: number[];
  /** 429 answers, throttled invocations, and the most concurrent invocations, in the step. */
  carrierRateLimited: number[];
  lambdaThrottles: number[];
  lambdaConcurrencyMax: number[];
}

/** An all-zero timeline of `minutes` minutes, for engines to fill in. */
export function createRunTimeline(
  minutes: number,
  carrierLimitPerSecond: number | null,
  alarmNames: readonly string[] = [],
): RunTimeline {
  const zeros = () => new Array<number>(minutes).fill(0);
  return {
    minutes,
    delivered: zeros(),
    queueVisible: zeros(),
    queueInFlight: zeros(),
    dlqDepth: zeros(),
    carrierRequestsPerSecond: zeros(),
    carrierRequestsPerSecondMax: zeros(),
    carrierLimitPerSecond,
    carrierRateLimited: zeros(),
    lambdaConcurrencyMax: zeros(),
    alarms: alarmNames.map((name) => ({
      name,
      state: new Array<number>(minutes).fill(ALARM_STATE_CODES.INSUFFICIENT_DATA),
    })),
  };
}
