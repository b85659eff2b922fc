import { estimateCost } from "../../reports/cost";
import type { CampaignSummary, RunSummary } from "../../reports/summary";
import type { AlarmEvaluator } from "../alarms/alarm-evaluator";
import type { SlackNotifier } from "../alarms/slack-notifier";
import { type EsmBackoffCounters, reportEsmAssumptions } from "../esm/esm-backoff";
import type { Scenario } from "../scenario/load-scenario";
import type { MetricRegistry, TrendSummary } from "../thresholds/metric-registry";
import { evaluateThresholds } from "../thresholds/threshold-evaluator";
import { parseThresholds } from "../thresholds/threshold-parser";
import { recordInterimMetrics } from "./abort-on-fail";
import type { FirstAlarm } from "./minute-sampler";
import { RUN_METRICS } from "./run-metrics";

/** One traffic entry's sends, as an engine tracked them. */
export interface CampaignFacts {
  name: string;
  recipients: number;
  firstSendMs: number;
  /** Longest time from a send of this entry until its last recipient left the pipeline. */
  drainMs: number;
  /** Its recipients in DLQ messages at the end. */
  inDlq: number;
  /** Its recipients whose message outlived its queue's retention (the source queue's or the DLQ's). */
  expired: number;
  /** The longest time one of its messages spent in the DLQ: until it expired there, or the run ended. */
  longestInDlqMs: number;
}

/** What an engine measured; buildRunSummary turns it into the report and checks the thresholds. */
export interface RunFacts {
  scenario: Scenario;
  engine: RunSummary["engine"];
  startMs: number;
  scenarioMs: number;
  wallMs: number;
  recipients: RunSummary["recipients"];
  carrier: RunSummary["carrier"];
  queue: RunSummary["queue"];
  lambda: RunSummary["lambda"];
  /** The event source mapping's counters (its stats()). */
  esm: EsmBackoffCounters;
  /** DLQ depth at the end of the run (messages, including malformed ones). */
  dlqMessages: number;
  campaigns: CampaignFacts[];
  /** Billed SQS requests of the run, for its cost. */
  sqsRequests: number;
  evaluator: AlarmEvaluator;
  /** The minute sampler's firstAlarms(): each alarm's first firing, earliest and latest. */
  firstAlarms: FirstAlarm[];
  notifier: SlackNotifier;
  /** The engine's registry; it holds delivery_latency_seconds{campaign} already. */
  metrics: MetricRegistry;
}

