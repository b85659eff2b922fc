import { describe, expect, it } from "vitest";
import { minimizeKey } from "../minimize";
import type { Vary } from "../parse-vary";

/** A search over `varies` whose points pass where `passes(settings)` says; records what it probed. */
function search(varies: Vary[], key: string, passes: (settings: number[]) => boolean, probesPerRound = 1) {
  const probed: number[][] = [];
  const sizes = varies.map((v) => v.values.length);
  const settingsAt = (index: number) => {
    const out: number[] = [];
    for (let i = sizes.length - 1; i >= 0; i--) {
      const size = sizes[i] as number;
      out.unshift(varies[i]?.values[index % size] as number);
      index = Math.floor(index / size);
    }
    return out;
  };
  const run = minimizeKey({
    key,
    varies,
    probesPerRound,
    passes: async (index) => {
      const settings = settingsAt(index);
      probed.push(settings);
      return passes(settings);
    },
  });
  return { run, probed };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("minimizeKey", () => {
  it("finds the smallest passing value by bisection, far fewer probes than the grid, neighbours checked", async () => {
    // Prepare: MaximumConcurrency 2..40, passing from 13 up
    const { run, probed } = search([{ key: "c", values: range(2, 40) }], "c", ([c]) => (c as number) >= 13);
    // Act
    const report = await run;
    // Assess
    expect(report.assumption).toMatch(/monotone/);
    expect(report.answers).toEqual([
      {
        others: {},
        value: 13,
        neighbours: [
          { value: 12, passed: false, expected: false },
          { value: 14, passed: true, expected: true },
        ],
        violations: [],
      },
    ]);
    expect(probed.length).toBeLessThanOrEqual(Math.ceil(Math.log2(39)) + 3);
  });

  it("probes several values a round when it may run several at once, and gets the same answer", async () => {
    // Prepare
    const passes = ([c]: number[]) => (c as number) >= 27;
    const one = search([{ key: "c", values: range(2, 40) }], "c", passes, 1);
    const four = search([{ key: "c", values: range(2, 40) }], "c", passes, 4);
    // Act
    const [a, b] = await Promise.all([one.run, four.run]);
    // Assess
    expect(b.answers[0]?.value).toBe(27);
    expect(a.answers[0]?.value).toBe(27);
  });

  it("answers for each value of the other varied key, in any order of the minimized key's values", async () => {
    // Prepare: the batch size halves the concurrency needed
    const varies = [
      { key: "batch", values: [5, 10] },
      { key: "c", values: [8, 2, 6, 4, 10] },
    ];
    const { run } = search(varies, "c", ([batch, c]) => (c as number) * (batch as number) >= 40);
    // Act
    const report = await run;
    // Assess
    expect(report.answers.map((a) => [a.others, a.value])).toEqual([
      [{ batch: 5 }, 8],
      [{ batch: 10 }, 4],
    ]);
  });

  it("says when nothing passes, when the smallest already does, and when a neighbour breaks the assumption", async () => {
    // Prepare
    const values = range(1, 9);
    const none = search([{ key: "c", values }], "c", () => false);
    const all = search([{ key: "c", values }], "c", () => true);
    // 5 passes, 6 fails, 7 and up pass: the search lands on 5, and 6 contradicts it
    const bumpy = search([{ key: "c", values }], "c", ([c]) => c === 5 || (c as number) >= 7);
    // Act
    const [n, a, b] = await Promise.all([none.run, all.run, bumpy.run]);
    // Assess
    expect(n.answers[0]).toMatchObject({ value: null, violations: [] });
    expect(a.answers[0]).toMatchObject({ value: 1, violations: [] });
    expect(b.answers[0]?.value).toBe(5);
    expect(b.answers[0]?.violations).toEqual(["6 fails next to the answer 5"]);
  });

  it("refuses a key that is not varied or not numeric", async () => {
    // Prepare + Act + Assess
    await expect(search([{ key: "c", values: [1, 2] }], "d", () => true).run).rejects.toThrow(
      /--minimize: d is not varied/,
    );
    await expect(search([{ key: "c", values: ["a", "b"] as never }], "c", () => true).run).rejects.toThrow(
      /non-numeric/,
    );
  });
});
