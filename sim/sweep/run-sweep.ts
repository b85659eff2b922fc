import { applySets } from "../scenario/apply-sets";
import { ScenarioSetError } from "../scenario/errors";
import type { Scenario } from "../scenario/load-scenario";
import type { ThresholdResult } from "../thresholds/threshold-evaluator";
import { SweepOptionError } from "./errors";
import { type MinimizeReport, minimizeKey } from "./minimize";
import { formatSetValue, type Vary } from "./parse-vary";
import { FIGURES, figuresOf, median } from "./point-figures";
import type { PointJob, PointRunner } from "./point-job";

/** More runs than this in one sweep is a typo, not a plan (`--vary a=1..1000 --vary b=1..1000`). */
export const MAX_RUNS = 100_000;

export interface SweepPlan {
  /** The scenario as loaded (with any `--set` applied): every point starts from it. */
  scenario: Scenario;
  varies: readonly Vary[];
  /** Seeds per point: the scenario's seed, then seed + 1, ... */
  repeat: number;
  /** Search for the smallest passing value of this key instead of running the whole grid. */
  minimize?: string;
}

export interface SweepRun {
  seed: number;
  figures: Record<string, number>;
  thresholds: ThresholdResult[];
  passed: boolean;
  wallSeconds: number;
}

export interface SweepPoint {
  /** Position in the full grid (first key outermost). */
  index: number;
  settings: Record<string, unknown>;
  runs: SweepRun[];
  /** Median over the runs (the only run's figures when repeat is 1). */
  figures: Record<string, number>;
  /** Smallest and largest of each figure over the runs. */
  spread: Record<string, { min: number; max: number }>;
  /** Each threshold: its median value, and whether it held in every run. */
  thresholds: (ThresholdResult & { passedRuns: number })[];
  /** Every threshold held in every run. */
  passed: boolean;
}

export interface SweepResult {
  scenario: string;
  sourcePath: string | null;
  keys: string[];
  values: Record<string, unknown[]>;
  repeat: number;
  seeds: number[];
  /** Points run, in grid order; with --minimize only those the search needed. */
  points: SweepPoint[];
  gridSize: number;
  /** Indexes (into `points`) of the passing point with the lowest cost, and with the shortest drain. */
  cheapest: number | null;
  fastest: number | null;
  minimize: MinimizeReport | null;
  wallSeconds: number;
}

export interface SweepProgress {
  runsDone: number;
  runsPlanned: number;
}

export interface SweepOptions {
  runner: PointRunner;
  onProgress?: (progress: SweepProgress) => void;
}

/** Checks a plan before any point runs: every point's settings apply and validate. */
export function planSweep(plan: SweepPlan): { grid: Record<string, unknown>[]; seeds: number[] } {
  const keys = plan.varies.map((v) => v.key);
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice !== undefined) throw new SweepOptionError("--vary", `${twice} is varied twice`);
  if (!Number.isInteger(plan.repeat) || plan.repeat < 1) {
    throw new SweepOptionError("--repeat", `expected a whole number >= 1 (got ${plan.repeat})`);
  }
  if (plan.repeat > 1 && keys.includes("seed")) {
    throw new SweepOptionError("--repeat", "seeds come from --repeat; do not also vary seed");
  }
  const size = plan.varies.reduce((n, v) => n * v.values.length, 1) * plan.repeat;
  if (size > MAX_RUNS) throw new SweepOptionError("--vary", `${size} runs; at most ${MAX_RUNS}`);
  const grid = plan.varies.reduce<Record<string, unknown>[]>(
    (points, v) => points.flatMap((p) => v.values.map((value) => ({ ...p, [v.key]: value }))),
    [{}],
  );
  const seeds = Array.from({ length: plan.repeat }, (_, r) => plan.scenario.seed + r);
  // Validating every point up front costs a template parse each; it spares a failure mid-sweep.
  for (const settings of grid) {
    for (const seed of seeds) {
      try {
        jobOf(plan, settings, seed);
      } catch (error) {
        // Name the flag the user wrote: the point's value came from --vary, not --set.
        const varied =
          error instanceof ScenarioSetError && keys.includes(error.set.slice(0, error.set.indexOf("=")));
        if (varied) throw new SweepOptionError("--vary", error.message.replace(/^--set /, ""));
        throw error;
      }
    }
  }
  return { grid, seeds };
}

