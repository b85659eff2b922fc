import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../rate-limiter";

/** Takes `amount` at each of `times` (ms) and returns what each take answered. */
function takeAt(limiter: ReturnType<typeof createRateLimiter>, amount: number, times: readonly number[]) {
  return times.map((t) => limiter.take(amount, t));
}

describe("carrier rate limiter: a sliding 1-second window", () => {
  it("accepts the rate in any window and tells the 11th call of a burst to wait until the oldest leaves", () => {
    // Prepare
    const limiter = createRateLimiter(10, 0);

    // Act
    const burst = takeAt(
      limiter,
      1,
      Array.from({ length: 10 }, () => 0),
    );
    const eleventhAt500 = limiter.take(1, 500);

    // Assess
    expect(burst).toEqual(Array.from({ length: 10 }, () => 0));
    expect(eleventhAt500).toBeCloseTo(0.5, 9);
  });

  it("treats the window as (t - 1000 ms, t]: an acceptance at 0 still counts at 999 ms and is gone at 1000 ms", () => {
    // Prepare
    const limiter = createRateLimiter(1, 0);
    limiter.take(1, 0);

    // Act
    const at999 = limiter.take(1, 999);
    const at1000 = limiter.take(1, 1000);

    // Assess
    expect(at999).toBeCloseTo(0.001, 9);
    expect(at1000).toBe(0);
  });

  it("waits only as long as it takes for enough of the oldest acceptances to leave", () => {
    // Prepare: 5 at 0 ms and 5 at 400 ms fill a limit of 10.
    const limiter = createRateLimiter(10, 0);
    limiter.take(5, 0);
    limiter.take(5, 400);

    // Act
    const threeAt600 = limiter.take(3, 600);
    const fiveAt600 = limiter.take(5, 600);
    const sixAt600 = limiter.take(6, 600);

    // Assess: 3 or 5 fit once the first 5 leave (1000 ms); 6 need the second group gone too (1400 ms).
    expect(threeAt600).toBeCloseTo(0.4, 9);
    expect(fiveAt600).toBeCloseTo(0.4, 9);
    expect(sixAt600).toBeCloseTo(0.8, 9);
  });

  it("accepts an amount above the whole limit into an empty window only, so it is delayed, never refused forever", () => {
    // Prepare
    const limiter = createRateLimiter(10, 0);
    limiter.take(3, 0);
    limiter.take(2, 300);

    // Act
    const bigWhileBusy = limiter.take(25, 500);
    const bigWhenEmpty = limiter.take(25, 1300);
    const oneRightAfter = limiter.take(1, 1310);

    // Assess: 25 > 10 waits for the window to empty (the 300 ms acceptance leaves at 1300 ms).
    expect(bigWhileBusy).toBeCloseTo(0.8, 9);
    expect(bigWhenEmpty).toBe(0);
    expect(oneRightAfter).toBeCloseTo(0.99, 9);
  });

  it("counts amounts, not calls: a recipient limit of 100 takes ten requests of 10 and refuses the eleventh", () => {
    // Prepare
    const limiter = createRateLimiter(100, 0);

    // Act
    const tens = takeAt(limiter, 10, [0, 50, 100, 150, 200, 250, 300, 350, 400, 450]);
    const eleventh = limiter.take(10, 460);

    // Assess
    expect(tens.every((wait) => wait === 0)).toBe(true);
    expect(eleventh).toBeCloseTo(0.54, 9);
  });

  it("spreads a rate below 1/s over a longer window: 0.2/s admits one call per 5 s", () => {
    // Prepare
    const limiter = createRateLimiter(0.2, 0);
    limiter.take(1, 0);

    // Act
    const at2s = limiter.take(1, 2000);
    const at5s = limiter.take(1, 5000);

    // Assess
    expect(at2s).toBeCloseTo(3, 9);
    expect(at5s).toBe(0);
  });

  it("applies a rate changed at run time to what the window already holds", () => {
    // Prepare
    const limiter = createRateLimiter(10, 0);
    takeAt(limiter, 1, [0, 0, 0, 0, 0]);

    // Act
    limiter.setRate(5, 100);
    const atFive = limiter.take(1, 100);
    limiter.setRate(20, 200);
    const atTwenty = takeAt(
      limiter,
      1,
      Array.from({ length: 15 }, () => 200),
    );
    const twentyFirst = limiter.take(1, 200);

    // Assess
    expect(atFive).toBeCloseTo(0.9, 9);
    expect(atTwenty.every((wait) => wait === 0)).toBe(true);
    expect(twentyFirst).toBeCloseTo(0.8, 9);
  });

  it("limits nothing while unlimited, and limits again from a rate set later", () => {
    // Prepare
    const limiter = createRateLimiter(null, 0);

    // Act
    const unlimited = takeAt(
      limiter,
      1_000,
      Array.from({ length: 100 }, () => 0),
    );
    limiter.setRate(2, 10);
    const limited = takeAt(limiter, 1, [10, 10, 10]);

    // Assess
    expect(unlimited.every((wait) => wait === 0)).toBe(true);
    expect(limited.slice(0, 2)).toEqual([0, 0]);
    expect(limited[2]).toBeCloseTo(1, 9);
  });

  it("empties the window on reset", () => {
    // Prepare
    const limiter = createRateLimiter(2, 0);
    takeAt(limiter, 1, [0, 0]);

    // Act
    const beforeReset = limiter.take(1, 10);
    limiter.reset(10);
    const afterReset = takeAt(limiter, 1, [10, 500]);
    const twoAt600 = limiter.take(2, 600);

    // Assess: after the reset only the acceptances at 10 and 500 ms count; 2 more fit once both
    // have left, at 1,500 ms.
    expect(beforeReset).toBeGreaterThan(0);
    expect(afterReset).toEqual([0, 0]);
    expect(twoAt600).toBeCloseTo(0.9, 9);
  });

  it("keeps exact answers over a long run of acceptances", () => {
    // Prepare: 3,000 calls at 10/s, each at its earliest moment.
    const limiter = createRateLimiter(10, 0);
    let now = 0;
    const accepted: number[] = [];

    // Act
    while (accepted.length < 3_000) {
      const wait = limiter.take(1, now);
      if (wait === 0) accepted.push(now);
      else now += Math.round(wait * 1000);
    }

    // Assess: bursts of 10 every second, never 11 in any window (t - 1000, t].
    expect(accepted.at(-1)).toBe(299_000);
    for (let i = 10; i < accepted.length; i++) {
      expect((accepted[i] as number) - (accepted[i - 10] as number)).toBeGreaterThanOrEqual(1000);
    }
  });
});
