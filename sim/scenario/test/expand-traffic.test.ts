import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../durations";
import { expandTraffic, type SendRequest } from "../expand-traffic";
import { parseScenario } from "../load-scenario";
import { campaign, constantArrivalRate, scenarioInput } from "./fixtures";

const sendsOf = (input: Parameters<typeof scenarioInput>[0]): SendRequest[] => [
  ...expandTraffic(parseScenario(scenarioInput(input))),
];
const gaps = (sends: readonly SendRequest[]) =>
  sends.slice(1).map((s, i) => s.atMs - (sends[i] as SendRequest).atMs);

describe("expandTraffic", () => {
  it("spreads a constant arrival rate of 10 a minute over an hour into 600 evenly spaced sends", () => {
    // Prepare
    const input = {
      traffic: [
        constantArrivalRate({ rate: 10, timeUnit: "1m", duration: "1h", start: "5m", recipients: 2 }),
      ],
    };
    // Act
    const sends = sendsOf(input);
    // Assess
    expect(sends).toHaveLength(600);
    expect(sends[0]).toEqual({ atMs: 5 * MINUTE_MS, trafficName: "orders", recipients: 2, malformed: 0 });
    expect(new Set(gaps(sends))).toEqual(new Set([6000]));
    expect(sends.at(-1)?.atMs).toBe(5 * MINUTE_MS + 599 * 6000);
  });

  it("fires every tick strictly before the end, as k6 does: 0.29 a second for 100 seconds is 30 sends", () => {
    // Prepare: the tick is 3,448,275,862 ns (truncated), so tick 29 is at 99.999999998 s < 100 s
    const input = { traffic: [constantArrivalRate({ rate: 0.29, timeUnit: "1s", duration: "100s" })] };
    // Act
    const sends = sendsOf(input);
    // Assess
    expect(sends).toHaveLength(30);
    expect(sends.slice(0, 3).map((s) => s.atMs)).toEqual([0, 3448, 6896]);
    expect(sends.at(-1)?.atMs).toBe(99_999);
  });

  it("sends a campaign at its instant, with its malformed bodies, and a daily campaign once a day", () => {
    // Prepare
    const input = {
      duration: "4d",
      traffic: [
        campaign({ name: "launch", start: "1d2h", recipients: 150_000, malformed: 20 }),
        { name: "promo", executor: "daily" as const, at: "09:30", days: 3, recipients: 8000 },
      ],
    };
    // Act
    const sends = sendsOf(input);
    // Assess
    const promoAt = (day: number) => day * DAY_MS + 9 * HOUR_MS + 30 * MINUTE_MS;
    expect(sends).toEqual([
      { atMs: promoAt(0), trafficName: "promo", recipients: 8000, malformed: 0 },
      { atMs: DAY_MS + 2 * HOUR_MS, trafficName: "launch", recipients: 150_000, malformed: 20 },
      { atMs: promoAt(1), trafficName: "promo", recipients: 8000, malformed: 0 },
      { atMs: promoAt(2), trafficName: "promo", recipients: 8000, malformed: 0 },
    ]);
  });

  it("merges entries in time order, ties in the order the traffic lists them", () => {
    // Prepare: a campaign at 0 and at 1m, orders every 30 s from 0
    const input = {
      traffic: [
        constantArrivalRate({ name: "orders", rate: 2, timeUnit: "1m", duration: "2m" }),
        campaign({ name: "at-zero", start: "0s" }),
        campaign({ name: "at-one", start: "1m" }),
      ],
    };
    // Act
    const sends = sendsOf(input);
    // Assess
    expect(sends.map((s) => [s.atMs, s.trafficName])).toEqual([
      [0, "orders"],
      [0, "at-zero"],
      [30_000, "orders"],
      [60_000, "orders"],
      [60_000, "at-one"],
      [90_000, "orders"],
    ]);
  });

  it("follows a ramping arrival rate's integral as k6 does: 0 to 60 a minute over a minute, then 60 a minute", () => {
    // Prepare: the ramp holds 30 sends (the triangle's area), the plateau 60
    const input = {
      traffic: [
        {
          name: "ramp",
          executor: "ramping-arrival-rate" as const,
          startRate: 0,
          timeUnit: "1m",
          stages: [
            { target: 60, duration: "1m" },
            { target: 60, duration: "1m" },
          ],
        },
      ],
    };
    // Act
    const sends = sendsOf(input);
    // Assess
    const inRamp = sends.filter((s) => s.atMs < MINUTE_MS);
    // k6 places send k where the integral reaches k + 1: the 30th lands on 1m, the 90th on the end (dropped).
    expect(sends).toHaveLength(89);
    expect(inRamp).toHaveLength(29);
    // By 30 s the integral is 60/min x (1/2 min) / 2 = 7.5: sends at areas 1..7 have happened.
    expect(inRamp.filter((s) => s.atMs < 30_000)).toHaveLength(7);
    const rampGaps = gaps(inRamp);
    expect(rampGaps.every((gap, i) => i === 0 || gap <= (rampGaps[i - 1] as number))).toBe(true);
    // k6's float64 arithmetic truncates some times a nanosecond short of the whole millisecond.
    expect(gaps(sends.slice(29)).every((gap) => Math.abs(gap - 1000) <= 1)).toBe(true);
  });

  it("generates lazily: the first sends of an astronomically long stream come at once", () => {
    // Prepare: a million sends a millisecond for a month would never fit in memory
    const scenario = parseScenario(
      scenarioInput({
        duration: "30d",
        traffic: [constantArrivalRate({ rate: 1_000_000, timeUnit: "1ms", duration: "30d" })],
      }),
    );
    // Act
    const stream = expandTraffic(scenario);
    const first = [stream.next().value, stream.next().value, stream.next().value] as SendRequest[];
    // Assess
    expect(first.map((s) => s.atMs)).toEqual([0, 0, 0]);
  });
});
