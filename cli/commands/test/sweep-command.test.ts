import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SweepResult } from "../../../sim/sweep/run-sweep";
import { smsim } from "./run-smsim";

const LAUNCH = resolve(import.meta.dirname, "../../../scenarios/launch-150k.ts");
const CONCURRENCY = "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smsim-sweep-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("smsim sweep", () => {
  it("prints the table, marks passing points, names the cheapest and fastest, writes json, csv and html", async () => {
    // Prepare: 30,000 recipients need 30,000 / 10 x 0.511 s / 600 s = 2.6 concurrent batches; by
    // Little's law they drain in 3,000 x 0.511 s / C: 12m47s at 2, 8m31s at 3, 4m16s at 6
    const out = join(dir, "grid");
    // Act
    const result = await smsim(
      "sweep",
      LAUNCH,
      "--set",
      "traffic[0].recipients=30000",
      "--vary",
      `${CONCURRENCY}=2,3,6`,
      "--jobs",
      "2",
      "--out",
      out,
      "--no-progress",
    );
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^\s+MaximumConcurrency\s+drain\s+429s\s+in DLQ\s+throttles\s+cost\s+thresholds$/m,
    );
    expect(result.stdout).toMatch(/^ {3}\s*2\s+12m47s .*✗ 1 failed$/m);
    expect(result.stdout).toMatch(/^✓\s+3\s+8m31s .*✓ pass$/m);
    expect(result.stdout).toMatch(/^✓\s+6\s+4m1\ds .*✓ pass$/m);
    expect(result.stdout).toContain("2 of 3 points pass every threshold");
    expect(result.stdout).toMatch(/fastest passing: {2}\S+MaximumConcurrency=6 /);
    const json = JSON.parse(await readFile(join(out, "sweep.json"), "utf8")) as SweepResult;
    expect(json.points.map((p) => [p.settings[CONCURRENCY], p.passed])).toEqual([
      [2, false],
      [3, true],
      [6, true],
    ]);
    const csv = (await readFile(join(out, "sweep.csv"), "utf8")).trim().split("\n");
    expect(csv[0]).toMatch(new RegExp(`^point,${CONCURRENCY},seed,passed,drain_seconds_max,`));
    expect(csv.slice(1).map((line) => line.split(",").slice(0, 4).join(","))).toEqual([
      "0,2,150000,false",
      "1,3,150000,true",
      "2,6,150000,true",
    ]);
    const html = await readFile(join(out, "sweep.html"), "utf8");
    expect(html).toContain("<h2>Figures against");
    // the cheapest passing point's campaign, step by step
    expect(html).toContain(`<h2>Point 1: ${CONCURRENCY}=3</h2>`);
    expect(html).toContain("launch · 30,000 recipients at 1m");
    expect(html).toContain('id="chart-campaign-0-carrier"');
  }, 120_000);

  it("exits 99 when no point passes, and --minimize states its assumption and answer", async () => {
    // Prepare
    const out = join(dir, "none");
    // Act
    const none = await smsim(
      "sweep",
      LAUNCH,
      "--set",
      "traffic[0].recipients=60000",
      "--vary",
      `${CONCURRENCY}=2,3`,
      "--out",
      out,
      "--no-progress",
    );
    const minimized = await smsim(
      "sweep",
      LAUNCH,
      "--set",
      "traffic[0].recipients=30000",
      "--vary",
      `${CONCURRENCY}=2..12`,
      "--minimize",
      CONCURRENCY,
      "--jobs",
      "1",
      "--out",
      join(dir, "min"),
      "--no-progress",
    );
    // Assess
    expect(none.code).toBe(99);
    expect(none.stdout).toContain("no point passes every threshold");
    expect(minimized.code).toBe(0);
    expect(minimized.stdout).toContain("assumes passing is monotone in the key");
    expect(minimized.stdout).toContain(`smallest passing ${CONCURRENCY} = 3 (neighbours: 2 fails, 4 passes)`);
    expect(minimized.stdout).toMatch(/ [3-6] of 11 points x 1 seed/);
  }, 120_000);

  it.each([
    [["--vary", "MaximumConcurrency"], "--vary MaximumConcurrency: expected KEY=VALUES"],
    [["--vary", `${CONCURRENCY}=0,5`], `--vary: ${CONCURRENCY}=0: infra: `],
    [["--vary", "nosuch=1,2"], "unknown setting nosuch"],
    [
      ["--vary", `${CONCURRENCY}=2,3`, "--minimize", "MessagingQueue.VisibilityTimeout"],
      "--minimize: MessagingQueue.VisibilityTimeout is not varied",
    ],
    [["--vary", `${CONCURRENCY}=2,3`, "--jobs", "0"], "--jobs: expected a whole number >= 1"],
    [[], "--vary: at least one"],
  ])("exits 2 naming the bad input: %j", async (args, message) => {
    // Prepare + Act
    const result = await smsim("sweep", LAUNCH, ...args, "--out", join(dir, "bad"), "--no-progress");
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
