import { describe, expect, it } from "vitest";
import { alarmSegments, downsampleTimeline } from "../downsample";
import { ReportError } from "../errors";
import { ALARM_STATE_CODES } from "../summary";
import { timeline } from "./fixtures";

describe("downsampleTimeline", () => {
  it("squeezes a month of minutes into at most 2,000 points, keeping each bucket's peak", () => {
    // Prepare: one spike in the middle of a month
    const month = timeline(43_200);
    month.carrierRateLimited[21_613] = 999;
    // Act
    const data = downsampleTimeline(month, 2000);
    // Assess
    expect(data.bucketMinutes).toBe(22);
    expect(data.minute.length).toBeLessThanOrEqual(2000);
    expect(data.series.carrierRateLimited.length).toBe(data.minute.length);
    expect(data.series.carrierRateLimited[Math.floor(21_613 / 22)]).toBe(999);
    expect(Math.max(...data.series.delivered)).toBe(Math.max(...month.delivered));
  });

  it("keeps short timelines minute by minute", () => {
    // Prepare
    const hour = timeline(60);
    // Act
    const data = downsampleTimeline(hour, 2000);
    // Assess
    expect(data.bucketMinutes).toBe(1);
    expect(data.series.queueVisible).toEqual(hour.queueVisible);
  });

  it("refuses series whose length is not the timeline's minutes", () => {
    // Prepare
    const broken = timeline(60);
    broken.dlqDepth.pop();
    // Act
    const act = () => downsampleTimeline(broken, 2000);
    // Assess
    expect(act).toThrow(ReportError);
    expect(act).toThrow("timeline.dlqDepth: expected 60 values, one a minute (got 59)");
  });
});

describe("alarmSegments", () => {
  it("turns per-minute states into runs of one state", () => {
    // Prepare: INSUFFICIENT_DATA for minute 0, OK until 60, ALARM after (see the fixture)
    const run = timeline(120);
    // Act
    const segments = alarmSegments(run);
    // Assess
    expect(segments).toEqual([
      { alarm: "messaging-dlq-alarm", state: "INSUFFICIENT_DATA", startMinute: 0, endMinute: 1 },
      { alarm: "messaging-dlq-alarm", state: "OK", startMinute: 1, endMinute: 60 },
      { alarm: "messaging-dlq-alarm", state: "ALARM", startMinute: 60, endMinute: 120 },
    ]);
  });

  it("refuses an unknown state code", () => {
    // Prepare
    const run = timeline(10);
    const state = run.alarms[0]?.state ?? [];
    state.fill(ALARM_STATE_CODES.OK);
    state[5] = 7;
    // Act
    const act = () => alarmSegments(run);
    // Assess
    expect(act).toThrow("timeline.alarms[messaging-dlq-alarm].state[5]: unknown state code 7");
  });
});
