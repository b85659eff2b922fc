import { ValidationError } from "../../domain/errors";

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const UNITS = [
  ["d", DAY_MS],
  ["h", HOUR_MS],
  ["m", MINUTE_MS],
  ["s", SECOND_MS],
  ["ms", 1],
] as const;
const UNIT_MS = new Map<string, number>(UNITS);
const UNIT_RANK = new Map<string, number>(UNITS.map(([unit], rank) => [unit, rank]));
const PART = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;

export const DURATION_EXPECTED = 'expected a duration like "500ms", "90s", "15m", "1h30m" or "12d14h"';
export const TIME_OF_DAY_EXPECTED = 'expected a time of day "HH:MM" between "00:00" and "23:59"';

/**
 * Milliseconds of a k6-style duration ("500ms", "90s", "1h30m", "12d14h", "1.5h"; "0" is zero),
 * or null when `text` is not one. Units go from largest to smallest, each at most once.
 */
export function durationToMs(text: string): number | null {
  if (text === "0") return 0;
  let total = 0;
  let lastRank = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (!match) return null;
    const rank = UNIT_RANK.get(match[2] as string) as number;
    if (rank <= lastRank) return null;
    lastRank = rank;
    total += Number(match[1]) * (UNIT_MS.get(match[2] as string) as number);
  }
  return lastRank < 0 ? null : Math.round(total);
}

/** Like durationToMs, but a ValidationError naming `field` when `text` is not a duration. */
export function parseDuration(text: string, field: string): number {
  const ms = durationToMs(text);
  if (ms === null) throw new ValidationError(field, text, DURATION_EXPECTED);
  return ms;
}

/** The compact k6 form of `ms`: 45_000 -> "45s", 5_400_000 -> "1h30m", 1_087_200_000 -> "12d14h". */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest === 0) return "0s";
  let text = "";
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
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
