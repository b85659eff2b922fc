import { parseThresholdExpression, type ThresholdOperator } from "../../thresholds/threshold-parser";
import { campaignDrainFigure, campaignP95Figure, FIGURES } from "../point-figures";
import type { SweepPoint, SweepResult } from "../run-sweep";

/** A threshold drawn on a figure: `value <op> bound`. */
export interface Bound {
  label: string;
  operator: ThresholdOperator;
  value: number;
}

/** One figure across the sweep's points, with the thresholds that bound it. */
export interface FigureSeries {
  id: string;
  title: string;
  unit: string;
  /** Per point (same order as result.points): the median, and the spread over repeats. */
  value(point: SweepPoint): number | null;
  spread(point: SweepPoint): { min: number; max: number } | null;
  bounds: Bound[];
}

/**
 * What a sweep charts: drain (slowest campaign and each campaign), p95 latency per campaign, 429s,
 * DLQ, throttles and cost, each with the scenario's thresholds on it; then any threshold no
 * figure shows, as its own series.
 */
export function sweepSeries(result: SweepResult): FigureSeries[] {
  const campaigns = [
    ...new Set(
      result.points.flatMap((p) =>
        Object.keys(p.figures)
          .filter((f) => f.startsWith("campaign_drain_seconds{"))
          .map((f) => f.slice("campaign_drain_seconds{campaign:".length, -1)),
      ),
    ),
  ];
  const figure = (id: string, title: string, unit: string): FigureSeries => ({
    id,
    title,
    unit,
    value: (p) => p.figures[id] ?? null,
    spread: (p) => p.spread[id] ?? null,
    bounds: [],
  });
  const series = [
    figure(FIGURES.drainMax, "Drain time (slowest campaign)", "seconds"),
    ...(campaigns.length > 1
      ? campaigns.map((c) => figure(campaignDrainFigure(c), `Drain time: ${c}`, "seconds"))
      : []),
    ...campaigns.map((c) => figure(campaignP95Figure(c), `Delivery latency p95: ${c}`, "seconds")),
    figure(FIGURES.rateLimited, "Carrier 429s", "responses"),
    figure(FIGURES.inDlq, "Recipients in the DLQ", "recipients"),
    figure(FIGURES.throttles, "Lambda throttles", "throttles"),
    figure(FIGURES.cost, "Cost", "USD"),
  ];
  const byId = new Map(series.map((s) => [s.id, s]));
  // A lone campaign's drain is the slowest campaign's: its thresholds go on that chart.
  if (campaigns.length === 1)
    byId.set(campaignDrainFigure(campaigns[0] as string), byId.get(FIGURES.drainMax) as FigureSeries);
  const thresholds = result.points[0]?.thresholds ?? [];
  thresholds.forEach((t, i) => {
    const expression = parseThresholdExpression(t.metric, t.expression);
    const bound = {
      label: `${t.metric}: ${t.expression}`,
      operator: expression.operator,
      value: expression.value,
    };
    const { name } = expression.aggregation;
    const latency = /^delivery_latency_seconds\{campaign:(.+)\}$/.exec(t.metric);
    const target =
      latency && expression.aggregation.name === "p" && expression.aggregation.percentile === 95
        ? byId.get(campaignP95Figure(latency[1] as string))
        : name === "count" || name === "value"
          ? byId.get(t.metric)
          : undefined;
    if (target) {
      target.bounds.push(bound);
      return;
    }
    series.push({
      id: `threshold-${i}`,
      title: `${t.metric}: ${t.expression}`,
      unit: "value",
      value: (p) => p.thresholds[i]?.value ?? null,
      spread: () => null,
      bounds: [bound],
    });
  });
  return series;
}
