import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeRunOutput } from "../write-run-output";
import { runSummary, starvedEsm, timeline } from "./fixtures";

const CHART_IDS = ["delivered", "queue", "dlq", "carrier", "concurrency", "alarms", "latency"];

function figure(html: string, id: string): string {
  return new RegExp(`<figure id="chart-${id}"[\\s\\S]*?</figure>`).exec(html)?.[0] ?? "";
}

describe("writeRunOutput", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-report-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes summary.json, junit.xml with one case per threshold, and report.html", async () => {
    // Prepare
    const summary = runSummary();
    // Act
    const paths = await writeRunOutput(join(dir, "fixture-run"), summary, timeline());
    // Assess
    expect(JSON.parse(await readFile(paths.summary, "utf8"))).toEqual(summary);
    const junit = await readFile(paths.junit, "utf8");
    expect(junit.match(/<testcase /g)).toHaveLength(3);
    expect(junit).toContain('failures="1"');
    expect(junit).toContain('<testcase classname="carrier_rate_limited" name="count == 0"');
    const html = await readFile(paths.html, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
  });

  it("states in report.html which outcome rests on the ESM's assumed settings, with their values", async () => {
    // Prepare
    const summary = runSummary({ esm: starvedEsm() });
    // Act
    const paths = await writeRunOutput(join(dir, "fixture-run"), summary, null);
    // Assess
    const html = await readFile(paths.html, "utf8");
    expect(html).toContain("<h2>Event source mapping assumptions</h2>");
    expect(html).toContain("the DLQ outcome (30 recipients) rests on");
    expect(html).toMatch(/<th>esm\.throttleRetry\.max<\/th><td class="num">5m<\/td>/);
  });

  it("renders a self-contained report: every chart as inline SVG, nothing to fetch, text escaped", async () => {
    // Prepare
    const summary = runSummary();
    // Act
    const { html: path } = await writeRunOutput(dir, summary, timeline());
    const html = await readFile(path, "utf8");
    // Assess
    for (const id of CHART_IDS) expect(figure(html, id)).toMatch(/<svg[\s\S]*class="mark-[a-z]+ role-mark/);
    // url(#clip1) points inside the page; nothing else may point anywhere.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|url\((?!#)/i);
    const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.every((url) => url.startsWith("http://www.w3.org/"))).toBe(true);
    expect(html).toContain("&lt;b&gt;3&lt;/b&gt;");
    expect(html).not.toContain("<b>3</b>");
    expect(html).toContain("us-east-1 list prices seen 2024-2026");
    expect(html).toContain("SQS free tier (first 1,000,000 requests a month) not applied");
    expect(html).toMatch(/<tr class="fail"><td class="mark">✗<\/td><td><code>carrier_rate_limited<\/code>/);
  });

  it("keeps a month of minutes small: charts are downsampled and 429 bars drawn only where there were 429s", async () => {
    // Prepare
    const month = timeline(43_200, 60);
    // Act
    const { html: path } = await writeRunOutput(dir, runSummary({ scenarioSeconds: 43_200 * 60 }), month);
    const html = await readFile(path, "utf8");
    // Assess
    const carrier = figure(html, "carrier");
    const bars = /<g class="mark-rect role-mark layer_0_marks"[\s\S]*?<\/g>/.exec(carrier)?.[0] ?? "";
    const minutesWith429s = month.carrierRateLimited.filter((n) => n > 0).length;
    expect((bars.match(/<path /g) ?? []).length).toBe(Math.ceil(minutesWith429s / 22));
    expect(figure(html, "delivered")).toContain("the highest of 22 minutes");
    expect(html.length).toBeLessThan(1_500_000);
  });

  it("still reports a run without a timeline", async () => {
    // Prepare
    const summary = runSummary();
    // Act
    const { html: path } = await writeRunOutput(dir, summary, null);
    const html = await readFile(path, "utf8");
    // Assess
    expect(html).toContain("This run recorded no timeline.");
    expect(figure(html, "delivered")).toBe("");
    expect(figure(html, "latency")).toContain("<svg");
  });
});
