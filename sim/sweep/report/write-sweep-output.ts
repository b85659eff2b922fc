import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatSetValue } from "../parse-vary";
import { FIGURES } from "../point-figures";
import type { SweepResult } from "../run-sweep";
import { renderSweepHtml } from "./sweep-html";

export interface SweepOutputPaths {
  json: string;
  csv: string;
  html: string;
}

/** Writes DIR/sweep.json (every point, run and threshold), DIR/sweep.csv and DIR/sweep.html. */
export async function writeSweepOutput(
  dir: string,
  result: SweepResult,
  detailHtml = "",
): Promise<SweepOutputPaths> {
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, "sweep.json"), csv: join(dir, "sweep.csv"), html: join(dir, "sweep.html") };
  await Promise.all([
    writeFile(paths.json, `${JSON.stringify(result, null, 2)}\n`),
    writeFile(paths.csv, sweepCsv(result)),
    writeFile(paths.html, await renderSweepHtml(result, detailHtml)),
  ]);
  return paths;
}

/** One row per run (point x seed): the settings, the seed, passed, every figure, every threshold's value. */
export function sweepCsv(result: SweepResult): string {
  const fixed: string[] = Object.values(FIGURES);
  const figures = [
    ...fixed,
    ...[...new Set(result.points.flatMap((p) => Object.keys(p.figures)))]
      .filter((f) => !fixed.includes(f))
      .sort(),
  ];
  const thresholds = (result.points[0]?.thresholds ?? []).map((t) => `${t.metric}: ${t.expression}`);
  const header = ["point", ...result.keys, "seed", "passed", ...figures, ...thresholds];
  const lines = [header.map(csvCell).join(",")];
  for (const p of result.points) {
    for (const run of p.runs) {
      lines.push(
        [
          p.index,
          ...result.keys.map((k) => formatSetValue(p.settings[k])),
          run.seed,
          run.passed,
          ...figures.map((f) => run.figures[f] ?? ""),
          ...run.thresholds.map((t) => t.value ?? ""),
        ]
          .map(csvCell)
          .join(","),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function csvCell(value: unknown): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
