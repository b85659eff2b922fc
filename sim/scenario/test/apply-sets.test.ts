import { describe, expect, it } from "vitest";
import { applySets } from "../apply-sets";
import { ScenarioSetError } from "../errors";
import { parseScenario } from "../load-scenario";
import { campaign, constantArrivalRate, scenarioInput } from "./fixtures";

const base = () =>
  parseScenario(scenarioInput({ traffic: [campaign(), constantArrivalRate()] }), "/s/scenario.ts");

describe("applySets", () => {
  it("sends <LogicalId>.<Property> keys to the template overrides", () => {
    // Prepare
    const scenario = base();
    // Act
    const changed = applySets(scenario, [
      "MessagingQueue.VisibilityTimeout=30",
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency=8",
    ]);
    // Assess
    expect(changed.infra.overrides).toEqual({
      "MessagingQueue.VisibilityTimeout": 30,
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 8,
    });
    expect(changed.pipeline.queue.visibilityTimeoutSeconds).toBe(30);
    expect(changed.pipeline.esm.maximumConcurrency).toBe(8);
  });

  it("sets scenario paths, reading values as JSON when they are JSON and as strings otherwise", () => {
    // Prepare
    const scenario = base();
    // Act
    const changed = applySets(scenario, [
      "seed=7",
      "name=tuned",
      "duration=3h",
      "carrier.transientFailureRate=0.1",
      "carrier.rateLimit.requestsPerSecond=25",
      'carrier.outages=[{"start":"20m","duration":"15m"}]',
      "handler.recordParallelism=2",
      "traffic[1].rate=20",
      "thresholds.dlq_messages=count == 0",
    ]);
    // Assess
    expect(changed.seed).toBe(7);
    expect(changed.name).toBe("tuned");
    expect(changed.durationMs).toBe(3 * 3_600_000);
    expect(changed.carrier.transientFailureRate).toBe(0.1);
    expect(changed.carrier.rateLimit.requestsPerSecond).toBe(25);
    expect(changed.carrier.outages).toEqual([{ startMs: 1_200_000, durationMs: 900_000 }]);
    expect(changed.pipeline.lambda.recordParallelism).toBe(2);
    expect(changed.traffic[1]).toMatchObject({ executor: "constant-arrival-rate", rate: 20 });
    expect(changed.thresholds).toEqual({ dlq_messages: ["count == 0"] });
    expect(changed.sourcePath).toBe("/s/scenario.ts");
  });

  it("leaves the scenario it was given unchanged", () => {
    // Prepare
    const scenario = base();
    const before = structuredClone(scenario);
    // Act
    applySets(scenario, ["seed=9", "traffic[0].recipients=5", "MessagingQueue.VisibilityTimeout=30"]);
    // Assess
    expect(scenario).toEqual(before);
  });

  it.each([
    ["seed", "--set seed: expected key=value"],
    ["=3", "--set =3: expected key=value"],
    ["bogus=1", "--set bogus=1: unknown setting bogus"],
    ["carrier.rateLimt=1", "--set carrier.rateLimt=1: carrier.rateLimt: unknown field (got 1)"],
    ["traffic[9].recipients=1", "--set traffic[9].recipients=1: traffic[9]: no such entry (the list has 2)"],
    ["seed.x=1", "--set seed.x=1: seed is not an object"],
    ["traffic[0]..name=x", "--set traffic[0]..name=x: cannot read the path traffic[0]..name"],
    ["seed=-1", "--set seed=-1: seed: must be >= 0 (got -1)"],
    [
      "duration=90x",
      '--set duration=90x: duration: expected a duration like "500ms", "90s", "15m", "1h30m" or "12d14h", or a number of milliseconds (got "90x")',
    ],
    [
      "MessagingQueue.VisibilityTimeout=5",
      "--set MessagingQueue.VisibilityTimeout=5: infra: MessagingLambda.Timeout: must not exceed",
    ],
    [
      "NoSuchResource.Prop=5",
      "--set NoSuchResource.Prop=5: infra: override NoSuchResource.Prop: no resource NoSuchResource",
    ],
  ])("rejects %s with a clear error", (set, message) => {
    // Prepare
    const scenario = base();
    // Act
    const act = () => applySets(scenario, [set]);
    // Assess
    expect(act).toThrow(ScenarioSetError);
    expect(act).toThrow(message);
  });
});
