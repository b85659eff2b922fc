import { describe, expect, it } from "vitest";
import { TrendSketch, type TrendSketchOptions } from "../trend-sketch";

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** n latencies spread log-uniformly over [0.5 ms, 60 s], in a deterministic scrambled order. */
function latencies(n: number): Float64Array {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = 0.5 * 120_000 ** ((i * GOLDEN) % 1);
  return values;
}

/** k6's percentile on exact data. */
function exactPercentile(sorted: Float64Array, pct: number): number {
  const rank = (pct / 100) * (sorted.length - 1);
  const low = sorted[Math.floor(rank)] ?? Number.NaN;
  const high = sorted[Math.ceil(rank)] ?? Number.NaN;
  return low + (high - low) * (rank - Math.floor(rank));
}

const PERCENTILES = [0, 1, 25, 50, 90, 95, 99, 99.9, 99.99, 100];

/** The sketch's documented bound: every answer within 0.5% of the exact one (and float rounding). */
function expectWithinAccuracy(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => {
    const exact = expected[i] ?? Number.NaN;
    expect(Math.abs(value - exact), `#${i}: ${value} for ${exact}`).toBeLessThanOrEqual(
      0.005 * Math.abs(exact) + 1e-12,
    );
  });
}

function sketchOf(values: readonly number[], options?: TrendSketchOptions): TrendSketch {
  const sketch = new TrendSketch(options);
  for (const v of values) sketch.add(v);
  return sketch;
}

describe("trend sketch", () => {
  it("keeps 200,000 latencies' percentiles within 0.5% and count, sum, min, max exact", () => {
    // Prepare
    const values = latencies(200_000);
    const sketch = new TrendSketch();
    const sorted = Float64Array.from(values).sort();
    let sum = 0;
    for (const v of values) sum += v;

    // Act
    for (const v of values) sketch.add(v);

    // Assess
    expectWithinAccuracy(
      PERCENTILES.map((pct) => sketch.percentile(pct)),
      PERCENTILES.map((pct) => exactPercentile(sorted, pct)),
    );
    expect([sketch.count, sketch.sum, sketch.min, sketch.max]).toEqual([
      200_000,
      sum,
      sorted[0],
      sorted.at(-1),
    ]);
  });

  it("orders negative values, zeros and positive values once it is a histogram", () => {
    // Prepare
    const sketch = sketchOf([100, -10, 0, 7, -100, 0, 3, 10, -7], { exactLimit: 0 });

    // Act: every rank of 9 values, 12.5 percentiles apart
    const values = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((rank) => sketch.percentile(rank * 12.5));

    // Assess: each within the sketch's 0.5% of the sample at that rank
    expectWithinAccuracy(values, [-100, -10, -7, 0, 0, 3, 7, 10, 100]);
  });

  it("answers the exact smallest and largest sample for p(0) and p(100) once it is a histogram", () => {
    // Prepare
    const sketch = sketchOf([-3.3, 0.001, 17.17, 250.5], { exactLimit: 0 });

    // Act
    const ends = [sketch.percentile(0), sketch.percentile(100)];

    // Assess
    expect(ends).toEqual([-3.3, 250.5]);
  });

  it.each([
    [1e-9, 1e-9],
    [-1e-9, -1e-9],
    [0.9e-9, 0],
    [-0.9e-9, 0],
  ])("keeps a sample of %s apart from zero only if it is not closer to zero than 1e-9", (sample, median) => {
    // Prepare: the sample sits between -1 and 1
    const sketch = sketchOf([-1, sample, 1], { exactLimit: 0 });

    // Act
    const value = sketch.percentile(50);

    // Assess
    if (median === 0) expect(value).toBe(0);
    else expectWithinAccuracy([value], [median]);
  });

  it("keeps samples exact, in ascending order, up to its exact limit", () => {
    // Prepare: 40 values in a scrambled order, more than the first buffer of 16 holds
    const values = Array.from({ length: 40 }, (_, i) => ((i * 17) % 40) - 10.5);
    const sketch = sketchOf(values, { exactLimit: 40 });

    // Act
    const answers = [0, 25, 50, 100].map((pct) => sketch.percentile(pct));

    // Assess: k6's interpolation between the exact neighbours of rank 9.75 and 19.5
    expect(answers).toEqual([-10.5, -0.75, 9, 28.5]);
  });

  it("keeps its answers within 0.5% once past its exact limit, whatever order the samples came in", () => {
    // Prepare: values drifting down, then up, so the buckets grow on both sides
    const values = [
      ...Array.from({ length: 300 }, (_, i) => 1000 / 1.05 ** i),
      ...Array.from({ length: 300 }, (_, i) => 1000 * 1.05 ** i),
      ...Array.from({ length: 300 }, (_, i) => -(1.04 ** i)),
    ];
    const sketch = sketchOf(values, { exactLimit: 20 });
    const sorted = Float64Array.from(values).sort();

    // Act
    const answers = PERCENTILES.map((pct) => sketch.percentile(pct));

    // Assess
    expectWithinAccuracy(
      answers,
      PERCENTILES.map((pct) => exactPercentile(sorted, pct)),
    );
    expect([sketch.count, sketch.min, sketch.max]).toEqual([900, sorted[0], sorted.at(-1)]);
  });

  it("merges histograms with negative values, zeros and positive values, and exact sketches into them", () => {
    // Prepare
    const a = sketchOf([-50, -5, 0, 5, 60], { exactLimit: 0 });
    const b = sketchOf([-500, 0, 700], { exactLimit: 0 });
    const c = sketchOf([-1, 1]);
    const merged = new TrendSketch();

    // Act
    merged.merge(a);
    merged.merge(b);
    merged.merge(c);

    // Assess: all ten samples, in order
    const sorted = Float64Array.from([-50, -5, 0, 5, 60, -500, 0, 700, -1, 1]).sort();
    expect([merged.count, merged.sum, merged.min, merged.max]).toEqual([10, 210, -500, 700]);
    expectWithinAccuracy(
      Array.from({ length: 10 }, (_, rank) => merged.percentile((rank * 100) / 9)),
      [...sorted],
    );
  });

  it("merges an exact sketch into a histogram sketch without losing samples", () => {
    // Prepare
    const values = latencies(5_000);
    const big = new TrendSketch({ exactLimit: 1_000 });
    const small = new TrendSketch();
    values.subarray(0, 4_000).forEach((v) => {
      big.add(v);
    });
    values.subarray(4_000).forEach((v) => {
      small.add(v);
    });
    const sorted = Float64Array.from(values).sort();

    // Act
    big.merge(small);

    // Assess
    expect(big.count).toBe(5_000);
    expectWithinAccuracy([big.percentile(95)], [exactPercentile(sorted, 95)]);
  });

  it("answers NaN for an empty trend, at p(0) as at any percentile", () => {
    // Act
    const values = [0, 50, 100].map((pct) => new TrendSketch().percentile(pct));

    // Assess
    expect(values).toEqual([Number.NaN, Number.NaN, Number.NaN]);
  });
});
