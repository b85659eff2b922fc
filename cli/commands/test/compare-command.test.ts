import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../../reports/summary";
import { runSummary } from "../../../reports/test/fixtures";
import { smsim } from "./run-smsim";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smsim-compare-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function summaryFile(name: string, summary: RunSummary | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof summary === "string" ? summary : JSON.stringify(summary));
  return path;
}

describe("smsim compare", () => {
  it("prints both runs side by side and exits 0 when they agree", async () => {
    // Prepare
    const a = await summaryFile("virtual.json", runSummary());
    const b = await summaryFile("live.json", runSummary({ engine: "live", wallSeconds: 80 }));
    // Act
    const result = await smsim("compare", a, b);
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^engine\s+virtual\s+live$/m);
    expect(result.stdout).toMatch(/^wallSeconds\s+3\.5\s+80$/m);
    expect(result.stdout).toContain("agree within tolerances");
  });

  it("exits 1 outside the tolerances, and a looser tolerance lets the same pair pass", async () => {
    // Prepare: spring-sale drains in 95 s in one run and 120 s in the other
    const base = runSummary();
    const slower = runSummary({
      campaigns: base.campaigns.map((c) => (c.name === "spring-sale" ? { ...c, drainSeconds: 120 } : c)),
    });
    const a = await summaryFile("a.json", base);
    const b = await summaryFile("b.json", slower);
    // Act
    const strict = await smsim("compare", a, b);
    const loose = await smsim("compare", a, b, "--tolerance", "drain=25%");
    // Assess
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^drain spring-sale \(s\)\s+95\s+120\s+\|diff\| <= 19\s+FAIL$/m);
    expect(loose.code).toBe(0);
  });

  it("names the file or the tolerance it cannot read, and exits 2", async () => {
    // Prepare
    const good = await summaryFile("good.json", runSummary());
    const partial = await summaryFile("partial.json", JSON.stringify({ scenario: "x" }));
    // Act
    const missing = await smsim("compare", good, join(dir, "nope.json"));
    const incomplete = await smsim("compare", good, partial);
    const badTolerance = await smsim("compare", good, good, "--tolerance", "drain=lots");
    // Assess
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("nope.json") });
    expect(incomplete).toMatchObject({ code: 2, stderr: expect.stringContaining("partial.json") });
    expect(badTolerance).toMatchObject({ code: 2, stderr: expect.stringContaining("--tolerance drain") });
  });
});
