import { describe, expect, it } from "vitest";
import { parseScenario } from "../../scenario/load-scenario";
import { runVirtualScenario } from "../../virtual/virtual-engine";
import { largestSends } from "../campaign-windows";

const send = (recipients: number, atMs = 0) => ({ atMs, trafficName: "t", recipients, malformed: 0 });

describe("largestSends", () => {
  it("picks the largest sends of at least 1,000 recipients, the earliest among equals", () => {
    // Prepare
    const sends = [send(5000), send(1), send(150_000), send(999), send(8000), send(8000), send(8000)];
    // Act
    const chosen = largestSends(sends, 3);
    // Assess
    expect([...chosen].sort()).toEqual([2, 4, 5]);
    expect([...largestSends([send(999), send(1)])]).toEqual([]);
  });
});

describe("campaign windows on the virtual engine", () => {
  it("follow a drain second by second: the backlog falls at the rate Little's law gives, and ends empty", async () => {
    // Prepare: 30,000 recipients at MaximumConcurrency 6 on a fixed 500 ms carrier; a send too
    // small to follow, and a second campaign later
    const scenario = parseScenario({
      name: "windows",
      seed: 5,
      duration: "2h",
      infra: {
        overrides: {
          "MessagingLambda.ReservedConcurrentExecutions": 50,
          "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 6,
        },
      },
      carrier: { latencyMs: { dist: "fixed", value: 500 } },
      traffic: [
        { name: "launch", start: "1m", recipients: 30_000 },
        { name: "ping", start: "2m", recipients: 50 },
        { name: "follow-up", start: "1h", recipients: 4_000 },
      ],
      thresholds: { recipients_unaccounted: ["count == 0"] },
    });
    // Act
    const { summary, timeline } = await runVirtualScenario(scenario);
    // Assess
    const windows = timeline.campaigns ?? [];
    expect(windows.map((w) => [w.campaign, w.recipients, w.startSeconds])).toEqual([
      ["launch", 30_000, 60],
      ["follow-up", 4_000, 3600],
    ]);
    const launch = windows[0] as NonNullable<typeof windows>[number];
    const drain = summary.campaigns.find((c) => c.name === "launch")?.drainSeconds as number;
    expect(Math.abs(launch.queueVisible.length * launch.stepSeconds - drain)).toBeLessThanOrEqual(1);
    // 6 batches of 10 messages in flight, each message 0.511 s: 6 / 0.511 = 11.8 requests a second
    const steady = launch.carrierRequestsPerSecond.slice(30, -30);
    const mean = steady.reduce((a, b) => a + b, 0) / steady.length;
    expect(mean).toBeCloseTo(6 / 0.511, 0);
    expect(Math.max(...launch.lambdaConcurrencyMax)).toBe(6);
    expect(launch.queueInFlight[100]).toBe(60);
    expect(launch.queueVisible.at(-1)).toBe(0);
    expect(launch.carrierRateLimited.every((n) => n === 0)).toBe(true);
    expect(launch.lambdaThrottles.every((n) => n === 0)).toBe(true);
  });
});
