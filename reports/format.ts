import { formatDuration } from "../sim/scenario/durations";

/** 1234567 -> "1,234,567"; fractions keep up to `digits` decimals. */
export function formatCount(value: number, digits = 2): string {
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Seconds as a compact duration: 0.35 -> "350ms", 1234 -> "20m34s". */
export function formatSeconds(seconds: number): string {
  return formatDuration(seconds * 1000);
}

/** A latency percentile, or "n/a" when nothing was delivered to measure. */
export function formatLatency(seconds: number | null): string {
  return seconds === null ? "n/a" : formatSeconds(seconds);
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
