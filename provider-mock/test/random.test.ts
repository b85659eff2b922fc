import { describe, expect, it } from "vitest";
import { createRandom, hashToUnit } from "../random";

function draws(count: number, draw: () => number): number[] {
  return Array.from({ length: count }, draw);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

describe("createRandom", () => {
  it("draws the same numbers for the same seed and different ones for another", () => {
    // Prepare
    const [a, b, c] = [42, 42, 43].map(createRandom);

    // Act
    const [fromA, fromB, fromC] = [a, b, c].map((r) => draws(100, () => r?.next() ?? Number.NaN));

    // Assess
    expect(fromB).toEqual(fromA);
    expect(fromC).not.toEqual(fromA);
  });

  it("draws uniforms in [0, 1) with mean 1/2 and integers covering [min, max]", () => {
    // Prepare
    const random = createRandom(7);

    // Act
    const uniforms = draws(50_000, random.next);
    const dice = draws(6000, () => random.int(1, 6));

    // Assess: the standard error of the mean of 50,000 uniforms is 0.0013
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    expect(mean(uniforms)).toBeCloseTo(0.5, 2);
    expect([...new Set(dice)].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("draws normals with mean 0 and variance 1, and exponentials with the given mean", () => {
    // Prepare
    const random = createRandom(11);

    // Act
    const normals = draws(50_000, random.normal);
    const exponentials = draws(50_000, () => random.exponential(250));

    // Assess: standard errors are 0.0045 (normal mean) and 1.1 (exponential mean)
    const variance = mean(normals.map((x) => x * x)) - mean(normals) ** 2;
    expect(Math.abs(mean(normals))).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    expect(Math.abs(mean(exponentials) - 250)).toBeLessThan(5);
  });

  it("forks streams that depend on the seed and label only, not on earlier draws", () => {
    // Prepare
    const fresh = createRandom(3);
    const used = createRandom(3);
    draws(10, used.next);

    // Act
    const [fromFresh, fromUsed, otherLabel, parent] = [
      fresh.fork("latency"),
      used.fork("latency"),
      fresh.fork("faults"),
      createRandom(3),
    ].map((r) => draws(20, r.next));

    // Assess
    expect(fromUsed).toEqual(fromFresh);
    expect(otherLabel).not.toEqual(fromFresh);
    expect(parent).not.toEqual(fromFresh);
  });
});

describe("hashToUnit", () => {
  it("maps text to a stable, evenly spread number in [0, 1) per seed", () => {
    // Prepare
    const texts = Array.from({ length: 20_000 }, (_, i) => `010${String(i).padStart(8, "0")}`);

    // Act
    const units = texts.map((t) => hashToUnit(t, 9));

    // Assess
    expect(texts.map((t) => hashToUnit(t, 9))).toEqual(units);
    expect(hashToUnit(texts[0] as string, 10)).not.toBe(units[0]);
    expect(Math.max(...units)).toBeLessThan(1);
    expect(units.filter((u) => u < 0.3).length / units.length).toBeCloseTo(0.3, 1);
  });
});
