import { ReportError } from "./errors";
import { ALARM_STATES, type AlarmState, type RunTimeline } from "./summary";

/** Per-minute series keyed by RunTimeline's names, aggregated into buckets of `bucketMinutes`. */
export interface DownsampledTimeline {
  bucketMinutes: number;
  /** First minute of each bucket. */
  minute: number[];
  series: Record<SeriesName, number[]>;
}

export const SERIES_NAMES = [
  "delivered",
  "queueVisible",
  "queueInFlight",
  "dlqDepth",
  "carrierRequestsPerSecond",
  "carrierRequestsPerSecondMax",
  "carrierRateLimited",
  "lambdaConcurrencyMax",
] as const;
export type SeriesName = (typeof SERIES_NAMES)[number];

/**
 * At most `maxPoints` points per series: each bucket of consecutive minutes keeps its maximum, so
 * peaks (a burst, the busiest second, a 429 spike) survive a month squeezed into a chart.
 */
export function downsampleTimeline(timeline: RunTimeline, maxPoints: number): DownsampledTimeline {
  checkLengths(timeline);
  const bucketMinutes = Math.max(1, Math.ceil(timeline.minutes / maxPoints));
  const buckets = Math.ceil(timeline.minutes / bucketMinutes);
  const minute = Array.from({ length: buckets }, (_, b) => b * bucketMinutes);
  const series = {} as Record<SeriesName, number[]>;
  for (const name of SERIES_NAMES) {
    const values = timeline[name];
    series[name] = minute.map((start) => {
      let max = Number.NEGATIVE_INFINITY;
      for (let m = start; m < Math.min(start + bucketMinutes, timeline.minutes); m++)
        max = Math.max(max, values[m] ?? 0);
      return max;
    });
  }
  return { bucketMinutes, minute, series };
}

export interface AlarmSegment {
  alarm: string;
  state: AlarmState;
  startMinute: number;
  endMinute: number;
}

/** Each alarm's per-minute states as runs of one state: a month of OK is one segment, not 43,200. */
export function alarmSegments(timeline: RunTimeline): AlarmSegment[] {
  checkLengths(timeline);
  const segments: AlarmSegment[] = [];
  for (const alarm of timeline.alarms) {
    let start = 0;
    for (let m = 1; m <= timeline.minutes; m++) {
      if (m < timeline.minutes && alarm.state[m] === alarm.state[start]) continue;
      const state = ALARM_STATES[alarm.state[start] ?? 0];
      if (state === undefined) {
        throw new ReportError(
          `timeline.alarms[${alarm.name}].state[${start}]: unknown state code ${alarm.state[start]}`,
        );
      }
      segments.push({ alarm: alarm.name, state, startMinute: start, endMinute: m });
      start = m;
    }
  }
  return segments;
}

function checkLengths(timeline: RunTimeline) {
  const columns: [string, number[]][] = [
    ...SERIES_NAMES.map((name): [string, number[]] => [name, timeline[name]]),
    ...timeline.alarms.map((a): [string, number[]] => [`alarms[${a.name}].state`, a.state]),
  ];
  for (const [name, values] of columns) {
    if (values.length !== timeline.minutes) {
      throw new ReportError(
        `timeline.${name}: expected ${timeline.minutes} values, one a minute (got ${values.length})`,
      );
    }
  }
}
