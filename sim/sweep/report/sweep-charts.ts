import type { TopLevelSpec } from "vega-lite";
import { type Chart, config, HEIGHT, renderSvg, WIDTH } from "../../../reports/charts";
import { formatSetValue } from "../parse-vary";
import type { SweepResult } from "../run-sweep";
import type { FigureSeries } from "./sweep-series";

const PASS = "#16a34a";
const FAIL = "#dc2626";
const LINE = "#2563eb";
const BOUND = "#b91c1c";

/**
 * A chart per figure: against the one varied key, a line through the points (pass green, fail
 * red), the spread over repeats as a band, each threshold as a dashed rule; against two keys, a
 * heatmap of the figure with passing cells marked. More keys: no charts (the table has it all).
 */
export async function renderSweepCharts(
  result: SweepResult,
  series: readonly FigureSeries[],
): Promise<Chart[]> {
  if (result.keys.length === 0 || result.keys.length > 2 || result.points.length === 0) return [];
  const charts: Chart[] = [];
  for (const s of series) {
    const spec = result.keys.length === 1 ? lineSpec(result, s) : heatmapSpec(result, s);
    const bounds = s.bounds.map((b) => `${b.operator} ${b.value}`).join(", ");
    charts.push({
      id: s.id.replace(/[^A-Za-z0-9_-]+/g, "-"),
      title: s.title,
      caption:
        result.keys.length === 1
          ? `Each point's ${result.repeat > 1 ? `median of ${result.repeat} seeds (band: lowest to highest)` : "value"}; green passed every threshold, red did not.${bounds ? ` Dashed: the threshold (${bounds}).` : ""}`
          : `Each cell's value${bounds ? ` (threshold ${bounds})` : ""}; ✓ marks points that passed every threshold.`,
      svg: await renderSvg(spec),
    });
  }
  return charts;
}

function numericKey(result: SweepResult, key: string): boolean {
  return (result.values[key] ?? []).every((v) => typeof v === "number");
}

function lineSpec(result: SweepResult, s: FigureSeries): TopLevelSpec {
  const key = result.keys[0] as string;
  const numeric = numericKey(result, key);
  const values = result.points.flatMap((p) => {
    const y = s.value(p);
    if (y === null) return [];
    const spread = s.spread(p);
    const setting = p.settings[key];
    return [
      {
        x: numeric ? setting : formatSetValue(setting),
        y,
        lo: spread?.min ?? y,
        hi: spread?.max ?? y,
        verdict: p.passed ? "passes" : "fails",
      },
    ];
  });
  const x = {
    field: "x",
    type: numeric ? ("quantitative" as const) : ("ordinal" as const),
    title: key,
    ...(numeric ? { scale: { zero: false, nice: false } } : { sort: null }),
  };
  const layers: unknown[] = [];
  if (result.repeat > 1) {
    layers.push({
      mark: { type: "area", color: LINE, opacity: 0.15 },
      encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
    });
  }
  layers.push(
    {
      mark: { type: "line", color: LINE, strokeWidth: 1.5 },
      encoding: { x, y: { field: "y", type: "quantitative", title: s.unit } },
    },
    {
      mark: { type: "point", filled: true, size: 45 },
      encoding: {
        x,
        y: { field: "y", type: "quantitative" },
        color: {
          field: "verdict",
          type: "nominal",
          title: null,
          scale: { domain: ["passes", "fails"], range: [PASS, FAIL] },
        },
        tooltip: [
          { field: "x", title: key },
          { field: "y", title: s.unit },
        ],
      },
    },
  );
  for (const b of s.bounds) {
    layers.push(
      {
        data: { values: [{ bound: b.value }] },
        mark: { type: "rule", color: BOUND, strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: "bound", type: "quantitative" } },
      },
      {
        data: { values: [{ bound: b.value }] },
        mark: { type: "text", align: "right", dy: -7, color: BOUND, x: "width" },
        encoding: {
          y: { field: "bound", type: "quantitative" },
          text: { value: `${b.operator} ${b.value}` },
        },
      },
    );
  }
  return { width: WIDTH, height: HEIGHT, config, data: { values }, layer: layers } as TopLevelSpec;
}

function heatmapSpec(result: SweepResult, s: FigureSeries): TopLevelSpec {
  const [kx, ky] = result.keys as [string, string];
  const values = result.points.flatMap((p) => {
    const v = s.value(p);
    return v === null
      ? []
      : [
          {
            x: formatSetValue(p.settings[kx]),
            y: formatSetValue(p.settings[ky]),
            v,
            mark: p.passed ? "✓" : "",
          },
        ];
  });
  const sortOf = (key: string) => (result.values[key] ?? []).map(formatSetValue);
  const x = { field: "x", type: "ordinal" as const, title: kx, sort: sortOf(kx) };
  const y = { field: "y", type: "ordinal" as const, title: ky, sort: sortOf(ky) };
  return {
    width: Math.min(WIDTH, 40 * sortOf(kx).length + 80),
    height: Math.min(4 * HEIGHT, 26 * sortOf(ky).length + 20),
    config,
    data: { values },
    layer: [
      {
        mark: { type: "rect" },
        encoding: {
          x,
          y,
          color: { field: "v", type: "quantitative", title: s.unit, scale: { scheme: "blues" } },
          tooltip: [
            { field: "x", title: kx },
            { field: "y", title: ky },
            { field: "v", title: s.unit },
          ],
        },
      },
      {
        mark: { type: "text", color: PASS, fontWeight: 700 },
        encoding: { x, y, text: { field: "mark" } },
      },
    ],
  } as TopLevelSpec;
}
