import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smsim } from "./run-smsim";

const LAUNCH = resolve(import.meta.dirname, "../../../scenarios/launch-150k.ts");
// 20,000 recipients at MaximumConcurrency 10: 2,000 messages x 0.511 s / 10 = 101 s of drain.
const SMALL = [
  "--set",
  "traffic[0].recipients=20000",
  "--set",
  "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency=10",
];

let dir: string;
let baseline: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smsim-baseline-"));
  const run = await smsim("run", LAUNCH, ...SMALL, "--out", join(dir, "baseline"), "--no-progress");
  expect(run.code).toBe(0);
  baseline = join(dir, "baseline", "summary.json");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("smsim run --baseline", () => {
  it("passes the same run against its own summary", async () => {
    // Prepare + Act
    const result = await smsim(
      "run",
      LAUNCH,
      ...SMALL,
      "--baseline",
      baseline,
      "--out",
      join(dir, "same"),
      "--no-progress",
    );
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/baseline .*summary\.json: no regression \(\d+ checks\)/);
    expect(await readFile(join(dir, "same", "baseline.xml"), "utf8")).toMatch(/failures="0"/);
  });

  it("exits 99 on a deliberately slowed carrier, listing the drain that moved, in baseline.xml too", async () => {
    // Prepare: 700 ms a request instead of 500: the drain grows by 2/5, beyond 15%
    const slowed = ["--set", "carrier.latencyMs.value=700"];
    // Act
    const result = await smsim(
      "run",
      LAUNCH,
      ...SMALL,
      ...slowed,
      "--baseline",
      baseline,
      "--out",
      join(dir, "slow"),
      "--no-progress",
    );
    // Assess
    expect(result.code).toBe(99);
    expect(result.stdout).toMatch(
      /: 1 regression\(s\):\n {4}drain launch \(s\): 10\d\.\d+ -> 14\d\.\d+ \(allowed \|diff\| <= 2\d\.\d+\)/,
    );
    const junit = await readFile(join(dir, "slow", "baseline.xml"), "utf8");
    expect(junit).toMatch(/failures="1"/);
    expect(junit).toContain('classname="baseline drain launch (s)"');
  });

  it("does not fail a faster run, but says the baseline is stale", async () => {
    // Prepare + Act
    const result = await smsim(
      "run",
      LAUNCH,
      ...SMALL,
      "--set",
      "carrier.latencyMs.value=300",
      "--baseline",
      baseline,
      "--out",
      join(dir, "fast"),
      "--no-progress",
    );
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/update the baseline\?\):\n {4}drain launch \(s\): 10\d\.\d+ -> 6\d\.\d+/);
  });

  it("exits 2 before running when the baseline cannot be read", async () => {
    // Prepare + Act
    const result = await smsim(
      "run",
      LAUNCH,
      ...SMALL,
      "--baseline",
      join(dir, "nope.json"),
      "--out",
      join(dir, "x"),
    );
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nope.json");
  });
});