export function buildRunSummary(facts: RunFacts): RunSummary {
  const { scenario, metrics, startMs } = facts;
  const seconds = (ms: number) => Math.round(ms) / 1000;
  const cost = estimateCost(
    {
      sqsRequests: facts.sqsRequests,
      lambdaInvocations: facts.lambda.invocations,
      lambdaGbSeconds: facts.lambda.gbSeconds,
      architecture: scenario.pipeline.lambda.architecture,
      alarms: scenario.pipeline.alarms.length,
      scenarioSeconds: facts.scenarioMs / 1000,
    },
    { region: scenario.pipeline.region, prices: scenario.prices },
  );
  const alarms = scenario.pipeline.alarms.map((alarm) => {
    const first = facts.firstAlarms.find((f) => f.alarm === alarm.name);
    return {
      name: alarm.name,
      transitions: facts.evaluator.history(alarm.name).map((t) => ({
        atSeconds: seconds(t.atMs - startMs),
        from: t.from,
        to: t.to,
      })),
      firstAlarm: first
        ? {
            earliestSeconds: seconds(first.earliestMs - startMs),
            latestSeconds: first.latestMs === null ? null : seconds(first.latestMs - startMs),
            metricsResumeDelaySeconds: seconds(first.resumeDelayMs),
          }
        : null,
    };
  });
  const notifications = facts.notifier.notifications.map((n) => ({
    atSeconds: seconds(n.atMs - startMs),
    alarm: n.alarm,
    state: n.state,
    text: n.text,
  }));

  const counters: [string, number][] = [
    [RUN_METRICS.recipientsRequested, facts.recipients.requested],
    [RUN_METRICS.recipientsSent, facts.recipients.sent],
    [RUN_METRICS.recipientsFailed, facts.recipients.failed],
    [RUN_METRICS.recipientsPending, facts.recipients.pending],
    [RUN_METRICS.recipientsUnaccounted, facts.recipients.unaccounted],
    [RUN_METRICS.carrierDuplicateDeliveries, facts.carrier.duplicateDeliveries],
  ];
  for (const [name, value] of counters) metrics.counter(name).add(value);
  // Per campaign, so `recipients_in_dlq{campaign:x}` reads one campaign and the untagged total still sums them all.
  addByCampaign(
    metrics,
    RUN_METRICS.recipientsInDlq,
    facts.recipients.inDlq,
    facts.campaigns,
    (c) => c.inDlq,
  );
  addByCampaign(
    metrics,
    RUN_METRICS.recipientsExpired,
    facts.recipients.expired,
    facts.campaigns,
    (c) => c.expired,
  );
  // A run with no alarm transition still has the metric, at 0.
  metrics.counter(RUN_METRICS.alarmTransitions).add(0);
  recordInterimMetrics(
    metrics,
    {
      carrier: facts.carrier,
      dlqMessages: facts.dlqMessages,
      lambda: facts.lambda,
      slackNotifications: notifications.length,
    },
    alarms,
  );
  metrics.gauge(RUN_METRICS.carrierRequestsPerSecondMax).set(facts.carrier.maxAcceptedRequestsPerSecond);
  metrics.gauge(RUN_METRICS.queueMaxReceiveCount).set(facts.queue.maxApproximateReceiveCount);
  metrics.gauge(RUN_METRICS.costUsdTotal).set(cost.total);
  const drain = metrics.gauge(RUN_METRICS.campaignDrainSeconds);
  const inDlq = metrics.gauge(RUN_METRICS.campaignDlqSeconds);
  const latency = metrics.trend(RUN_METRICS.deliveryLatencySeconds);
  const campaigns: CampaignSummary[] = facts.campaigns.map((c) => {
    drain.set(seconds(c.drainMs), { campaign: c.name });
    inDlq.set(seconds(c.longestInDlqMs), { campaign: c.name });
    const view = metrics.view(latency.name, { campaign: c.name });
    const trend: TrendSummary | null = view?.kind === "trend" ? view.trend : null;
    const pct = (p: number) => (trend && trend.count > 0 ? round3(trend.percentile(p)) : null);
    return {
      name: c.name,
      recipients: c.recipients,
      startSeconds: seconds(c.firstSendMs - startMs),
      drainSeconds: seconds(c.drainMs),
      latencySeconds: { p50: pct(50), p95: pct(95), p99: pct(99) },
      dlq: { recipients: c.inDlq, longestSeconds: seconds(c.longestInDlqMs) },
      expiredRecipients: c.expired,
    };
  });

  const thresholds = evaluateThresholds(parseThresholds(scenario.thresholds), metrics, {
    durationSeconds: Math.max(facts.scenarioMs / 1000, 0.001),
  });
  return {
    scenario: scenario.name,
    engine: facts.engine,
    seed: scenario.seed,
    scenarioSeconds: seconds(facts.scenarioMs),
    wallSeconds: seconds(facts.wallMs),
    recipients: facts.recipients,
    carrier: facts.carrier,
    queue: facts.queue,
    lambda: { ...facts.lambda, gbSeconds: round3(facts.lambda.gbSeconds) },
    esm: reportEsmAssumptions(scenario.esm, facts.esm, {
      reportBatchItemFailures: scenario.pipeline.esm.reportBatchItemFailures,
      recipientsInDlq: facts.recipients.inDlq,
    }),
    campaigns,
    alarms,
    notifications,
    thresholds,
    costUsd: cost,
    advice: scenario.pipeline.warnings,
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Adds `total` to `metric` as one sample per campaign, and what no campaign claims untagged. */
function addByCampaign(
  metrics: MetricRegistry,
  metric: string,
  total: number,
  campaigns: readonly CampaignFacts[],
  of: (c: CampaignFacts) => number,
): void {
  const counter = metrics.counter(metric);
  let claimed = 0;
  for (const c of campaigns) {
    counter.add(of(c), { campaign: c.name });
    claimed += of(c);
  }
  counter.add(Math.max(0, total - claimed));
}
