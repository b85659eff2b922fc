import type { ThresholdResult } from "../thresholds/threshold-evaluator";
import {
  type ComparableSummary,
  type Comparison,
  type ComparisonRow,
  compareSummaries,
} from "./compare-summaries";
import type { Tolerances } from "./tolerances";

/** A run against a committed summary: the comparison, and its failed checks by direction. */
export interface BaselineCheck {
  comparison: Comparison;
  /** Moved the bad way, or moved where no way is good (an alarm's transitions, a missing campaign). */
  regressions: ComparisonRow[];
  /** Moved beyond the bounds the good way: not a failure, but the baseline is stale. */
  improvements: ComparisonRow[];
}

const WORSE_WHEN_HIGHER = [/^recipients\.(failed|inDlq)$/, /^drain .* \(s\)$/];
const WORSE_WHEN_LOWER = [/^recipients\.sent$/];

/** compareSummaries(baseline, current) with the same statistical bounds as `smsim compare`. */
export function checkAgainstBaseline(
  baseline: ComparableSummary,
  current: ComparableSummary,
  tolerances?: Tolerances,
): BaselineCheck {
  const comparison = compareSummaries(baseline, current, tolerances);
  const moved = comparison.rows.filter((row) => row.ok === false);
  const better = (row: ComparisonRow) => {
    const [was, now] = [Number(row.a), Number(row.b)];
    if (Number.isNaN(was) || Number.isNaN(now)) return false;
    if (WORSE_WHEN_HIGHER.some((p) => p.test(row.metric))) return now < was;
    if (WORSE_WHEN_LOWER.some((p) => p.test(row.metric))) return now > was;
    return false;
  };
  return {
    comparison,
    regressions: moved.filter((row) => !better(row)),
    improvements: moved.filter(better),
  };
}

/** What moved, one line each: "drain launch (s): 195.91 -> 412.3 (allowed |diff| <= 62.8)". */
export function formatBaselineCheck(check: BaselineCheck, baselinePath: string): string {
  const line = (row: ComparisonRow) => `    ${row.metric}: ${row.a} -> ${row.b} (allowed ${row.allowed})`;
  const lines = [
    check.regressions.length === 0
      ? `  baseline ${baselinePath}: no regression (${check.comparison.rows.filter((r) => r.ok !== null).length} checks)`
      : `  baseline ${baselinePath}: ${check.regressions.length} regression(s):`,
    ...check.regressions.map(line),
  ];
  if (check.improvements.length > 0) {
    lines.push(
      "  better than the baseline beyond its bounds (update the baseline?):",
      ...check.improvements.map(line),
    );
  }
  return lines.join("\n");
}

/** The checks as JUnit-ready results: one test case each, failed when it regressed. */
export function baselineResults(check: BaselineCheck): ThresholdResult[] {
  const regressed = new Set(check.regressions);
  return check.comparison.rows
    .filter((row) => row.ok !== null)
    .map((row) => {
      const value = Number(row.b);
      return {
        metric: `baseline ${row.metric}`,
        expression: `${row.allowed} (baseline ${row.a})`,
        value: Number.isNaN(value) ? null : value,
        ok: !regressed.has(row),
      };
    });
}
