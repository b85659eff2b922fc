import { describe, expect, it } from "vitest";
import { campaignOf, runScenario } from "./engine-fixtures";

/*
 * Queueing arithmetic of the pipeline with a carrier that answers in a fixed L ms and has no limit.
 * The handler works through a batch's records one after another (RecordParallelism 1), each record
 * one carrier call for its 10 recipients, so an invocation holds one call at a time and C invocations
 * in flight make C / L calls a second. A batch is BatchSize 10 messages and takes 10 L; a new
 * execution environment first spends 250 ms in init (the Lambda model's cold start). Campaigns start
 * at 1m, after the pollers' first 20-second long poll came back empty, so they find idle pollers.
 */
const fixedLatency = (ms: number) => ({ latencyMs: { dist: "fixed" as const, value: ms } });
const maximumConcurrency = (c: number) => ({
  "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": c,
});

describe("virtual engine throughput against queueing arithmetic", () => {
  it("C = 5 (the template), L = 200 ms: 25 calls a second, and 60,000 recipients drain in 240.25 s", async () => {
    // Prepare: 6,000 messages = 600 batches. The mapping starts at its initial concurrency, 5 = C,
    // so 5 pollers take 120 batches each at 10 x 200 ms = 2 s: drain = 0.25 + 120 x 2 = 240.25 s.
    // The five calls of each step start together at 60.25 + 0.2k s (k = 0..1199).
    const { summary, timeline } = await runScenario({ carrier: fixedLatency(200), recipients: 60_000 });

    // Act
    const drain = campaignOf(summary).drainSeconds;
    const perMinute = timeline.carrierRequestsPerSecond.slice(1, 6);

    // Assess
    expect(drain).toBe(240.25);
    expect(summary.carrier.requests).toBe(6_000);
    expect(summary.lambda.invocations).toBe(600);
    expect(summary.lambda.maxConcurrent).toBe(5);
    // Minute [60 s, 120 s) misses the first 250 ms: 299 steps of 5 calls. Minutes 2-4 are busy
    // throughout: 300 steps x 5 = 1,500 calls = 25 a second = C / L. The last step, at 300.05 s,
    // falls in minute 5.
    expect(perMinute).toEqual([1_495 / 60, 25, 25, 25, 5 / 60]);
    // Any sliding second (t - 1 s, t] holds exactly 5 steps.
    expect(summary.carrier.maxAcceptedRequestsPerSecond).toBe(25);
    expect(summary.recipients).toMatchObject({ requested: 60_000, sent: 60_000, unaccounted: 0 });
  });

  it("C = 2, below the mapping's initial concurrency of 5: 20 calls a second with L = 100 ms", async () => {
    // Prepare: the mapping starts at min(5, MaximumConcurrency) = 2 pollers. 1,000 messages =
    // 100 batches, 50 per poller at 10 x 100 ms = 1 s: drain = 0.25 + 50 x 1 = 50.25 s.
    const { summary } = await runScenario({
      infra: { overrides: maximumConcurrency(2) },
      carrier: fixedLatency(100),
      recipients: 10_000,
    });

    // Act
    const drain = campaignOf(summary).drainSeconds;

    // Assess
    expect(drain).toBe(50.25);
    expect(summary.carrier.maxAcceptedRequestsPerSecond).toBe(20);
    expect(summary.lambda.maxConcurrent).toBe(2);
    expect(summary.lambda.invocations).toBe(100);
  });

  it("C = 10, above the initial 5: five pollers join after one second, then 100 calls a second", async () => {
    // Prepare: reserved concurrency 10 so Lambda does not throttle the extra batches. 1,050
    // messages = 105 batches. Pollers 1-5 start at once and finish their first batch at 1.25 s. At
    // the first scaling tick, 1 s in, every poll has found messages, so concurrency grows by
    // 300 a minute = 5 a second to C = 10; pollers 6-10 start cold and begin their first batch at
    // 1.25 s too. From then on, 10 batches a second: 5 + 10 x 10 = 105, drain = 1.25 + 10 = 11.25 s.
    const { summary } = await runScenario({
      infra: {
        overrides: { ...maximumConcurrency(10), "MessagingLambda.ReservedConcurrentExecutions": 10 },
      },
      carrier: fixedLatency(100),
      recipients: 10_500,
    });

    // Act
    const drain = campaignOf(summary).drainSeconds;

    // Assess
    expect(drain).toBe(11.25);
    expect(summary.carrier.maxAcceptedRequestsPerSecond).toBe(100);
    expect(summary.lambda.maxConcurrent).toBe(10);
    expect(summary.lambda.throttles).toBe(0);
    expect(summary.lambda.invocations).toBe(105);
  });
});
