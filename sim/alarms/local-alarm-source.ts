import type { AlarmStatus, AlarmStatusSource, AlarmTransition } from "../../api/admin/alarm-status";
import type { QueueDepth } from "../../domain/sqs-client";
import type { PipelineConfig } from "../../infra/pipeline-config";
import { createAlarmEvaluator } from "./alarm-evaluator";
import { createMetricStore, MINUTE_MS } from "./metric-store";
import { createSqsMetricsPublisher } from "./sqs-metrics";

export interface LocalAlarmSourceOptions {
  /** The template's queues and alarms. */
  pipeline: PipelineConfig;
  /** GetQueueAttributes on the local source queue and DLQ. */
  readDepths(): Promise<{ source: QueueDepth; dlq: QueueDepth }>;
  /** When the console started watching; minutes are counted from here. */
  startMs: number;
}

export interface LocalAlarmSource extends AlarmStatusSource {
  current(): AlarmStatus[];
  history(): AlarmTransition[];
  /**
   * Publishes the queues' gauges for the minute that ends at `nowMs` and evaluates the template's
   * alarms, as CloudWatch does once a minute. The console calls it every real minute.
   */
  sampleMinute(nowMs: number): Promise<void>;
}

const NOT_YET = "Not evaluated yet: no period of this alarm has ended since the console started";

/**
 * The template's alarms over the local queues, by the engines' own metric store, SQS metric
 * publisher and alarm evaluator, for `smsim console`. Only the queue gauges are known here
 * (GetQueueAttributes has no action counts), which is all the template's DLQ alarm reads; the action
 * metrics get no datapoint, so an alarm on them sees missing data rather than a made-up 0.
 */
export function createLocalAlarmSource(options: LocalAlarmSourceOptions): LocalAlarmSource {
  const { pipeline, readDepths, startMs } = options;
  const store = createMetricStore();
  const publishers = {
    source: createSqsMetricsPublisher(store, { queueName: pipeline.queue.name, startMs }),
    dlq: createSqsMetricsPublisher(store, { queueName: pipeline.dlq.name, startMs }),
  };
  const evaluator = createAlarmEvaluator(pipeline.alarms, store, { startMs });

  return {
    async sampleMinute(nowMs) {
      const { source, dlq } = await readDepths();
      const minuteStartMs = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
      for (const [publisher, depth] of [
        [publishers.source, source],
        [publishers.dlq, dlq],
      ] as const) {
        publisher.publish(minuteStartMs, {
          visible: depth.visible,
          notVisible: depth.inFlight,
          delayed: depth.delayed,
        });
      }
      evaluator.evaluate(nowMs);
    },

    current(): AlarmStatus[] {
      return pipeline.alarms.map(({ name }) => {
        const last = evaluator.history(name).at(-1);
        return {
          name,
          state: evaluator.state(name),
          reason: last?.reason ?? NOT_YET,
          stateChangedAt: last?.atMs ?? startMs,
        };
      });
    },

    history(): AlarmTransition[] {
      return pipeline.alarms
        .flatMap(({ name }) => evaluator.history(name))
        .map((t) => ({ name: t.alarm, from: t.from, to: t.to, reason: t.reason, at: t.atMs }))
        .sort((a, b) => a.at - b.at);
    },
  };
}
