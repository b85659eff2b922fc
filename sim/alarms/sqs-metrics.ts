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
  ageOfOldest: "ApproximateAgeOfOldestMessage",
} as const;

/** SQS publishes nothing for a queue that has been inactive this long (SQS developer guide, sqs-available-cloudwatch-metrics). */
export const SQS_IDLE_CUTOFF_MS = 6 * 60 * MINUTE_MS;

/**
 * "If the queue becomes active after being inactive, it can take up to 15 minutes for the metrics
 * to appear" (SQS developer guide, sqs-available-cloudwatch-metrics, in our words): the worst case,
 * and the default of the scenario's sqsMetrics.resumeDelay.
 */
export const SQS_RESUME_DELAY_MS = 15 * MINUTE_MS;

/** A queue's gauges at the end of a minute: what GetQueueAttributes tells. */
export interface SqsQueueGauges {
  visible: number;
  notVisible: number;
  delayed: number;
  /**
   * ApproximateAgeOfOldestMessage, in seconds: the oldest message's time in this queue (for a DLQ,
   * since its move: SQS developer guide, setting-up-dead-letter-queue-retention). Published only
   * while the queue holds a message; absent where the engine cannot see it (ElasticMQ, and
   * GetQueueAttributes, which has no such attribute).
   */
  ageOfOldest?: number;
}

/** A queue's counts of actions during a minute, which only the engines see. */
export interface SqsActionCounts {
  sent: number;
  received: number;
  deleted: number;
  /** ReceiveMessage calls that returned nothing: Lambda's pollers keep a source queue active this way. */
  emptyReceives: number;
}

/**
 * What a sampler saw of one queue over one minute: the gauges at the end of the minute and the
 * counts of actions during it. Messages the redrive policy moves into a DLQ are not counted in the
 * DLQ's NumberOfMessagesSent (SQS developer guide, sqs-dead-letter-queues: only messages a client
 * sends count), which is why the DLQ alarm watches ApproximateNumberOfMessagesVisible.
 */
export type SqsMinuteSample = SqsQueueGauges & SqsActionCounts;

/**
 * A sample whose action counts may be unknown: a sampler that only reads GetQueueAttributes (the
 * console) leaves them out. Their metrics then get no datapoint, as in CloudWatch for a metric nobody
 * published, so alarms on them see missing data and their TreatMissingData decides.
 */
export type SqsPartialSample = SqsQueueGauges & Partial<SqsActionCounts>;

export interface SqsMetricsPublisherOptions {
  queueName: string;
  /** When the queue came into existence (creating it counts as activity). */
  startMs: number;
  /**
   * Stop publishing after this long without activity (messages in the queue or any action), as SQS
   * does; null publishes every minute regardless, e.g. for control runs that want a dense series.
   */
  idleCutoffMs?: number | null;
  /**
   * When the queue becomes active after an idle spell (idleCutoffMs), its datapoints reach
   * CloudWatch this much later: those of the first `resumeDelayMs` arrive together at its end.
   * Default 0 (on time); SQS_RESUME_DELAY_MS is the documented worst case.
   */
  resumeDelayMs?: number;
  /** The queue was already idle when `startMs` came (a DLQ nothing has touched for 6 h). Default false. */
  idleAtStart?: boolean;
}

export interface SqsMetricsPublisher {
  /**
   * Records the minute's datapoints unless the queue is idle; returns whether it published. Unknown
   * action counts count as no activity and get no datapoint.
   */
  publish(minuteStartMs: number, sample: SqsPartialSample): boolean;
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
    ([field, metricName]) => [field as keyof SqsPartialSample, store.series(metricName, dimensions)] as const,
  );
  const resumeDelayMs = options.resumeDelayMs ?? 0;
  if (!(resumeDelayMs >= 0)) throw new ValidationError("resumeDelayMs", resumeDelayMs, "must be >= 0");
  let lastActiveMs = options.idleAtStart ? Number.NEGATIVE_INFINITY : options.startMs;
  const idleAt = (minuteStartMs: number) => cutoff !== null && minuteStartMs - lastActiveMs >= cutoff;
  /** Minutes held back while metrics resume, and when they reach CloudWatch. */
  const held: [number, SqsPartialSample][] = [];
  let heldUntilMs = Number.NEGATIVE_INFINITY;
  const record = (minuteStartMs: number, sample: SqsPartialSample) => {
    for (const [field, s] of series) {
      const value = sample[field];
      if (value !== undefined) s.record(minuteStartMs, value);
    }
  };
  return {
    publish(minuteStartMs, sample) {
      const active =
        sample.visible + sample.notVisible + sample.delayed > 0 ||
        (sample.sent ?? 0) + (sample.received ?? 0) + (sample.deleted ?? 0) + (sample.emptyReceives ?? 0) > 0;
      if (active && idleAt(minuteStartMs)) heldUntilMs = minuteStartMs + resumeDelayMs;
      if (active) lastActiveMs = minuteStartMs;
      if (idleAt(minuteStartMs)) return false;
      // Called as the minute ends: what is held reaches CloudWatch once the delay has passed.
      if (minuteStartMs + MINUTE_MS < heldUntilMs) {
        held.push([minuteStartMs, sample]);
        return false;
      }
      for (const [at, earlier] of held.splice(0)) record(at, earlier);
      record(minuteStartMs, sample);
      return true;
    },
  };
}
