import { ValidationError } from "../../domain/errors";
import { MetricKindConflictError } from "./errors";
import { TrendSketch } from "./trend-sketch";

/**
 * k6's four metric kinds, and the threshold aggregations each supports (metrics/metric_type.go
 * supportedAggregationMethods):
 * - counter: a running sum. `count` = the sum; `rate` = the sum per second of run time.
 * - gauge:   the last value set. `value` = last.
 * - rate:    the fraction of added values that are non-zero (true). `rate`.
 * - trend:   a distribution. `avg`, `min`, `max`, `med`, `p(N)` (N in 0-100, decimals allowed).
 */
export type MetricKind = "counter" | "gauge" | "rate" | "trend";

export const AGGREGATIONS_BY_KIND: Readonly<Record<MetricKind, readonly string[]>> = {
  counter: ["count", "rate"],
  gauge: ["value"],
  rate: ["rate"],
  trend: ["avg", "min", "max", "med", "p(N)"],
};

/** Tag sets are treated as immutable: a tags object passed once is remembered by identity. */
export type Tags = Readonly<Record<string, string>>;

/** What a trend looks like to thresholds; TrendSketch is one implementation. */
export interface TrendSummary {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** pct in 0-100; NaN when empty. */
  percentile(pct: number): number;
}

/** The samples of one metric whose tags include a threshold's tags, aggregated. */
export type MetricView =
  | { kind: "counter"; count: number }
  | { kind: "gauge"; value: number }
  | { kind: "rate"; nonZero: number; total: number }
  | { kind: "trend"; trend: TrendSummary };

/** Where thresholds read metrics: the registry below, or any engine-specific source. */
export interface MetricSource {
  kind(metric: string): MetricKind | undefined;
  /** null when no sample's tags include `tags` ({} matches every sample). */
  view(metric: string, tags: Tags): MetricView | null;
}

export interface CounterSeries {
  add(n?: number): void;
}
export interface GaugeSeries {
  set(value: number): void;
}
export interface RateSeries {
  add(value: boolean | number): void;
}
export interface TrendSeries {
  add(value: number): void;
}

/**
 * A named metric. `series(tags)` returns a handle for hot loops (no tag lookup per sample); the
 * tagged `add`/`set` forms look the series up, by identity first, so constant tag objects stay cheap.
 */
export interface Metric<S> {
  readonly name: string;
  series(tags?: Tags): S;
}
export interface Counter extends Metric<CounterSeries> {
  add(n?: number, tags?: Tags): void;
}
export interface Gauge extends Metric<GaugeSeries> {
  set(value: number, tags?: Tags): void;
}
export interface RateMetric extends Metric<RateSeries> {
  add(value: boolean | number, tags?: Tags): void;
}
export interface Trend extends Metric<TrendSeries> {
  add(value: number, tags?: Tags): void;
}

export interface MetricRegistry extends MetricSource {
  /** Declares (or returns the already declared) metric; a name has one kind for life. */
  counter(name: string): Counter;
  gauge(name: string): Gauge;
  rate(name: string): RateMetric;
  trend(name: string): Trend;
}

export const METRIC_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

interface CounterState extends CounterSeries {
  count: number;
}
interface GaugeState extends GaugeSeries {
  value: number;
  /** Registry-wide order of the last set, to find the latest value across tagged series. */
  seq: number;
}
interface RateState extends RateSeries {
  nonZero: number;
  total: number;
}
interface TrendState extends TrendSeries {
  sketch: TrendSketch;
}

interface SeriesEntry<S> {
  tags: Tags;
  state: S;
}

interface MetricEntry {
  kind: MetricKind;
  metric: unknown;
  entries: Map<string, SeriesEntry<unknown>>;
}

