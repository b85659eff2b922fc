import { describe, expect, it } from "vitest";
import { CarrierRateLimitedError } from "../../../handler/errors";
import type { CarrierPort, VisibilityPort } from "../../../handler/ports";
import { parseScenario } from "../../scenario/load-scenario";
import { carrierOutages, realTimeSettings, scaledCarrier, scaledVisibility } from "../time-scale";

function scenario(carrier: Record<string, unknown> = {}) {
  return parseScenario({
    name: "scaled",
    seed: 1,
    duration: "1h",
    carrier,
    traffic: [{ name: "c", start: "1m", recipients: 10 }],
  });
}

describe("realTimeSettings", () => {
  it("leaves the template as it is at scale 1", () => {
    // Prepare
    const s = scenario();
    // Act
    const settings = realTimeSettings(s, 1);
    // Assess: the template's 120 s visibility, 4 days' retention, 20 s long polls, 5 s carrier timeout
    expect(settings.queue).toEqual({
      visibilityTimeoutSeconds: 120,
      retentionSeconds: 345_600,
      delaySeconds: 0,
      receiveWaitSeconds: 20,
    });
    expect(settings.pollWaitSeconds).toBe(20);
    expect(settings.carrierTimeoutMs).toBe(5_000);
  });

  it("shrinks real-world durations by K and multiplies real-world rates by K", () => {
    // Prepare
    const s = scenario({
      rateLimit: { requestsPerSecond: 60 },
      latencyMs: { dist: "lognormal", p50: 50, p99: 300 },
    });
    // Act
    const settings = realTimeSettings(s, 10);
    // Assess
    expect(settings.queue).toMatchObject({
      visibilityTimeoutSeconds: 12,
      retentionSeconds: 34_560,
      receiveWaitSeconds: 2,
    });
    expect(settings.dlq.retentionSeconds).toBe(120_960);
    expect(settings.pollWaitSeconds).toBe(2);
    expect(settings.carrierTimeoutMs).toBe(500);
    expect(settings.carrier.rateLimit).toEqual({ requestsPerSecond: 600, recipientsPerSecond: null });
    expect(settings.carrier.latencyMs).toEqual({ dist: "lognormal", p50: 5, p99: 30 });
  });

  it("rounds visibility up, so it never undercuts the function timeout, and keeps retention >= 60 s", () => {
    // Prepare
    const s = parseScenario({
      name: "scaled",
      seed: 1,
      duration: "1h",
      infra: {
        overrides: { "MessagingQueue.VisibilityTimeout": 25, "MessagingQueue.MessageRetentionPeriod": 300 },
      },
      traffic: [{ name: "c", start: "1m", recipients: 10 }],
    });
    // Act
    const settings = realTimeSettings(s, 10);
    // Assess
    expect(settings.queue.visibilityTimeoutSeconds).toBe(3);
    expect(settings.queue.retentionSeconds).toBe(60);
  });
});

describe("carrierOutages", () => {
  const outages = [{ startMs: 60_000, durationMs: 30_000 }];

  it("times what is left of each outage from now, in real ms", () => {
    // Prepare + Act + Assess
    expect(carrierOutages(outages, 0, 1)).toEqual([{ startInMs: 60_000, durationMs: 30_000 }]);
    expect(carrierOutages(outages, 70_000, 1)).toEqual([{ startInMs: 0, durationMs: 20_000 }]);
    expect(carrierOutages(outages, 90_000, 1)).toEqual([]);
    expect(carrierOutages(outages, 0, 10)).toEqual([{ startInMs: 6_000, durationMs: 3_000 }]);
  });
});

describe("scaled ports", () => {
  it("convert the handler's scenario seconds to real ones and back", async () => {
    // Prepare
    const asked: number[] = [];
    const visibility: VisibilityPort = {
      changeVisibility: async (_arn, _handle, seconds) => {
        asked.push(seconds);
      },
    };
    const carrier: CarrierPort = {
      sendBulk: async () => {
        throw new CarrierRateLimitedError(2);
      },
    };
    // Act
    await scaledVisibility(visibility, 10).changeVisibility("arn", "handle", 15);
    const error = await scaledCarrier(carrier, 10)
      .sendBulk({ content: "x", recipients: [] }, "key")
      .catch((e) => e);
    // Assess
    expect(asked).toEqual([2]);
    expect(error).toBeInstanceOf(CarrierRateLimitedError);
    expect(error.retryAfterSeconds).toBe(20);
  });
});
