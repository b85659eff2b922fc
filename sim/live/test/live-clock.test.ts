import { afterEach, describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { createLiveClock, type LiveClock } from "../live-clock";

const START = Date.UTC(2026, 0, 5);
const open: LiveClock[] = [];

/** A clock on a hand-driven real clock: `real.ms` moves only when a test moves it. */
function clockOn(timeScale = 1) {
  const real = { ms: 1_000_000 };
  const clock = createLiveClock({ startMs: START, timeScale, realNow: () => real.ms });
  open.push(clock);
  return { clock, real };
}

afterEach(() => {
  for (const clock of open.splice(0)) clock.close();
});

describe("the live clock", () => {
  it("runs at timeScale x real time, plus what jumps skipped", () => {
    // Prepare
    const { clock, real } = clockOn(10);
    // Act
    real.ms += 100;
    const beforeJump = clock.now();
    clock.jumpTo(START + 5_000);
    real.ms += 100;
    const afterJump = clock.now();
    // Assess
    expect(beforeJump).toBe(START + 1_000);
    expect(afterJump).toBe(START + 6_000);
    expect(clock.skippedMs()).toBe(4_000);
    expect(clock.scenarioAt(1_000_050)).toBe(START + 500);
    expect(clock.scenarioAt(1_000_150)).toBe(START + 5_500);
    expect(clock.realDelayUntil(START + 7_000)).toBe(100);
  });

  it("wakes the sleeps a jump passes, in deadline order, and leaves the later ones asleep", async () => {
    // Prepare
    const { clock } = clockOn();
    const woke: string[] = [];
    const sleeper = (label: string, ms: number) => clock.sleep(ms).then(() => woke.push(label));
    const sleeps = [sleeper("1m", 60_000), sleeper("30s", 30_000), sleeper("2m", 120_000)];
    const cancelled = clock.after(10_000, () => woke.push("cancelled"));
    cancelled.cancel();
    // Act
    clock.jumpTo(START + 90_000);
    await Promise.all(sleeps.slice(0, 2));
    const afterFirstJump = [...woke];
    clock.jumpTo(START + 120_000);
    await Promise.all(sleeps);
    // Assess
    expect(afterFirstJump).toEqual(["30s", "1m"]);
    expect(woke).toEqual(["30s", "1m", "2m"]);
  });

  it("ignores a jump into the past", () => {
    // Prepare
    const { clock, real } = clockOn();
    real.ms += 2_000;
    // Act
    clock.jumpTo(START + 1_000);
    // Assess
    expect(clock.now()).toBe(START + 2_000);
    expect(clock.skippedMs()).toBe(0);
  });

  it("refuses a time scale below 1", () => {
    // Prepare + Act + Assess
    expect(() => createLiveClock({ startMs: START, timeScale: 0.5 })).toThrow(ValidationError);
    expect(() => createLiveClock({ startMs: START, timeScale: 0.5 })).toThrow(/timeScale/);
  });
});
