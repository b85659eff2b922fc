import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderHtmlReport } from "./html-report";
import { thresholdsToJUnit } from "./junit";
import type { RunSummary, RunTimeline, ThresholdResult } from "./summary";

export interface RunOutputPaths {
  summary: string;
  junit: string;
  html: string;
}

/** Writes DIR/summary.json, DIR/junit.xml (one test case per threshold) and DIR/report.html. */
export async function writeRunOutput(
  dir: string,
  summary: RunSummary,
  timeline: RunTimeline | null,
): Promise<RunOutputPaths> {
  await mkdir(dir, { recursive: true });
  const paths = {
    summary: join(dir, "summary.json"),
    junit: join(dir, "junit.xml"),
    html: join(dir, "report.html"),
  };
  const junit = thresholdsToJUnit(summary.thresholds, {
    suiteName: `smsim ${summary.scenario} (${summary.engine})`,
    durationSeconds: summary.wallSeconds,
  });
  await Promise.all([
    writeFile(paths.summary, `${JSON.stringify(summary, null, 2)}\n`),
    writeFile(paths.junit, junit),
    writeFile(paths.html, await renderHtmlReport(summary, timeline)),
  ]);
  return paths;
}

/** Writes DIR/baseline.xml: one JUnit test case per figure checked against the baseline summary. */
export async function writeBaselineJUnit(
  dir: string,
  checks: readonly ThresholdResult[],
  summary: RunSummary,
): Promise<string> {
  const path = join(dir, "baseline.xml");
  await writeFile(
    path,
    thresholdsToJUnit(checks, {
      suiteName: `smsim ${summary.scenario} (${summary.engine}) against its baseline`,
      durationSeconds: summary.wallSeconds,
    }),
  );
  return path;
}
