import { formatDuration } from "../sim/scenario/durations";
import type { FirstAlarmTiming } from "./summary";

/** 1234567 -> "1,234,567"; fractions keep up to `digits` decimals. */
export function formatCount(value: number, digits = 2): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Seconds as a compact duration: 0.35 -> "350ms", 1234 -> "20m34s". */
export function formatSeconds(seconds: number): string {
  return formatDuration(seconds * 1000);
}

/**
 * When Slack first heard of an alarm: "at 2m 0s to 17m 0s (the DLQ's metrics resume up to 15m 0s
 * late after 6 h idle)", or just "at 2m 0s" when the delay makes no difference.
 */
export function formatFirstAlarm(timing: FirstAlarmTiming): string {
  const earliest = formatSeconds(timing.earliestSeconds);
  const why = `the DLQ's metrics resume up to ${formatSeconds(timing.metricsResumeDelaySeconds)} late after 6 h idle`;
  if (timing.latestSeconds === null)
    return `at ${earliest} at the earliest; not within the delay after the run (${why})`;
  if (timing.latestSeconds === timing.earliestSeconds) return `at ${earliest}`;
  return `at ${earliest} to ${formatSeconds(timing.latestSeconds)} (${why})`;
}

/** Dollars with cents, or more decimals for amounts under a dollar: 0.000412 -> "$0.000412". */
export function formatUsd(amount: number): string {
  if (amount === 0) return "$0.00";
  if (Math.abs(amount) >= 1)
    return `$${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `$${amount.toPrecision(2).replace(/0+$/, "")}`;
}

/** `part` of `whole` as a percentage with two decimals; "-" when `whole` is 0. */
export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? "-" : `${((100 * part) / whole).toFixed(2)}%`;
}

/** A threshold's value: null (the metric never reported) as "n/a", others with up to 4 decimals. */
export function formatMetricValue(value: number | null): string {
  return value === null ? "n/a" : formatCount(value, 4);
}
