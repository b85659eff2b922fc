import { ValidationError } from "../../domain/errors";
import { type MetricStore, MINUTE_MS } from "./metric-store";

export const SQS_METRICS = {
  visible: "ApproximateNumberOfMessagesVisible",
  notVisible: "ApproximateNumberOfMessagesNotVisible",
  delayed: "ApproximateNumberOfMessagesDelayed",
  sent: "NumberOfMessagesSent",
  received: "NumberOfMessagesReceived",
  deleted: "NumberOfMessagesDeleted",
  emptyReceives: "NumberOfEmptyReceives",
} as const;

/** SQS publishes nothing for a queue that has been inactive this long (SQS developer guide, sqs-available-cloudwatch-metrics). */
export const SQS_IDLE_CUTOFF_MS = 6 * 60 * MINUTE_MS;

/**
 * What a sampler saw of one queue over one minute: the three gauges at the end of the minute and
 * the counts of actions during it. Messages the redrive policy moves into a DLQ are not counted in
 * the DLQ's NumberOfMessagesSent (AWS counts only messages sent by a client), which is why the
 * DLQ alarm watches ApproximateNumberOfMessagesVisible.
 */
export interface SqsMinuteSample {
  visible: number;
  notVisible: number;
  delayed: number;
  sent: number;
  received: number;
  deleted: number;
  /** ReceiveMessage calls that returned nothing: Lambda's pollers keep a source queue active this way. */
  emptyReceives: number;
}

export interface SqsMetricsPublisherOptions {
  queueName: string;
  /** When the queue came into existence (creating it counts as activity). */
  startMs: number;
  /**
   * Stop publishing after this long without activity (messages in the queue or any action), as SQS
   * does; null publishes every minute regardless, e.g. for control runs that want a dense series.
   */
  idleCutoffMs?: number | null;
}

export interface SqsMetricsPublisher {
  /** Records the minute's datapoints unless the queue is idle; returns whether it published. */
  publish(minuteStartMs: number, sample: SqsMinuteSample): boolean;
}

export function createSqsMetricsPublisher(
  store: MetricStore,
  options: SqsMetricsPublisherOptions,
): SqsMetricsPublisher {
  const cutoff = options.idleCutoffMs === undefined ? SQS_IDLE_CUTOFF_MS : options.idleCutoffMs;
  if (cutoff !== null && !(cutoff > 0)) {
    throw new ValidationError("idleCutoffMs", cutoff, "must be a positive number of ms, or null");
  }
  const dimensions = { QueueName: options.queueName };
  const series = Object.entries(SQS_METRICS).map(
    ([field, metricName]) => [field as keyof SqsMinuteSample, store.series(metricName, dimensions)] as const,
  );
  let lastActiveMs = options.startMs;
  return {
    publish(minuteStartMs, sample) {
      const active =
        sample.visible + sample.notVisible + sample.delayed > 0 ||
        sample.sent + sample.received + sample.deleted + sample.emptyReceives > 0;
      if (active) lastActiveMs = minuteStartMs;
      if (cutoff !== null && minuteStartMs - lastActiveMs >= cutoff) return false;
      for (const [field, s] of series) s.record(minuteStartMs, sample[field]);
      return true;
    },
  };
}
