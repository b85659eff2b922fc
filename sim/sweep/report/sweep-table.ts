import { formatCount, formatSeconds, formatUsd } from "../../../reports/format";
import { formatSetValue } from "../parse-vary";
import { FIGURES } from "../point-figures";
import type { SweepPoint, SweepResult } from "../run-sweep";

interface Column {
  title: string;
  cell(point: SweepPoint): string;
  /** Numbers right-aligned. */
  numeric: boolean;
}

/** The columns of the sweep table, shared by the terminal, sweep.csv's order and sweep.html. */
export function sweepColumns(result: SweepResult): Column[] {
  const spread = (p: SweepPoint, figure: string, format: (n: number) => string) => {
    const s = p.spread[figure];
    const median = format(p.figures[figure] ?? 0);
    return result.repeat > 1 && s && s.min !== s.max
      ? `${median} (${format(s.min)}–${format(s.max)})`
      : median;
  };
  return [
    ...result.keys.map((key) => ({
      title: key.slice(key.lastIndexOf(".") + 1),
      cell: (p: SweepPoint) => formatSetValue(p.settings[key]),
      numeric: true,
    })),
    {
      title: "drain",
      cell: (p) => spread(p, FIGURES.drainMax, (n) => formatSeconds(Math.round(n))),
      numeric: true,
    },
    { title: "429s", cell: (p) => spread(p, FIGURES.rateLimited, (n) => formatCount(n)), numeric: true },
    { title: "in DLQ", cell: (p) => spread(p, FIGURES.inDlq, (n) => formatCount(n)), numeric: true },
    { title: "throttles", cell: (p) => spread(p, FIGURES.throttles, (n) => formatCount(n)), numeric: true },
    { title: "cost", cell: (p) => sweepUsd(p.figures[FIGURES.cost] ?? 0), numeric: true },
    {
      title: "thresholds",
      cell: (p) => {
        const failed = p.thresholds.filter((t) => !t.ok).length;
        return failed === 0 ? "✓ pass" : `✗ ${failed} failed`;
      },
      numeric: false,
    },
  ];
}

/** The printed table: one line a point, passing ones marked, then the cheapest and fastest. */
export function formatSweepTable(result: SweepResult, options: { color?: boolean } = {}): string {
  const columns = sweepColumns(result);
  const rows = result.points.map((p) => columns.map((c) => c.cell(p)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        columns[i]?.numeric ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number),
      )
      .join("  ")
      .trimEnd();
  const paint = (text: string, passed: boolean) =>
    options.color ? `\x1b[${passed ? 32 : 2}m${text}\x1b[0m` : text;
  const lines = [
    `  sweep: ${result.scenario}  ${result.points.length} of ${result.gridSize} points x ${result.repeat} seed(s)  in ${formatSeconds(Math.round(result.wallSeconds * 10) / 10)}`,
    ...result.keys.map((k) => `  varied: ${k}`),
    "",
    `  ${line(columns.map((c) => c.title))}`,
    ...result.points.map((p, i) => `${p.passed ? "✓" : " "} ${paint(line(rows[i] as string[]), p.passed)}`),
    "",
    ...verdictLines(result),
  ];
  return lines.join("\n");
}

/** "cheapest passing: ...", "fastest passing: ...", the search's answer; or that nothing passed. */
export function verdictLines(result: SweepResult): string[] {
  const describe = (index: number | null) => {
    const p = index === null ? undefined : result.points[index];
    if (p === undefined) return "-";
    const settings = result.keys.map((k) => `${k}=${formatSetValue(p.settings[k])}`).join(" ");
    return `${settings}  (drain ${formatSeconds(Math.round(p.figures[FIGURES.drainMax] ?? 0))}, ${sweepUsd(p.figures[FIGURES.cost] ?? 0)})`;
  };
  const passing = result.points.filter((p) => p.passed).length;
  const lines =
    passing === 0
      ? [`  no point passes every threshold (${result.points.length} run)`]
      : [
          `  ${passing} of ${result.points.length} points pass every threshold`,
          `  cheapest passing: ${describe(result.cheapest)}`,
          `  fastest passing:  ${describe(result.fastest)}`,
        ];
  const m = result.minimize;
  if (m !== null) {
    lines.push("", `  --minimize ${m.key}: assumes ${m.assumption}`);
    for (const a of m.answers) {
      const others = Object.entries(a.others)
        .map(([k, v]) => `${k}=${formatSetValue(v)} `)
        .join("");
      const neighbours = a.neighbours
        .map((n) => `${formatSetValue(n.value)} ${n.passed ? "passes" : "fails"}`)
        .join(", ");
      lines.push(
        a.value === null
          ? `  ${others}no value of ${m.key} passes (the largest fails)`
          : `  ${others}smallest passing ${m.key} = ${a.value}${neighbours ? ` (neighbours: ${neighbours})` : ""}`,
        ...a.violations.map((v) => `  warning: not monotone: ${v}`),
      );
    }
  }
  return lines;
}

/** Points often differ by fractions of a cent: four significant digits where a report shows two. */
function sweepUsd(amount: number): string {
  return amount >= 1 || amount === 0 ? formatUsd(amount) : `$${amount.toPrecision(4)}`;
}
