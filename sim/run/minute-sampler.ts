import type { QueueDepth } from "../../domain/sqs-client";
import type { PipelineConfig } from "../../infra/pipeline-config";
import type { CarrierStats } from "../../provider-mock/model";
import { ALARM_STATE_CODES, createRunTimeline, type RunTimeline } from "../../reports/summary";
import { type AlarmEvaluator, createAlarmEvaluator } from "../alarms/alarm-evaluator";
import { buildAlarmNotification } from "../alarms/alarm-notification";
import { createMetricStore, MINUTE_MS } from "../alarms/metric-store";
import type { SlackNotifier } from "../alarms/slack-notifier";
import { createSqsMetricsPublisher, SQS_RESUME_DELAY_MS, type SqsMinuteSample } from "../alarms/sqs-metrics";

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
  /** The scenario's sqsMetrics.resumeDelay: how late an idle DLQ's metrics may reach CloudWatch. */
  metricsResumeDelayMs?: number;
}

/**
 * When an alarm first went to ALARM (and Slack heard of it), in the two cases SQS's publishing
 * allows: metrics on time (the run's own transitions), and the DLQ idle for 6 h before the run with
 * its metrics resuming `resumeDelayMs` late, the documented worst case.
 */
export interface FirstAlarm {
  alarm: string;
  earliestMs: number;
  /** Null when the alarm would not fire within the delay and the evaluation range after the run. */
  latestMs: number | null;
  resumeDelayMs: number;
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
  // The same run as CloudWatch sees it when the DLQ had been idle: its metrics resume late. Lambda's
  // pollers keep the source queue active, so its metrics are on time in both views.
  const resumeDelayMs = options.metricsResumeDelayMs ?? SQS_RESUME_DELAY_MS;
  const lateStore = createMetricStore();
  const late = {
    source: createSqsMetricsPublisher(lateStore, { queueName: pipeline.queue.name, startMs }),
    dlq: createSqsMetricsPublisher(lateStore, {
      queueName: pipeline.dlq.name,
      startMs,
      idleAtStart: true,
      resumeDelayMs,
    }),
    evaluator: createAlarmEvaluator(pipeline.alarms, lateStore, { startMs }),
  };
  let previous: MinuteReading | null = null;
  let lastIndex = -1;

  const delta = (now: QueueReading, before: QueueReading | undefined): SqsMinuteSample => ({
    visible: now.visible,
    notVisible: now.notVisible,
    delayed: now.delayed,
    sent: now.sent - (before?.sent ?? 0),
    received: now.received - (before?.received ?? 0),
    deleted: now.deleted - (before?.deleted ?? 0),
    emptyReceives: now.emptyReceives - (before?.emptyReceives ?? 0),
    ageOfOldest: now.ageOfOldest,
  });
  const publishLate = (index: number, source: SqsMinuteSample, dlq: SqsMinuteSample) => {
    const minuteStartMs = startMs + index * MINUTE_MS;
    late.source.publish(minuteStartMs, source);
    late.dlq.publish(minuteStartMs, dlq);
    late.evaluator.evaluate(minuteStartMs + MINUTE_MS);
  };

  return {
    timeline: timeline as RunTimeline,
    evaluator,
    minutes,
    /** Records minute `index` (0-based) from readings taken at its end, then evaluates the alarms. */
    sample(index: number, reading: MinuteReading): void {
      const minuteStartMs = startMs + index * MINUTE_MS;
      const source = delta(reading.source, previous?.source);
      const dlq = delta(reading.dlq, previous?.dlq);
      publishers.source.publish(minuteStartMs, source);
      publishers.dlq.publish(minuteStartMs, dlq);
      publishLate(index, source, dlq);
      lastIndex = index;
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
    /**
     * Each alarm's first ALARM, earliest and latest (FirstAlarm). Where the late view has not fired
     * by the end of the run, it runs on with the queues as they were left (depths held, no actions)
     * for the delay and the alarm's evaluation range. Call once, after the last sample.
     */
    firstAlarms(): FirstAlarm[] {
      const firings: FirstAlarm[] = [];
      for (const alarm of pipeline.alarms) {
        const earliestMs = firstAlarmMs(evaluator, alarm.name);
        if (earliestMs === null) continue;
        const horizon =
          lastIndex +
          Math.ceil((resumeDelayMs + (alarm.evaluationPeriods + 3) * alarm.periodSeconds * 1000) / MINUTE_MS);
        for (
          let index = lastIndex + 1;
          previous && firstAlarmMs(late.evaluator, alarm.name) === null && index <= horizon;
          index++
        ) {
          publishLate(index, delta(previous.source, previous.source), delta(previous.dlq, previous.dlq));
          lastIndex = index;
        }
        const latestMs = firstAlarmMs(late.evaluator, alarm.name);
        firings.push({
          alarm: alarm.name,
          earliestMs,
          latestMs: latestMs === null ? null : Math.max(latestMs, earliestMs),
          resumeDelayMs,
        });
      }
      return firings;
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

function firstAlarmMs(evaluator: AlarmEvaluator, alarm: string): number | null {
  return evaluator.history(alarm).find((t) => t.to === "ALARM")?.atMs ?? null;
}
