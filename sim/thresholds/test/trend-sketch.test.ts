import { describe, expect, it } from "vitest";
import { TrendSketch } from "../trend-sketch";

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

describe("trend sketch", () => {
  it("keeps 200,000 latencies' percentiles within 1% and count, sum, min, max exact", () => {
    // Prepare
    const values = latencies(200_000);
    const sketch = new TrendSketch();
    const sorted = Float64Array.from(values).sort();
    let sum = 0;
    for (const v of values) sum += v;

    // Act
    for (const v of values) sketch.add(v);

    // Assess
    for (const pct of PERCENTILES) {
      const exact = exactPercentile(sorted, pct);
      expect(Math.abs(sketch.percentile(pct) - exact) / exact, `p(${pct})`).toBeLessThan(0.01);
    }
    expect([sketch.count, sketch.sum, sketch.min, sketch.max]).toEqual([
      200_000,
      sum,
      sorted[0],
      sorted.at(-1),
    ]);
  });

  it("orders negative values, zeros and positive values once it is a histogram", () => {
    // Prepare
    const sketch = new TrendSketch({ exactLimit: 0 });
    for (const v of [-100, -10, 0, 0, 10, 100]) sketch.add(v);

    // Act
    const ranks = [0, 20, 40, 60, 80, 100].map((pct) => sketch.percentile(pct));

    // Assess
    const expected = [-100, -10, 0, 0, 10, 100];
    ranks.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] ?? Number.NaN, 0);
    });
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
    const exact = exactPercentile(sorted, 95);
    expect(Math.abs(big.percentile(95) - exact) / exact).toBeLessThan(0.01);
  });

  it("answers NaN for an empty trend", () => {
    // Act
    const value = new TrendSketch().percentile(50);

    // Assess
    expect(value).toBeNaN();
  });
});