/** The run of one point at one seed; with the timeline for the point a report details. */
export function jobOf(
  plan: SweepPlan,
  settings: Record<string, unknown>,
  seed: number,
  withTimeline = false,
): PointJob {
  const sets = Object.entries(settings).map(([key, value]) => `${key}=${formatSetValue(value)}`);
  if (plan.repeat > 1) sets.push(`seed=${seed}`);
  const scenario = applySets(plan.scenario, sets);
  return { input: scenario.input, sourcePath: scenario.sourcePath, withTimeline };
}

/** The point a sweep details: `requested` (a grid index) if run, else the cheapest passing, else the first. */
export function detailPoint(result: SweepResult, requested?: number): SweepPoint | undefined {
  if (requested !== undefined) {
    const point = result.points.find((p) => p.index === requested);
    if (point === undefined) {
      const run = result.points.map((p) => p.index).join(", ");
      throw new SweepOptionError("--detail", `point ${requested} was not run (run: ${run})`);
    }
    return point;
  }
  return result.points[result.cheapest ?? 0];
}

/**
 * Runs a sweep: every point of the grid (or, with `minimize`, those a search needs), each
 * `repeat` times, as many at once as the runner takes.
 */
export async function runSweep(plan: SweepPlan, options: SweepOptions): Promise<SweepResult> {
  const started = performance.now();
  const { grid, seeds } = planSweep(plan);
  const keys = plan.varies.map((v) => v.key);
  let runsDone = 0;
  let runsPlanned = plan.minimize === undefined ? grid.length * seeds.length : 0;
  const evaluated = new Map<number, Promise<SweepPoint>>();
  const evaluate = (index: number): Promise<SweepPoint> => {
    let point = evaluated.get(index);
    if (point === undefined) {
      runsPlanned += plan.minimize === undefined ? 0 : seeds.length;
      point = runPoint(index);
      evaluated.set(index, point);
    }
    return point;
  };
  const runPoint = async (index: number): Promise<SweepPoint> => {
    const settings = grid[index] as Record<string, unknown>;
    const runs = await Promise.all(
      seeds.map(async (seed) => {
        const outcome = await options.runner.run(jobOf(plan, settings, seed));
        runsDone++;
        options.onProgress?.({ runsDone, runsPlanned });
        const { summary } = outcome;
        return {
          seed,
          figures: figuresOf(summary),
          thresholds: summary.thresholds,
          passed: summary.thresholds.every((t) => t.ok),
          wallSeconds: summary.wallSeconds,
        };
      }),
    );
    return pointOf(index, settings, runs);
  };

  let minimize: MinimizeReport | null = null;
  if (plan.minimize === undefined) {
    await Promise.all(grid.map((_, i) => evaluate(i)));
  } else {
    minimize = await minimizeKey({
      key: plan.minimize,
      varies: plan.varies,
      probesPerRound: options.runner.concurrency,
      passes: async (index) => (await evaluate(index)).passed,
    });
  }
  const points = (await Promise.all(evaluated.values())).sort((a, b) => a.index - b.index);
  const passing = points.filter((p) => p.passed);
  const best = (figure: string) =>
    passing.length === 0
      ? null
      : points.indexOf(
          passing.reduce((a, b) => ((b.figures[figure] ?? 0) < (a.figures[figure] ?? 0) ? b : a)),
        );
  return {
    scenario: plan.scenario.name,
    sourcePath: plan.scenario.sourcePath,
    keys,
    values: Object.fromEntries(plan.varies.map((v) => [v.key, v.values])),
    repeat: plan.repeat,
    seeds,
    points,
    gridSize: grid.length,
    cheapest: best(FIGURES.cost),
    fastest: best(FIGURES.drainMax),
    minimize,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

function pointOf(index: number, settings: Record<string, unknown>, runs: SweepRun[]): SweepPoint {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.figures)))];
  const figures: Record<string, number> = {};
  const spread: Record<string, { min: number; max: number }> = {};
  for (const name of names) {
    const values = runs.map((r) => r.figures[name]).filter((v): v is number => v !== undefined);
    figures[name] = median(values);
    spread[name] = { min: Math.min(...values), max: Math.max(...values) };
  }
  const first = runs[0]?.thresholds ?? [];
  const thresholds = first.map((t, i) => {
    const all = runs.map((r) => r.thresholds[i] as ThresholdResult);
    const values = all.map((r) => r.value).filter((v): v is number => v !== null);
    return {
      metric: t.metric,
      expression: t.expression,
      value: values.length === all.length ? median(values) : null,
      ok: all.every((r) => r.ok),
      passedRuns: all.filter((r) => r.ok).length,
    };
  });
  return { index, settings, runs, figures, spread, thresholds, passed: runs.every((r) => r.passed) };
}
