import { readdirSync } from "node:fs";
import { basename, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { HOUR_MS } from "../durations";
import { expandTraffic } from "../expand-traffic";
import { loadScenario, type Scenario } from "../load-scenario";

const SCENARIOS_DIR = resolve(import.meta.dirname, "../../../scenarios");
const files = readdirSync(SCENARIOS_DIR).filter((f) => /\.(ts|mjs|json|ya?ml)$/.test(f));

function totals(scenario: Scenario) {
  let sends = 0;
  let recipients = 0;
  let malformed = 0;
  for (const send of expandTraffic(scenario)) {
    sends++;
    recipients += send.recipients;
    malformed += send.malformed;
  }
  return { sends, recipients, malformed };
}

describe("shipped scenarios", () => {
  it("include the five the project documents", () => {
    // Prepare + Act: the files in scenarios/
    // Assess
    expect(files).toEqual(
      expect.arrayContaining([
        "month-1m.ts",
        "carrier-outage.ts",
        "rate-limit-compliance.ts",
        "poison-message.ts",
        "throttle-trap.ts",
      ]),
    );
  });

  it.each(files)("%s loads, is named after its file and states thresholds", async (file) => {
    // Prepare
    const path = resolve(SCENARIOS_DIR, file);
    // Act
    const scenario = await loadScenario(path);
    // Assess
    expect(scenario.name).toBe(basename(file).replace(/\.[^.]+$/, ""));
    expect(Object.keys(scenario.thresholds).length).toBeGreaterThan(0);
    expect(scenario.thresholds.recipients_unaccounted).toEqual(["count == 0"]);
  });

  it("month-1m carries the seed's volume of about a million recipients", async () => {
    // Prepare
    const scenario = await loadScenario(resolve(SCENARIOS_DIR, "month-1m.ts"));
    // Act
    const { recipients } = totals(scenario);
    // Assess
    expect(recipients).toBeGreaterThanOrEqual(950_000);
    expect(recipients).toBeLessThanOrEqual(1_050_000);
    expect(scenario.durationMs).toBeGreaterThanOrEqual(30 * 24 * HOUR_MS);
  });

  it("carrier-outage has a 15-minute outage while its campaign drains", async () => {
    // Prepare
    const scenario = await loadScenario(resolve(SCENARIOS_DIR, "carrier-outage.ts"));
    // Act
    const [outage] = scenario.carrier.outages;
    const [first] = [...expandTraffic(scenario)];
    // Assess
    expect(outage?.durationMs).toBe(15 * 60_000);
    expect(outage?.startMs).toBeGreaterThanOrEqual(first?.atMs ?? Number.POSITIVE_INFINITY);
    expect(outage?.startMs).toBeLessThan((first?.atMs ?? 0) + 60_000);
  });

  it("rate-limit-compliance asks for more than the carrier's limit and checks the limit holds", async () => {
    // Prepare
    const scenario = await loadScenario(resolve(SCENARIOS_DIR, "rate-limit-compliance.ts"));
    // Act
    const limit = scenario.carrier.rateLimit.requestsPerSecond;
    // Assess
    expect(limit).not.toBeNull();
    expect(scenario.thresholds.carrier_requests_per_second_max).toEqual([`value <= ${limit}`]);
    // Each of MaximumConcurrency invocations keeps recordParallelism requests in flight.
    const inFlight =
      (scenario.pipeline.esm.maximumConcurrency ?? 0) * scenario.pipeline.lambda.recordParallelism;
    const latency = scenario.carrier.latencyMs;
    expect(latency.dist).toBe("fixed");
    expect(inFlight * (1000 / (latency.dist === "fixed" ? latency.value : 1))).toBeGreaterThan(limit ?? 0);
  });

  it("poison-message enqueues malformed bodies and expects exactly those in the DLQ", async () => {
    // Prepare
    const scenario = await loadScenario(resolve(SCENARIOS_DIR, "poison-message.ts"));
    // Act
    const { malformed } = totals(scenario);
    // Assess
    expect(malformed).toBeGreaterThan(0);
    expect(scenario.thresholds.dlq_messages).toEqual([`count == ${malformed}`]);
  });

  it("throttle-trap sets reserved concurrency below MaximumConcurrency, which the template loader warns of", async () => {
    // Prepare
    const scenario = await loadScenario(resolve(SCENARIOS_DIR, "throttle-trap.ts"));
    // Act
    const { lambda, esm, warnings } = scenario.pipeline;
    // Assess
    expect(lambda.reservedConcurrency).toBe(1);
    expect(esm.maximumConcurrency).toBe(5);
    expect(warnings.some((w) => w.includes("Lambda will throttle"))).toBe(true);
  });

  it("throttle-trap-short-window keeps the visibility timeout below AWS's advice of 6 x the function timeout", async () => {
    // Prepare
    const scenario = await loadScenario(resolve(SCENARIOS_DIR, "throttle-trap-short-window.ts"));
    // Act
    const { queue, lambda, warnings } = scenario.pipeline;
    // Assess
    expect(queue.visibilityTimeoutSeconds).toBeLessThan(6 * lambda.timeoutSeconds);
    expect(warnings.some((w) => w.includes("below AWS's advice"))).toBe(true);
  });
});
