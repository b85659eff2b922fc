import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import {
  DAY_MS,
  durationToMs,
  formatDuration,
  HOUR_MS,
  MINUTE_MS,
  parseDuration,
  parseTimeOfDay,
  timeOfDayToMs,
} from "../durations";

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["90s", 90_000],
    ["15m", 15 * MINUTE_MS],
    ["1h30m", 90 * MINUTE_MS],
    ["12d14h", 12 * DAY_MS + 14 * HOUR_MS],
    ["1.5h", 90 * MINUTE_MS],
    ["1m30s250ms", 90_250],
    ["0", 0],
    ["15", 15],
    ["1h1h", 2 * HOUR_MS],
    ["30m1h", 90 * MINUTE_MS],
    ["1500us", 2],
    ["1d25h80m", 50 * HOUR_MS + 20 * MINUTE_MS],
  ])("reads %s as %d ms", (text, ms) => {
    // Prepare: k6's duration notation
    // Act
    const parsed = durationToMs(text);
    // Assess
    expect(parsed).toBe(ms);
  });

  it.each(["", "1x", " 1s", "1h 30m", "h", ".s", "2.1d", "d2h", "2d-2h"])("rejects %j", (text) => {
    // Prepare: strings that are not k6 durations
    // Act
    const parsed = durationToMs(text);
    // Assess
    expect(parsed).toBeNull();
  });

  it("names the field and the value when a duration does not parse", () => {
    // Prepare
    const act = () => parseDuration("15 minutes", "traffic[1].duration");
    // Act + Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(
      'traffic[1].duration: expected a duration like "500ms", "90s", "15m", "1h30m" or "12d14h", or a number of milliseconds (got "15 minutes")',
    );
  });

  it.each([
    [0, "0s"],
    [500, "500ms"],
    [45_000, "45s"],
    [90 * MINUTE_MS, "1h30m"],
    [12 * DAY_MS + 14 * HOUR_MS, "12d14h"],
    [1500, "1s500ms"],
    [-90_000, "-1m30s"],
  ])("formats %d ms as %s", (ms, text) => {
    // Prepare: milliseconds
    // Act
    const formatted = formatDuration(ms);
    // Assess
    expect(formatted).toBe(text);
  });

  it("formats what it parses back to the same milliseconds", () => {
    // Prepare
    const samples = [1, 999, 1000, 61_001, 3_599_999, DAY_MS + 1, 31 * DAY_MS + 7 * HOUR_MS + 3];
    // Act
    const roundTripped = samples.map((ms) => durationToMs(formatDuration(ms)));
    // Assess
    expect(roundTripped).toEqual(samples);
  });

  it("reads HH:MM as milliseconds after midnight and rejects other times", () => {
    // Prepare
    const valid = ["00:00", "09:30", "23:59"];
    const invalid = ["24:00", "9:30", "12:60", "12:5", "noon"];
    // Act
    const parsed = valid.map(timeOfDayToMs);
    const rejected = invalid.map(timeOfDayToMs);
    // Assess
    expect(parsed).toEqual([0, 9 * HOUR_MS + 30 * MINUTE_MS, 23 * HOUR_MS + 59 * MINUTE_MS]);
    expect(rejected).toEqual([null, null, null, null, null]);
    expect(() => parseTimeOfDay("25:00", "traffic[0].at")).toThrow(
      'traffic[0].at: expected a time of day "HH:MM"',
    );
  });
});
