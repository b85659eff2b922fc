import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, openReport } from "../../../reports/test/browser";
import { applySets } from "../../scenario/apply-sets";
import { loadScenario } from "../../scenario/load-scenario";
import { parseVary } from "../parse-vary";
import { type PointRunner, runPointJob } from "../point-job";
import { writeSweepOutput } from "../report/write-sweep-output";
import { runSweep } from "../run-sweep";

const LAUNCH = resolve(import.meta.dirname, "../../../scenarios/launch-150k.ts");
const CONCURRENCY = "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency";
const inProcess: PointRunner = { concurrency: 1, run: runPointJob, close: async () => {} };

/** A sweep of a 30,000-recipient launch (it passes from concurrency 3), written to `dir`. */
async function sweepTo(dir: string, varies: string[], repeat = 1) {
  const scenario = applySets(await loadScenario(LAUNCH), ["traffic[0].recipients=30000"]);
  const result = await runSweep({ scenario, varies: varies.map(parseVary), repeat }, { runner: inProcess });
  return { result, ...(await writeSweepOutput(dir, result)) };
}

describe("sweep.html in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-sweep-browser-"));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("draws each figure against one key with its points, spread and thresholds, and the table", async () => {
    // Prepare
    const { html } = await sweepTo(join(dir, "one"), [`${CONCURRENCY}=2,3,4`], 2);
    // Act
    const { page, problems, fetched } = await openReport(browser, html);
    // Assess
    expect(problems).toEqual([]);
    expect(fetched).toEqual([pathToFileURL(html).href]);
    const drain = page.locator("#chart-drain_seconds_max svg");
    expect(await drain.locator(".mark-line.role-mark path").count()).toBe(1);
    expect(await drain.locator(".mark-symbol.role-mark path").count()).toBe(3);
    expect(await drain.locator(".mark-area.role-mark path").count()).toBe(1);
    // campaign_drain_seconds{campaign:launch} < 600, drawn on the drain chart
    expect(await drain.locator(".mark-rule.role-mark line").count()).toBe(1);
    expect(await drain.locator(".mark-text.role-mark text").first().textContent()).toBe("< 600");
    for (const id of ["carrier_rate_limited", "recipients_in_dlq", "lambda_throttles", "cost_usd_total"]) {
      const box = await page.locator(`#chart-${id} svg`).boundingBox();
      expect(box?.width, id).toBeGreaterThan(400);
    }
    expect(await page.locator("table.sweep tbody tr").count()).toBe(3);
    expect(await page.locator("table.sweep tr.pass").count()).toBe(2);
    expect(await page.locator("table.sweep tr.cheapest").count()).toBe(1);
    expect(await page.locator(".badge").textContent()).toBe("✓ 2 of 3 points pass every threshold");
    await page.close();
  }, 60_000);

  it("draws a heatmap per figure over two keys, passing cells marked", async () => {
    // Prepare: 3 concurrencies x 2 carrier latencies
    const { html } = await sweepTo(join(dir, "two"), [
      `${CONCURRENCY}=2,3,4`,
      "carrier.latencyMs.value=250,500",
    ]);
    // Act
    const { page, problems } = await openReport(browser, html);
    // Assess
    expect(problems).toEqual([]);
    const heatmap = page.locator("#chart-drain_seconds_max svg");
    expect(await heatmap.locator(".mark-rect.role-mark path").count()).toBe(6);
    // at 250 ms every concurrency passes; at 500 ms from 3 up
    expect(await heatmap.locator(".mark-text.role-mark text", { hasText: "✓" }).count()).toBe(5);
    expect(await page.locator("table.sweep tbody tr").count()).toBe(6);
    await page.close();
  }, 60_000);
});
