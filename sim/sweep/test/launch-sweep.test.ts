import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../scenario/load-scenario";
import { parseVary } from "../parse-vary";
import { campaignDrainFigure } from "../point-figures";
import { type PointRunner, runPointJob } from "../point-job";
import { createProcessPool } from "../process-pool";
import { runSweep } from "../run-sweep";

const LAUNCH = resolve(import.meta.dirname, "../../../scenarios/launch-150k.ts");
const MAX_CONCURRENCY = "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency";

// launch-150k's arithmetic: 150,000 recipients in messages of 10, batches of 10 messages run one
// record after another, each record 500 ms at the carrier plus the engine's 7 ms per record.
const MESSAGES = 15_000;
const BATCH = 10;
// The carrier's 500 ms, its 5 ms round trip and three 2 ms queries (the stack.* defaults).
const SECONDS_PER_RECORD = 0.5 + 0.005 + 3 * 0.002;

describe("a sweep of launch-150k over MaximumConcurrency 2..40", () => {
  const pool = createProcessPool(2);
  afterAll(() => pool.close());

  it("follows Little's law at every point, and the first passing point is the one arithmetic predicts", async () => {
    // Prepare
    const scenario = await loadScenario(LAUNCH);
    // Act
    const result = await runSweep(
      { scenario, varies: [parseVary(`${MAX_CONCURRENCY}=2..40`)], repeat: 1 },
      { runner: pool },
    );
    // Assess: L = λW with L = concurrency x BATCH messages in flight and W = a batch's time in
    // flight, so the throughput λ = concurrency / SECONDS_PER_RECORD messages/s drains the queue in
    // MESSAGES / λ seconds; nothing else (429s, throttles) may slow it.
    expect(result.points).toHaveLength(39);
    for (const point of result.points) {
      const concurrency = point.settings[MAX_CONCURRENCY] as number;
      const inFlight = concurrency * BATCH;
      const batchSeconds = BATCH * SECONDS_PER_RECORD;
      const throughput = inFlight / batchSeconds;
      const drain = point.figures[campaignDrainFigure("launch")] as number;
      expect(
        Math.abs(drain - MESSAGES / throughput) / (MESSAGES / throughput),
        `at ${concurrency}`,
      ).toBeLessThan(0.1);
      expect(point.figures.carrier_rate_limited).toBe(0);
      expect(point.figures.lambda_throttles).toBe(0);
      expect(point.figures.recipients_sent).toBe(150_000);
    }
    // 600 s needs concurrency > 15,000 x 0.511 / 600 = 12.7
    const firstPassing = result.points.find((p) => p.passed);
    expect(firstPassing?.settings[MAX_CONCURRENCY]).toBe(13);
    expect(result.points.filter((p) => p.passed)).toHaveLength(28);
    expect(result.fastest).toBe(38);
  }, 300_000);

  it("gives each point the same figures in a worker as in this process", async () => {
    // Prepare
    const scenario = await loadScenario(LAUNCH);
    const plan = { scenario, varies: [parseVary(`${MAX_CONCURRENCY}=3,17`)], repeat: 2 };
    const inProcess: PointRunner = { concurrency: 1, run: runPointJob, close: async () => {} };
    // Act
    const [workers, here] = await Promise.all([
      runSweep(plan, { runner: pool }),
      runSweep(plan, { runner: inProcess }),
    ]);
    // Assess
    const figures = (r: typeof here) => r.points.map((p) => p.runs.map((run) => [run.seed, run.figures]));
    expect(figures(workers)).toEqual(figures(here));
    expect(here.seeds).toEqual([150_000, 150_001]);
  }, 300_000);
});
