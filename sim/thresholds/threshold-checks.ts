import { AGGREGATIONS_BY_KIND, type MetricKind } from "./metric-registry";
import { describeAggregation, type ThresholdDefinition } from "./threshold-parser";

/** What a threshold may name of a metric: its kind (for aggregations) and its tag keys. */
export interface CatalogMetric {
  kind: MetricKind;
  tags: readonly string[];
}

/** The values a tag can take in this run, and how to call them in an error. */
export interface TagValues {
  values: readonly string[];
  /** e.g. "the scenario's traffic names". */
  source: string;
}

export interface ThresholdProblem {
  /** The threshold's key, and the expression's index when the problem is in one expression. */
  key: string;
  index?: number;
  message: string;
}

/**
 * Everything wrong with parsed thresholds before a run, all at once: metrics that do not exist,
 * aggregations their kind lacks (k6 refuses both at start), tags a metric does not carry, and tag
 * values the run cannot produce, so a threshold cannot pass by matching nothing.
 */
export function thresholdProblems(
  definitions: readonly ThresholdDefinition[],
  catalog: ReadonlyMap<string, CatalogMetric>,
  tagValues: Readonly<Record<string, TagValues>>,
): ThresholdProblem[] {
  const problems: ThresholdProblem[] = [];
  const names = [...catalog.keys()].sort();
  for (const definition of definitions) {
    const { key, metric } = definition;
    const info = catalog.get(metric);
    if (info === undefined) {
      problems.push({
        key,
        message: `no metric named ${JSON.stringify(metric)}${didYouMean(metric, names)}; metrics: ${names.join(", ")}`,
      });
      continue;
    }
    for (const [tag, value] of Object.entries(definition.tags)) {
      if (!info.tags.includes(tag)) {
        const takes = info.tags.length === 0 ? "takes no tags" : `takes the tags ${info.tags.join(", ")}`;
        problems.push({
          key,
          message: `${metric} ${takes}, not ${JSON.stringify(tag)}${didYouMean(tag, info.tags)}`,
        });
        continue;
      }
      const known = tagValues[tag];
      if (known !== undefined && !known.values.includes(value)) {
        problems.push({
          key,
          message: `${tag} ${JSON.stringify(value)} matches nothing in this run${didYouMean(value, known.values)}; ${known.source} are ${known.values.join(", ") || "(none)"}`,
        });
      }
    }
    const allowed = AGGREGATIONS_BY_KIND[info.kind];
    for (const [index, expression] of definition.expressions.entries()) {
      const name = expression.aggregation.name === "p" ? "p(N)" : expression.aggregation.name;
      if (!allowed.includes(name)) {
        problems.push({
          key,
          index,
          message: `${JSON.stringify(expression.source)}: ${metric} is a ${info.kind}, which supports ${allowed.join(", ")}, not ${describeAggregation(expression.aggregation)}`,
        });
      }
    }
  }
  return problems;
}

/** ` (did you mean "x"?)` for the closest candidate within a few edits, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === null ? "" : ` (did you mean ${JSON.stringify(best)}?)`;
}

/** Levenshtein distance, with a swap of neighbours counting as one edit (ALRAM -> ALARM). */
function editDistance(a: string, b: string): number {
  // Row i starts with i; the loops below fill the rest of each row in order.
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      );
      // In the first row or column a[-1] or b[-1] is undefined, which equals no character.
      if (a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
