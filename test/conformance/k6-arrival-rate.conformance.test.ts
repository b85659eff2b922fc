import { describe, expect, it } from "vitest";
import {
  constantArrivalOffsetsNs,
  expandTraffic,
  rampingArrivalOffsetsNs,
} from "../../sim/scenario/expand-traffic";
import { parseScenario } from "../../sim/scenario/load-scenario";

/**
 * k6's own arrival-rate cases, fed to our schedule. Each k6 test runs with the whole execution
 * segment (no striping across instances), which is what one smsim run is.
 */
const ms = (ns: number) => ns / 1e6;

function sendTimes(traffic: unknown[]): number[] {
  const scenario = parseScenario({ name: "k6", seed: 1, duration: "1h", traffic });
  return [...expandTraffic(scenario)].map((send) => send.atMs);
}

describe("k6 lib/executor/ramping_arrival_rate_test.go", () => {
  // getConfig() of TestRampingArrivalRateCal: 0 -> 1/s over 5 s, 1/s for 1 s, 1 -> 0/s over 5 s.
  const calStages = [
    { target: 1, durationMs: 5000 },
    { target: 1, durationMs: 1000 },
    { target: 0, durationMs: 5000 },
  ];

  it.each([
    { timeUnitMs: 1000, expected: [3162, 4472, 5500, 6527, 7837, 11000] },
    {
      timeUnitMs: 1000 / 3,
      expected: [
        1825, 2581, 3162, 3651, 4082, 4472, 4830, 5166, 5499, 5833, 6169, 6527, 6917, 7348, 7837, 8418, 9174,
        10999,
      ],
    },
  ])(
    "TestRampingArrivalRateCal (whole segment, timeUnit $timeUnitMs ms): cal() times",
    ({ timeUnitMs, expected }) => {
      // Prepare: k6's config and expected times (k6 asserts each within 0.1%)
      // Act
      const times = [...rampingArrivalOffsetsNs({ startRate: 0, timeUnitMs, stages: calStages })].map(ms);
      // Assess
      expect(times).toHaveLength(expected.length);
      for (const [i, time] of times.entries()) {
        expect(Math.abs(time - (expected[i] as number))).toBeLessThanOrEqual((expected[i] as number) * 0.001);
      }
    },
  );

  it("TestRampingArrivalRateCal: no arrival at 0 with startRate 0; the one on the end is not sent", () => {
    // Prepare: the same config as a scenario's traffic entry
    const entry = {
      name: "cal",
      executor: "ramping-arrival-rate",
      startRate: 0,
      timeUnit: "1s",
      stages: [
        { target: 1, duration: "5s" },
        { target: 1, duration: "1s" },
        { target: 0, duration: "5s" },
      ],
    };
    // Act
    const times = sendTimes([entry]);
    // Assess: cal()'s times floored to our millisecond clock (5.5 s is 5,499.999999 ms in
    // k6's float64 arithmetic); 11 s is the executor's end
    expect(times).toEqual([3162, 4472, 5499, 6527, 7837]);
  });

  it("TestRampingArrivalRateRunCorrectRate: about 10, 30 and 50 arrivals in the three seconds (k6: ±1, ±2, ±3)", () => {
    // Prepare: getTestRampingArrivalRateConfig(): startRate 10; 10/s 1 s; 10 -> 50/s 1 s; 50/s 1 s
    const entry = {
      name: "rate",
      executor: "ramping-arrival-rate",
      startRate: 10,
      timeUnit: "1s",
      stages: [
        { target: 10, duration: "1s" },
        { target: 50, duration: "1s" },
        { target: 50, duration: "1s" },
      ],
      preAllocatedVUs: 10,
      maxVUs: 20,
      gracefulStop: "1s",
    };
    // Act
    const times = sendTimes([entry]);
    const inSecond = (s: number) => times.filter((t) => t > (s - 1) * 1000 && t <= s * 1000).length;
    // Assess: the area reaches 10 exactly at 1 s; the 90th arrival is on the end, so not sent
    expect([inSecond(1), inSecond(2), inSecond(3)]).toEqual([9 + 1, 30, 49]);
    expect(times[0]).toBe(100);
  });

  it("TestRampingArrivalRateGlobalIters: 0 -> 20 per 950 ms over 1 s and back gives iterations 0..20", () => {
    // Prepare: k6's segments 0:1/4, 1/4:3/4 and 3/4:1 together run global iterations 0 through 20
    const entry = {
      name: "iters",
      executor: "ramping-arrival-rate",
      startRate: 0,
      timeUnit: "950ms",
      stages: [
        { target: 20, duration: "1s" },
        { target: 0, duration: "1s" },
      ],
    };
    // Act
    const times = sendTimes([entry]);
    // Assess
    expect(times).toHaveLength(21);
    expect(times.every((t) => t < 2000)).toBe(true);
  });

  it("TestRampingArrivalRateCornerCase: 1/s for 1 s has one arrival in the whole segment, just before the end", () => {
    // Prepare: k6 finds no work for the 1/5:2/5 segment; the whole segment's one arrival is at area 1,
    // which float64 puts at 999,999,999 ns
    const offsets = [
      ...rampingArrivalOffsetsNs({
        startRate: 1,
        timeUnitMs: 1000,
        stages: [{ target: 1, durationMs: 1000 }],
      }),
    ];
    // Act + Assess
    expect(offsets).toEqual([999_999_999]);
  });
});

describe("k6 lib/executor/constant_arrival_rate_test.go", () => {
  it("TestConstantArrivalRateRunCorrectRate: 50/s for 5 s is 250 iterations, 50 each second", () => {
    // Prepare: getTestConstantArrivalRateConfig()
    const entry = {
      name: "constant",
      executor: "constant-arrival-rate",
      rate: 50,
      timeUnit: "1s",
      duration: "5s",
      preAllocatedVUs: 10,
      maxVUs: 20,
      gracefulStop: "1s",
    };
    // Act
    const times = sendTimes([entry]);
    // Assess: a tick every 20 ms from 0, the last at 4.98 s
    expect(times).toHaveLength(250);
    for (let s = 0; s < 5; s++)
      expect(times.filter((t) => t >= s * 1000 && t < (s + 1) * 1000)).toHaveLength(50);
    expect(times.at(-1)).toBe(4980);
  });

  it("TestConstantArrivalRateRunCorrectTiming (whole segment): the first at 0, then every 20 ms", () => {
    // Prepare: the test's config over 2 s; its 1/3 segments tick every 60 ms, the whole one every 20 ms
    // Act
    const offsets = [...constantArrivalOffsetsNs({ rate: 50, timeUnitMs: 1000, durationMs: 2000 })];
    // Assess
    expect(offsets).toHaveLength(100);
    expect(new Set(offsets.map((ns, i) => ns - (offsets[i - 1] ?? -20e6)))).toEqual(new Set([20e6]));
  });

  it("fires every tick strictly before the end: 3/s for 1 s ticks at 0, 333.3, 666.7 and 999.999999 ms", () => {
    // Prepare: the ticker period is 1e9/3 ns truncated to 333,333,333 ns (getTickerPeriod)
    // Act
    const offsets = [...constantArrivalOffsetsNs({ rate: 3, timeUnitMs: 1000, durationMs: 1000 })];
    // Assess
    expect(offsets).toEqual([0, 333_333_333, 666_666_666, 999_999_999]);
  });
});
