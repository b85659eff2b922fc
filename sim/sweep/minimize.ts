import { SweepOptionError } from "./errors";
import { formatSetValue, type Vary } from "./parse-vary";

export const MONOTONICITY_ASSUMED =
  "passing is monotone in the key: once a value passes every threshold, every larger value does too";

/** The search's answer for one combination of the other varied keys. */
export interface MinimizeAnswer {
  /** The other keys' values ({} when only the minimized key is varied). */
  others: Record<string, unknown>;
  /** Smallest passing value found; null when even the largest fails. */
  value: number | null;
  /** The neighbours checked around the answer: the value below must fail, the one above pass. */
  neighbours: { value: number; passed: boolean; expected: boolean }[];
  /** Evidence against the assumption met along the way (a pass below a failure). */
  violations: string[];
}

export interface MinimizeReport {
  key: string;
  assumption: string;
  answers: MinimizeAnswer[];
}

export interface MinimizeOptions {
  key: string;
  varies: readonly Vary[];
  /** Points probed at once per combination each round: a k-ary search (bisection at 1). */
  probesPerRound: number;
  /** Whether the point at this index of the full grid (first key outermost) passes. */
  passes(gridIndex: number): Promise<boolean>;
}

/**
 * The smallest value of `key` that passes, for each combination of the other keys: a search over
 * the key's sorted values that assumes MONOTONICITY_ASSUMED, probing up to `probesPerRound` values
 * at once, then checks the answer's neighbours, since a violated assumption shows there first.
 */
export async function minimizeKey(options: MinimizeOptions): Promise<MinimizeReport> {
  const { key, varies } = options;
  const position = varies.findIndex((v) => v.key === key);
  if (position < 0) {
    throw new SweepOptionError("--minimize", `${key} is not varied; add --vary ${key}=FROM..TO`);
  }
  const vary = varies[position] as Vary;
  if (!vary.values.every((v) => typeof v === "number")) {
    throw new SweepOptionError("--minimize", `${key} takes non-numeric values; it needs numbers`);
  }
  // Search in ascending value order, mapping back to the grid's own order of the key's values.
  const order = vary.values
    .map((_, i) => i)
    .sort((a, b) => (vary.values[a] as number) - (vary.values[b] as number));
  const others = combinations(varies, position);
  const perCombination = Math.max(1, Math.floor(options.probesPerRound / others.length));
  const answers = await Promise.all(
    others.map((combo) =>
      searchOne(
        order.map((valueIndex) => vary.values[valueIndex] as number),
        (sorted) =>
          options.passes(gridIndex(varies, { ...combo.indexes, [position]: order[sorted] as number })),
        perCombination,
      ).then((found) => ({ others: combo.values, ...found })),
    ),
  );
  return { key, assumption: MONOTONICITY_ASSUMED, answers };
}

async function searchOne(
  values: readonly number[],
  passesAt: (sortedIndex: number) => Promise<boolean>,
  probes: number,
): Promise<Omit<MinimizeAnswer, "others">> {
  const known = new Map<number, boolean>();
  const probe = async (indexes: number[]) => {
    const results = await Promise.all(indexes.map((i) => passesAt(i)));
    for (const [j, i] of indexes.entries()) known.set(i, results[j] as boolean);
  };
  const last = values.length - 1;
  await probe(last === 0 ? [0] : [0, last]);
  const violations: string[] = [];
  if (!known.get(last)) return { value: null, neighbours: [], violations };
  let lo = -1; // highest index known to fail, below hi
  let hi = known.get(0) ? 0 : last; // lowest index known to pass
  if (hi > 0) lo = 0;
  while (hi - lo > 1) {
    const gap = hi - lo;
    const k = Math.min(probes, gap - 1);
    const picks = [
      ...new Set(Array.from({ length: k }, (_, j) => lo + Math.round((gap * (j + 1)) / (k + 1)))),
    ].filter((i) => i > lo && i < hi);
    await probe(picks);
    const firstPass = picks.find((i) => known.get(i));
    const newHi = firstPass ?? hi;
    for (const i of picks) {
      if (i > newHi && !known.get(i)) {
        violations.push(
          `${formatSetValue(values[i])} fails although ${formatSetValue(values[newHi])} passes`,
        );
      }
    }
    lo = Math.max(lo, ...picks.filter((i) => i < newHi && !known.get(i)));
    hi = newHi;
  }
  // The value below the answer failed in the search; the one above is checked if not yet known.
  const above = hi + 1;
  if (above <= last && !known.has(above)) await probe([above]);
  const neighbours = [hi - 1, hi + 1]
    .filter((i) => i >= 0 && i <= last)
    .map((i) => ({ value: values[i] as number, passed: known.get(i) as boolean, expected: i > hi }));
  for (const n of neighbours) {
    if (n.passed !== n.expected) {
      violations.push(
        `${formatSetValue(n.value)} ${n.passed ? "passes" : "fails"} next to the answer ${formatSetValue(values[hi])}`,
      );
    }
  }
  return { value: values[hi] as number, neighbours, violations };
}

interface Combination {
  /** Position in `varies` -> index of the value. */
  indexes: Record<number, number>;
  values: Record<string, unknown>;
}

/** Every combination of the values of the keys other than the one at `skip`. */
function combinations(varies: readonly Vary[], skip: number): Combination[] {
  return varies.reduce<Combination[]>(
    (combos, v, position) =>
      position === skip
        ? combos
        : combos.flatMap((c) =>
            v.values.map((value, i) => ({
              indexes: { ...c.indexes, [position]: i },
              values: { ...c.values, [v.key]: value },
            })),
          ),
    [{ indexes: {}, values: {} }],
  );
}

/** Mixed-radix index of a point in the grid, the first key most significant. */
function gridIndex(varies: readonly Vary[], indexes: Record<number, number>): number {
  return varies.reduce((index, v, position) => index * v.values.length + (indexes[position] ?? 0), 0);
}
