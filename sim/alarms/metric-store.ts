import { ValidationError } from "../../domain/errors";
import type { AlarmConfig } from "../../infra/pipeline-config";

export const SQS_NAMESPACE = "AWS/SQS";

export type MetricStatistic = AlarmConfig["statistic"];

export interface MetricId {
  namespace: string;
  metricName: string;
}

/** A bare metric name is in the AWS/SQS namespace. */
export type MetricRef = string | MetricId;

/** `{ QueueName: "q" }`, or CloudFormation's `[{ name: "QueueName", value: "q" }]` as alarms carry them. */
export type Dimensions = Readonly<Record<string, string>> | readonly { name: string; value: string }[];

/** One metric stream (namespace, name, dimensions), at CloudWatch's standard one-minute resolution. */
export interface MetricSeries {
  /** Adds `value` to the datapoint of the minute containing `atMs` (several values form a statistic set). */
  record(atMs: number, value: number): void;
  /** `stat` over the minutes starting in [fromMs, toMs); undefined when none of them has data. */
  statistic(fromMs: number, toMs: number, stat: MetricStatistic): number | undefined;
}

export interface MetricStore {
  record(metric: MetricRef, dimensions: Dimensions, atMs: number, value: number): void;
  statistic(
    metric: MetricRef,
    dimensions: Dimensions,
    fromMs: number,
    toMs: number,
    stat: MetricStatistic,
  ): number | undefined;
  /** The series handle, created empty if needed: hot loops keep it instead of re-keying every call. */
  series(metric: MetricRef, dimensions: Dimensions): MetricSeries;
}

export const MINUTE_MS = 60_000;

/**
 * Minutes are stored in day-long chunks allocated on first write, so idle days (SQS stops publishing
 * after 6 h without activity) cost nothing. A chunk holds a statistic set per minute (sum, count, min,
 * max): 28 bytes a minute, about 1.2 MB for a month of one series.
 */
const CHUNK_MINUTES = 1440;

interface Chunk {
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
  count: Uint32Array;
}

export function createMetricStore(): MetricStore {
  const byKey = new Map<string, MetricSeries>();
  const series = (metric: MetricRef, dimensions: Dimensions): MetricSeries => {
    const key = seriesKey(metric, dimensions);
    let found = byKey.get(key);
    if (!found) {
      found = createSeries(key);
      byKey.set(key, found);
    }
    return found;
  };
  return {
    series,
    record: (metric, dimensions, atMs, value) => series(metric, dimensions).record(atMs, value),
    statistic: (metric, dimensions, fromMs, toMs, stat) =>
      series(metric, dimensions).statistic(fromMs, toMs, stat),
  };
}

function createSeries(key: string): MetricSeries {
  const chunks = new Map<number, Chunk>();
  return {
    record(atMs, value) {
      if (!Number.isFinite(atMs)) throw new ValidationError(`${key}.atMs`, atMs, "must be a finite epoch ms");
      if (!Number.isFinite(value))
        throw new ValidationError(`${key}.value`, value, "must be a finite number");
      const minute = Math.floor(atMs / MINUTE_MS);
      const chunkIndex = Math.floor(minute / CHUNK_MINUTES);
      let chunk = chunks.get(chunkIndex);
      if (!chunk) {
        chunk = {
          sum: new Float64Array(CHUNK_MINUTES),
          min: new Float64Array(CHUNK_MINUTES),
          max: new Float64Array(CHUNK_MINUTES),
          count: new Uint32Array(CHUNK_MINUTES),
        };
        chunks.set(chunkIndex, chunk);
      }
      const i = minute - chunkIndex * CHUNK_MINUTES;
      const count = chunk.count[i] ?? 0;
      chunk.sum[i] = (chunk.sum[i] ?? 0) + value;
      chunk.min[i] = count === 0 ? value : Math.min(chunk.min[i] ?? value, value);
      chunk.max[i] = count === 0 ? value : Math.max(chunk.max[i] ?? value, value);
      chunk.count[i] = count + 1;
    },
    statistic(fromMs, toMs, stat) {
      let sum = 0;
      let count = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      const last = Math.ceil(toMs / MINUTE_MS);
      for (let minute = Math.ceil(fromMs / MINUTE_MS); minute < last; minute++) {
        const chunkIndex = Math.floor(minute / CHUNK_MINUTES);
        const chunk = chunks.get(chunkIndex);
        if (!chunk) {
          minute = (chunkIndex + 1) * CHUNK_MINUTES - 1;
          continue;
        }
        const i = minute - chunkIndex * CHUNK_MINUTES;
        const n = chunk.count[i] ?? 0;
        if (n === 0) continue;
        count += n;
        sum += chunk.sum[i] ?? 0;
        min = Math.min(min, chunk.min[i] ?? min);
        max = Math.max(max, chunk.max[i] ?? max);
      }
      if (count === 0) return undefined;
      switch (stat) {
        case "Sum":
          return sum;
        case "Average":
          return sum / count;
        case "Minimum":
          return min;
        case "Maximum":
          return max;
        case "SampleCount":
          return count;
      }
    },
  };
}

function seriesKey(metric: MetricRef, dimensions: Dimensions): string {
  const id = typeof metric === "string" ? { namespace: SQS_NAMESPACE, metricName: metric } : metric;
  const pairs = Array.isArray(dimensions)
    ? (dimensions as readonly { name: string; value: string }[]).map((d) => `${d.name}=${d.value}`)
    : Object.entries(dimensions).map(([name, value]) => `${name}=${value}`);
  return `${id.namespace}/${id.metricName}{${pairs.sort().join(",")}}`;
}
