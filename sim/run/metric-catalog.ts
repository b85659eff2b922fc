import type { MetricKind } from "../thresholds/metric-registry";
import { RUN_METRICS } from "./run-metrics";

/** A tag a run metric carries, and where its values come from. */
export type RunMetricTag = "campaign" | "alarm" | "to";

export interface RunMetricInfo {
  kind: MetricKind;
  unit: string;
  tags: readonly RunMetricTag[];
  description: string;
}

/**
 * Every metric a run reports, for checking thresholds before the run and for docs/SCENARIOS.md.
 * Keyed like RUN_METRICS, so a metric added there without an entry here fails to compile.
 */
export const RUN_METRIC_INFO: Readonly<Record<keyof typeof RUN_METRICS, RunMetricInfo>> = {
  recipientsRequested: {
    kind: "counter",
    unit: "recipients",
    tags: [],
    description: "recipients the traffic asked for",
  },
  recipientsSent: {
    kind: "counter",
    unit: "recipients",
    tags: [],
    description: "recipients the carrier accepted",
  },
  recipientsFailed: {
    kind: "counter",
    unit: "recipients",
    tags: [],
    description: "recipients with a final failure (invalid number, rejected by the carrier)",
  },
  recipientsInDlq: {
    kind: "counter",
    unit: "recipients",
    tags: ["campaign"],
    description: "recipients in DLQ messages at the end",
  },
  recipientsPending: {
    kind: "counter",
    unit: "recipients",
    tags: [],
    description: "recipients still on the queue at the end",
  },
  recipientsExpired: {
    kind: "counter",
    unit: "recipients",
    tags: ["campaign"],
    description: "recipients whose message outlived its queue's retention (the source queue's, or the DLQ's)",
  },
  recipientsUnaccounted: {
    kind: "counter",
    unit: "recipients",
    tags: [],
    description: "recipients in none of the above: 0 unless the pipeline lost someone",
  },
  carrierRequests: {
    kind: "counter",
    unit: "requests",
    tags: [],
    description: "bulk API calls to the carrier",
  },
  carrierRateLimited: { kind: "counter", unit: "requests", tags: [], description: "calls answered 429" },
  carrierTransientErrors: {
    kind: "counter",
    unit: "requests",
    tags: [],
    description: "calls answered 500/503 (outages included) or reset",
  },
  carrierTimeouts: {
    kind: "counter",
    unit: "requests",
    tags: [],
    description: "calls that got no answer in time",
  },
  carrierDuplicateDeliveries: {
    kind: "counter",
    unit: "messages",
    tags: [],
    description: "the same SMS delivered twice to one recipient",
  },
  carrierRequestsPerSecondMax: {
    kind: "gauge",
    unit: "requests/s",
    tags: [],
    description: "the busiest second's accepted calls",
  },
  dlqMessages: { kind: "counter", unit: "messages", tags: [], description: "messages in the DLQ at the end" },
  queueMaxReceiveCount: {
    kind: "gauge",
    unit: "receives",
    tags: [],
    description: "the highest ApproximateReceiveCount any message reached",
  },
  lambdaInvocations: { kind: "counter", unit: "invocations", tags: [], description: "function invocations" },
  lambdaErrors: {
    kind: "counter",
    unit: "invocations",
    tags: [],
    description: "invocations that failed or timed out",
  },
  lambdaThrottles: {
    kind: "counter",
    unit: "invocations",
    tags: [],
    description: "invocations refused for concurrency",
  },
  lambdaMaxConcurrent: {
    kind: "gauge",
    unit: "invocations",
    tags: [],
    description: "most invocations at once",
  },
  alarmTransitions: {
    kind: "counter",
    unit: "transitions",
    tags: ["alarm", "to"],
    description: "alarm state changes, by alarm and new state",
  },
  slackNotifications: {
    kind: "counter",
    unit: "messages",
    tags: [],
    description: "messages posted to Slack",
  },
  campaignDrainSeconds: {
    kind: "gauge",
    unit: "seconds",
    tags: ["campaign"],
    description:
      "from a send until its last recipient is settled (sent, failed or dead-lettered); the longest send of the campaign",
  },
  campaignDlqSeconds: {
    kind: "gauge",
    unit: "seconds",
    tags: ["campaign"],
    description:
      "the longest time one of the campaign's messages spent in the DLQ: until it expired there or the run ended; 0 if none was dead-lettered",
  },
  deliveryLatencySeconds: {
    kind: "trend",
    unit: "seconds",
    tags: ["campaign"],
    description: "from a send until each recipient's final result",
  },
  costUsdTotal: { kind: "gauge", unit: "USD", tags: [], description: "the run's AWS cost at list prices" },
};

/** The catalog by metric name, as thresholds name metrics. */
export const RUN_METRICS_BY_NAME: ReadonlyMap<string, RunMetricInfo> = new Map(
  (Object.keys(RUN_METRICS) as (keyof typeof RUN_METRICS)[]).map((key) => [
    RUN_METRICS[key],
    RUN_METRIC_INFO[key],
  ]),
);
