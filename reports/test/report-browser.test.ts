import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRunOutput } from "../write-run-output";
import { launchChromium, openReport } from "./browser";
import { campaignWindow, runSummary, timeline } from "./fixtures";

describe("report.html in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-browser-"));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("shows every chart with its marks drawn, without errors or fetching anything", async () => {
    // Prepare
    const { html } = await writeRunOutput(join(dir, "busy"), runSummary(), timeline(180, 20));
    // Act
    const { page, problems, fetched } = await openReport(browser, html);
    const marks = async (selector: string) => page.locator(selector).count();
    // Assess
    expect(problems).toEqual([]);
    expect(fetched).toEqual([pathToFileURL(html).href]);
    expect(await marks("#chart-delivered svg .mark-area.role-mark path")).toBeGreaterThan(0);
    expect(await marks("#chart-queue svg .mark-line.role-mark path")).toBe(2);
    expect(await marks("#chart-dlq svg .mark-area.role-mark path")).toBeGreaterThan(0);
    expect(await marks("#chart-carrier svg .mark-line.role-mark path")).toBe(2);
    expect(await marks("#chart-carrier svg .mark-rect.role-mark path")).toBeGreaterThan(0);
    expect(await marks("#chart-carrier svg .mark-rule.role-mark line")).toBe(1);
    expect(await marks("#chart-concurrency svg .mark-line.role-mark path")).toBe(1);
    expect(await marks("#chart-alarms svg .mark-rect.role-mark path")).toBe(3);
    expect(await marks("#chart-latency svg .mark-rect.role-mark path")).toBe(6);
    for (const id of ["delivered", "queue", "dlq", "carrier", "concurrency", "alarms", "latency"]) {
      const box = await page.locator(`#chart-${id} svg`).boundingBox();
      expect(box?.width, id).toBeGreaterThan(400);
      expect(box?.height, id).toBeGreaterThan(50);
    }
    expect(await page.locator(".thresholds tr.fail").count()).toBe(1);
    await page.close();
  });

  it("draws a quiet run (no carrier limit, no 429s, no alarms) without errors", async () => {
    // Prepare
    const quiet = timeline(30, null);
    quiet.carrierRateLimited.fill(0);
    quiet.alarms = [];
    const { html } = await writeRunOutput(join(dir, "quiet"), runSummary({ thresholds: [] }), quiet);
    // Act
    const { page, problems } = await openReport(browser, html);
    // Assess
    expect(problems).toEqual([]);
    expect(await page.locator("#chart-carrier svg .mark-line.role-mark path").count()).toBe(2);
    expect(await page.locator("#chart-carrier svg .mark-rule.role-mark").count()).toBe(0);
    expect(await page.locator("#chart-alarms").count()).toBe(0);
    expect(await page.locator(".badge").textContent()).toBe("no thresholds");
    await page.close();
  });

  it("gives each followed campaign a section: queue, carrier against its limit with 429s, Lambda, DLQ", async () => {
    // Prepare
    const busy = { ...timeline(180, 20), campaigns: [campaignWindow(300), campaignWindow(5000, null)] };
    const { html } = await writeRunOutput(join(dir, "campaigns"), runSummary(), busy);
    // Act
    const { page, problems } = await openReport(browser, html);
    // Assess
    expect(problems).toEqual([]);
    expect(await page.locator(".campaign > h3").allTextContents()).toEqual([
      "spring-sale · 30,000 recipients at 10m",
      "spring-sale · 30,000 recipients at 10m",
    ]);
    const first = page.locator("#campaign-0");
    expect(await first.locator("#chart-campaign-0-queue svg .mark-line.role-mark path").count()).toBe(2);
    expect(await first.locator("#chart-campaign-0-carrier svg .mark-rule.role-mark line").count()).toBe(1);
    expect(await first.locator("#chart-campaign-0-carrier svg .mark-rect.role-mark path").count()).toBe(9);
    expect(await first.locator("#chart-campaign-0-lambda svg .mark-line.role-mark path").count()).toBe(2);
    expect(await first.locator("#chart-campaign-0-dlq svg .mark-area.role-mark path").count()).toBe(1);
    // 5,000 one-second steps: 600 points of 9 s each, in minutes
    expect(await page.locator("#chart-campaign-1-carrier figcaption").textContent()).toContain("over 9 s");
    expect(await page.locator("#chart-campaign-1-queue svg").textContent()).toContain(
      "since the enqueue (minutes)",
    );
    await page.close();
  });
});
