import type { QueueDepth } from "../../domain/sqs-client";
import type { PipelineConfig } from "../../infra/pipeline-config";
import type { CarrierStats } from "../../provider-mock/model";
import { ALARM_STATE_CODES, createRunTimeline, type RunTimeline } from "../../reports/summary";
import { type AlarmEvaluator, createAlarmEvaluator } from "../alarms/alarm-evaluator";
import { buildAlarmNotification } from "../alarms/alarm-notification";
import { createMetricStore, MINUTE_MS } from "../alarms/metric-store";
import type { SlackNotifier } from "../alarms/slack-notifier";
import { createSqsMetricsPublisher, type SqsMinuteSample } from "../alarms/sqs-metrics";

/** One queue as a sampler reads it: the same fields, but counters since the queue was created. */
export type QueueReading = SqsMinuteSample;

/** What the sampler needs of the carrier model's stats; its stats object can be passed as it is. */
export type CarrierReading = Pick<CarrierStats, "accepted" | "rateLimited" | "recipientsAccepted">;

/** A queue as GetQueueAttributes reports it, with the action counts the engine kept (SQS reports none). */
export function queueReadingOf(
  depth: QueueDepth,
  counts: Pick<QueueReading, "sent" | "received" | "deleted" | "emptyReceives">,
): QueueReading {
  return { visible: depth.visible, notVisible: depth.inFlight, delayed: depth.delayed, ...counts };
}

/** Everything an engine reports at the end of each scenario minute; counters are cumulative. */
export interface MinuteReading {
  source: QueueReading;
  dlq: QueueReading;
  /** Requests the carrier accepted (what its limit counts), 429s, and recipients accepted. */
  carrier: CarrierReading;
  /** Most invocations in flight at once during the minute. */
  lambdaConcurrencyMax: number;
}

export interface MinuteSamplerOptions {
  pipeline: PipelineConfig;
  /** Epoch ms of the scenario's start (virtual or real). */
  startMs: number;
  durationMs: number;
  carrierLimitPerSecond: number | null;
  notifier: SlackNotifier;
}

/**
 * What both engines do every scenario minute, as CloudWatch does it: publish the queues' SQS
 * metrics, evaluate the template's alarms, notify Slack on transitions with actions, and keep the
 * per-minute timeline for the report.
 */
export function createMinuteSampler(options: MinuteSamplerOptions) {
  const { pipeline, startMs, notifier } = options;
  const minutes = Math.max(1, Math.ceil(options.durationMs / MINUTE_MS));
  const timeline = createRunTimeline(
    minutes,
    options.carrierLimitPerSecond,
    pipeline.alarms.map((a) => a.name),
  );
  const store = createMetricStore();
  const publishers = {
    source: createSqsMetricsPublisher(store, { queueName: pipeline.queue.name, startMs }),
    dlq: createSqsMetricsPublisher(store, { queueName: pipeline.dlq.name, startMs }),
  };
  const evaluator: AlarmEvaluator = createAlarmEvaluator(pipeline.alarms, store, { startMs });
  let previous: MinuteReading | null = null;

  const delta = (now: QueueReading, before: QueueReading | undefined): SqsMinuteSample => ({
    visible: now.visible,
    notVisible: now.notVisible,
    delayed: now.delayed,
    sent: now.sent - (before?.sent ?? 0),
    received: now.received - (before?.received ?? 0),
    deleted: now.deleted - (before?.deleted ?? 0),
    emptyReceives: now.emptyReceives - (before?.emptyReceives ?? 0),
  });

  return {
    timeline: timeline as RunTimeline,
    evaluator,
    minutes,
    /** Records minute `index` (0-based) from readings taken at its end, then evaluates the alarms. */
    sample(index: number, reading: MinuteReading): void {
      const minuteStartMs = startMs + index * MINUTE_MS;
      publishers.source.publish(minuteStartMs, delta(reading.source, previous?.source));
      publishers.dlq.publish(minuteStartMs, delta(reading.dlq, previous?.dlq));
      if (index < minutes) {
        timeline.delivered[index] =
          reading.carrier.recipientsAccepted - (previous?.carrier.recipientsAccepted ?? 0);
        timeline.queueVisible[index] = reading.source.visible;
        timeline.queueInFlight[index] = reading.source.notVisible;
        timeline.dlqDepth[index] = reading.dlq.visible + reading.dlq.notVisible;
        timeline.carrierRateLimited[index] =
          reading.carrier.rateLimited - (previous?.carrier.rateLimited ?? 0);
        timeline.carrierRequestsPerSecond[index] =
          (reading.carrier.accepted - (previous?.carrier.accepted ?? 0)) / 60;
        timeline.lambdaConcurrencyMax[index] = reading.lambdaConcurrencyMax;
      }
      previous = reading;
      for (const event of evaluator.evaluate(minuteStartMs + MINUTE_MS)) {
        if (event.actions.length === 0) continue;
        void notifier.notify(buildAlarmNotification(event.alarm, event.transition));
      }
      if (index < minutes) {
        for (const alarm of timeline.alarms)
          alarm.state[index] = ALARM_STATE_CODES[evaluator.state(alarm.name)];
      }
    },
    /** The busiest second of each minute, from the carrier's per-second counts. */
    recordCarrierPeaks(perSecond: readonly { second: number; requests: number }[]): void {
      const firstSecond = Math.floor(startMs / 1000);
      for (const { second, requests } of perSecond) {
        const index = Math.floor((second - firstSecond) / 60);
        if (index < 0 || index >= minutes) continue;
        timeline.carrierRequestsPerSecondMax[index] = Math.max(
          timeline.carrierRequestsPerSecondMax[index] ?? 0,
          requests,
        );
      }
    },
  };
}

export type MinuteSampler = ReturnType<typeof createMinuteSampler>;