export function createMetricRegistry(): MetricRegistry {
  const metrics = new Map<string, MetricEntry>();
  let gaugeSeq = 0;

  function declare<S, M>(
    name: string,
    kind: MetricKind,
    newState: () => S,
    build: (series: (tags?: Tags) => S) => M,
  ): M {
    const existing = metrics.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new MetricKindConflictError(name, existing.kind, kind);
      return existing.metric as M;
    }
    if (!METRIC_NAME_PATTERN.test(name)) {
      throw new ValidationError(
        "metric",
        name,
        "must be a letter or _ then up to 127 letters, digits, _ . -",
      );
    }
    const entries = new Map<string, SeriesEntry<S>>();
    const byIdentity = new WeakMap<Tags, S>();
    let untagged: S | undefined;
    const series = (tags?: Tags): S => {
      if (tags === undefined) {
        untagged ??= lookup(entries, {}, newState);
        return untagged;
      }
      let state = byIdentity.get(tags);
      if (state === undefined) {
        state = lookup(entries, tags, newState);
        byIdentity.set(tags, state);
      }
      return state;
    };
    const metric = build(series);
    metrics.set(name, { kind, metric, entries: entries as MetricEntry["entries"] });
    return metric;
  }

  return {
    counter: (name) =>
      declare<CounterState, Counter>(
        name,
        "counter",
        () => {
          const state: CounterState = {
            count: 0,
            add(n = 1) {
              if (!(n >= 0 && n < Number.POSITIVE_INFINITY)) {
                throw new ValidationError(`${name}.add`, n, "must be a finite number >= 0");
              }
              state.count += n;
            },
          };
          return state;
        },
        (series) => ({ name, series, add: (n, tags) => series(tags).add(n) }),
      ),
    gauge: (name) =>
      declare<GaugeState, Gauge>(
        name,
        "gauge",
        () => {
          const state: GaugeState = {
            value: Number.NaN,
            seq: 0,
            set(value) {
              if (!Number.isFinite(value))
                throw new ValidationError(`${name}.set`, value, "must be a finite number");
              state.value = value;
              state.seq = ++gaugeSeq;
            },
          };
          return state;
        },
        (series) => ({ name, series, set: (value, tags) => series(tags).set(value) }),
      ),
    rate: (name) =>
      declare<RateState, RateMetric>(
        name,
        "rate",
        () => {
          const state: RateState = {
            nonZero: 0,
            total: 0,
            add(value) {
              state.total++;
              if (value !== 0 && value !== false) state.nonZero++;
            },
          };
          return state;
        },
        (series) => ({ name, series, add: (value, tags) => series(tags).add(value) }),
      ),
    trend: (name) =>
      declare<TrendState, Trend>(
        name,
        "trend",
        () => {
          const sketch = new TrendSketch();
          return {
            sketch,
            add(value) {
              if (!Number.isFinite(value))
                throw new ValidationError(`${name}.add`, value, "must be a finite number");
              sketch.add(value);
            },
          };
        },
        (series) => ({ name, series, add: (value, tags) => series(tags).add(value) }),
      ),
    kind: (name) => metrics.get(name)?.kind,
    view(name, tags) {
      const entry = metrics.get(name);
      if (!entry) return null;
      const matching = [...entry.entries.values()]
        .filter((e) => includesTags(e.tags, tags))
        .map((e) => e.state);
      if (matching.length === 0) return null;
      return viewOf(entry.kind, matching);
    },
  };
}

function lookup<S>(entries: Map<string, SeriesEntry<S>>, tags: Tags, newState: () => S): S {
  const key = tagKey(tags);
  let entry = entries.get(key);
  if (!entry) {
    for (const [tag, value] of Object.entries(tags)) {
      if (typeof value !== "string") throw new ValidationError(`tags.${tag}`, value, "must be a string");
    }
    entry = { tags: { ...tags }, state: newState() };
    entries.set(key, entry);
  }
  return entry.state;
}

/** The same key for the same tags in any order, and different keys for different tags. */
function tagKey(tags: Tags): string {
  return JSON.stringify(
    Object.keys(tags)
      .sort()
      .map((name) => [name, tags[name]]),
  );
}

function includesTags(tags: Tags, wanted: Tags): boolean {
  for (const name in wanted) if (tags[name] !== wanted[name]) return false;
  return true;
}

function viewOf(kind: MetricKind, states: unknown[]): MetricView {
  switch (kind) {
    case "counter":
      return { kind, count: (states as CounterState[]).reduce((sum, s) => sum + s.count, 0) };
    case "rate": {
      const rates = states as RateState[];
      return {
        kind,
        nonZero: rates.reduce((sum, s) => sum + s.nonZero, 0),
        total: rates.reduce((sum, s) => sum + s.total, 0),
      };
    }
    case "gauge": {
      // The last set across the series; a series never set has seq 0 and value NaN.
      const latest = (states as GaugeState[]).reduce((a, s) => (s.seq > a.seq ? s : a));
      return { kind, value: latest.value };
    }
    case "trend": {
      const sketches = (states as TrendState[]).map((s) => s.sketch);
      if (sketches.length === 1 && sketches[0]) return { kind, trend: sketches[0] };
      const merged = new TrendSketch();
      for (const sketch of sketches) merged.merge(sketch);
      return { kind, trend: merged };
    }
  }
}
