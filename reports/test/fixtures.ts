import { DEFAULT_ESM_BACKOFF, reportEsmAssumptions } from "../../sim/esm/esm-backoff";
import { estimateCost } from "../cost";
import {
  ALARM_STATE_CODES,
  type CampaignWindow,
  createRunTimeline,
  type RunSummary,
  type RunTimeline,
} from "../summary";

/** A consistent run of 1,000 recipients with one DLQ alarm episode; `patch` replaces top-level fields. */
export function runSummary(patch: Partial<RunSummary> = {}): RunSummary {
  return {
    scenario: "fixture-run",
    engine: "virtual",
    seed: 42,
    scenarioSeconds: 7200,
    wallSeconds: 3.5,
    recipients: { requested: 1000, sent: 960, failed: 10, inDlq: 30, pending: 0, expired: 0, unaccounted: 0 },
    carrier: {
      requests: 110,
      accepted: 97,
      rateLimited: 8,
      transientErrors: 3,
      timeouts: 2,
      maxAcceptedRequestsPerSecond: 19,
      duplicateDeliveries: 0,
    },
    queue: { sent: 100, received: 109, deleted: 97, movedToDlq: 3, maxApproximateReceiveCount: 3 },
    lambda: { invocations: 30, errors: 1, throttles: 0, maxConcurrent: 5, gbSeconds: 12.5 },
    esm: reportEsmAssumptions(
      DEFAULT_ESM_BACKOFF,
      {
        throttledBatches: 0,
        droppedBatches: 0,
        recordsDropped: 0,
        errors: 1,
        timeouts: 0,
        invalidResponses: 0,
      },
      { reportBatchItemFailures: true, recipientsInDlq: 30 },
    ),
    campaigns: [
      {
        name: "spring-sale",
        recipients: 800,
        startSeconds: 600,
        drainSeconds: 95,
        latencySeconds: { p50: 30, p95: 80, p99: 92 },
        dlq: { recipients: 30, longestSeconds: 5400 },
        expiredRecipients: 0,
      },
      {
        name: "orders",
        recipients: 200,
        startSeconds: 0,
        drainSeconds: 7000,
        latencySeconds: { p50: 0.4, p95: 1.2, p99: 2.5 },
        dlq: { recipients: 0, longestSeconds: 0 },
        expiredRecipients: 0,
      },
    ],
    alarms: [
      {
        name: "messaging-dlq-alarm",
        transitions: [
          { atSeconds: 60, from: "INSUFFICIENT_DATA", to: "OK" },
          { atSeconds: 1260, from: "OK", to: "ALARM" },
        ],
      },
    ],
    notifications: [
      {
        atSeconds: 1260,
        alarm: "messaging-dlq-alarm",
        state: "ALARM",
        text: ":rotating_light: messaging-dlq-alarm is ALARM <b>3</b> messages",
      },
    ],
    thresholds: [
      { metric: "recipients_unaccounted", expression: "count == 0", value: 0, ok: true },
      {
        metric: "alarm_transitions{alarm:messaging-dlq-alarm,to:ALARM}",
        expression: "count >= 1",
        value: 1,
        ok: true,
      },
      { metric: "carrier_rate_limited", expression: "count == 0", value: 8, ok: false },
    ],
    costUsd: estimateCost({
      sqsRequests: 400,
      lambdaInvocations: 30,
      lambdaGbSeconds: 12.5,
      architecture: "arm64",
      alarms: 1,
      scenarioSeconds: 7200,
    }),
    ...patch,
  };
}

/**
 * `minutes` of a campaign-shaped run: deliveries and queue depth in a burst around the first third,
 * 429s during the peak, the DLQ growing and the alarm going to ALARM from the middle on.
 */
export function timeline(minutes = 120, limit: number | null = 20): RunTimeline {
  const t = createRunTimeline(minutes, limit, ["messaging-dlq-alarm"]);
  const burst = (m: number) => Math.max(0, 1 - Math.abs(m - minutes / 3) / (minutes / 6));
  const alarmState = t.alarms[0]?.state ?? [];
  for (let m = 0; m < minutes; m++) {
    const load = burst(m);
    t.delivered[m] = Math.round(600 * load);
    t.queueVisible[m] = Math.round(5000 * load);
    t.queueInFlight[m] = Math.round(50 * load);
    t.dlqDepth[m] = m >= minutes / 2 ? 30 : 0;
    t.carrierRequestsPerSecond[m] = 18 * load;
    t.carrierRequestsPerSecondMax[m] = Math.min(limit ?? 25, Math.round(25 * load));
    t.carrierRateLimited[m] = load > 0.8 ? 3 : 0;
    t.lambdaConcurrencyMax[m] = load > 0 ? 5 : 0;
    alarmState[m] =
      m === 0
        ? ALARM_STATE_CODES.INSUFFICIENT_DATA
        : m >= minutes / 2
          ? ALARM_STATE_CODES.ALARM
          : ALARM_STATE_CODES.OK;
  }
  return t;
}

/** The `esm` part of a run in which 3 throttled batches (30 messages) starved past their window. */
export function starvedEsm(): RunSummary["esm"] {
  return reportEsmAssumptions(
    DEFAULT_ESM_BACKOFF,
    {
      throttledBatches: 5,
      droppedBatches: 3,
      recordsDropped: 30,
      errors: 0,
      timeouts: 0,
      invalidResponses: 0,
    },
    { reportBatchItemFailures: true, recipientsInDlq: 30 },
  );
}

/** A campaign's drain over `steps` seconds: the backlog falls linearly, 429s in a burst at 40%. */
export function campaignWindow(steps = 300, limit: number | null = 20): CampaignWindow {
  const series = (f: (i: number) => number) => Array.from({ length: steps }, (_, i) => f(i));
  return {
    campaign: "spring-sale",
    recipients: 30_000,
    startSeconds: 600,
    stepSeconds: 1,
    carrierLimitPerSecond: limit,
    queueVisible: series((i) => Math.round(3000 * (1 - i / steps))),
    queueInFlight: series((i) => (i < steps - 2 ? 50 : 0)),
    dlqDepth: series((i) => (i > steps / 2 ? 3 : 0)),
    carrierRequestsPerSecond: series((i) => (i < 5 ? 4 * i : 19)),
    carrierRateLimited: series((i) => (Math.abs(i - 0.4 * steps) < 5 ? 2 : 0)),
    lambdaThrottles: series((i) => (i === 10 ? 1 : 0)),
    lambdaConcurrencyMax: series((i) => Math.min(5, 1 + i)),
  };
}
