import { ValidationError } from "../../domain/errors";

// Formatting lives with the reports, which may not import sim/; scenario code reads it from here.
export { formatDuration } from "../../reports/format";

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

// Go's time.ParseDuration units, in nanoseconds ("µs" and "μs" are both micro).
const GO_UNIT_NS = new Map<string, number>([
  ["ns", 1],
  ["us", 1e3],
  ["µs", 1e3],
  ["μs", 1e3],
  ["ms", 1e6],
  ["s", 1e9],
  ["m", 60e9],
  ["h", 3600e9],
]);
const UNITLESS = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export const DURATION_EXPECTED =
  'expected a duration like "500ms", "90s", "15m", "1h30m" or "12d14h", or a number of milliseconds';
export const TIME_OF_DAY_EXPECTED = 'expected a time of day "HH:MM" between "00:00" and "23:59"';

/**
 * Nanoseconds of a k6 duration, or null when `text` is not one. k6 (lib/types ParseExtendedDuration)
 * reads a unitless number as milliseconds ("1000.001"), an optional whole number of days before a
 * Go duration ("1d2h", "1d25h80m"), and otherwise Go's time.ParseDuration: signed, decimal numbers
 * each with a unit of ns, us (µs), ms, s, m or h, in any order ("1h30m", "1.5s", "90m2h"; "0" alone).
 */
export function k6DurationToNs(text: string): number | null {
  if (UNITLESS.test(text)) return Math.trunc(Number(text) * 1e6);
  const dPos = text.indexOf("d");
  if (dPos < 0) return goDurationToNs(text);
  const daysText = text.slice(0, dPos);
  if (!/^[-+]?\d+$/.test(daysText)) return null;
  const days = Number(daysText);
  let rest = 0;
  if (dPos + 1 < text.length) {
    const parsed = goDurationToNs(text.slice(dPos + 1));
    if (parsed === null || parsed < 0) return null;
    rest = parsed;
  }
  if (days < 0 || Object.is(days, -0)) rest = -rest;
  return days * 24 * 3600e9 + rest;
}

/** Go's time.ParseDuration, in nanoseconds; null where Go returns an error. */
function goDurationToNs(text: string): number | null {
  let s = text;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return null;
  let total = 0;
  while (s !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    const whole = number[1] as string;
    const fraction = number[2];
    if (whole === "" && (fraction === undefined || fraction === "")) return null;
    s = s.slice(number[0].length);
    const unit = /^[^\d.]*/.exec(s)?.[0] ?? "";
    const unitNs = GO_UNIT_NS.get(unit);
    if (unitNs === undefined) return null;
    s = s.slice(unit.length);
    total += Number(whole || "0") * unitNs;
    // Go scales the fraction by the unit and truncates to whole nanoseconds.
    if (fraction) total += Math.trunc(Number(fraction) * (unitNs / 10 ** fraction.length));
  }
  return negative ? -total : total;
}

/**
 * Milliseconds of a k6 duration, rounded to whole milliseconds (smsim's clock resolution), or
 * null when `text` is not one. See k6DurationToNs for the forms.
 */
export function durationToMs(text: string): number | null {
  const ns = k6DurationToNs(text);
  return ns === null ? null : Math.round(ns / 1e6);
}

/** Like durationToMs, but a ValidationError naming `field` when `text` is not a duration. */
export function parseDuration(text: string, field: string): number {
  const ms = durationToMs(text);
  if (ms === null) throw new ValidationError(field, text, DURATION_EXPECTED);
  return ms;
}

/** Milliseconds after midnight of "HH:MM" (daily executors), or null when `text` is not one. */
export function timeOfDayToMs(text: string): number | null {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours > 23 || minutes > 59) return null;
  return hours * HOUR_MS + minutes * MINUTE_MS;
}

/** Like timeOfDayToMs, but a ValidationError naming `field` when `text` is not "HH:MM". */
export function parseTimeOfDay(text: string, field: string): number {
  const ms = timeOfDayToMs(text);
  if (ms === null) throw new ValidationError(field, text, TIME_OF_DAY_EXPECTED);
  return ms;
}
