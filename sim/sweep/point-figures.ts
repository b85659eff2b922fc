import type { RunSummary } from "../../reports/summary";

/** The figures a sweep compares across points, named as the thresholds that measure them. */
export const FIGURES = {
  drainMax: "drain_seconds_max",
  rateLimited: "carrier_rate_limited",
  inDlq: "recipients_in_dlq",
  throttles: "lambda_throttles",
  cost: "cost_usd_total",
  sent: "recipients_sent",
  pending: "recipients_pending",
  unaccounted: "recipients_unaccounted",
  maxConcurrent: "lambda_max_concurrent",
  requestsPerSecondMax: "carrier_requests_per_second_max",
} as const;

export const campaignDrainFigure = (campaign: string) => `campaign_drain_seconds{campaign:${campaign}}`;
export const campaignP95Figure = (campaign: string) => `delivery_latency_p95_seconds{campaign:${campaign}}`;

/** A run's key figures; `drain_seconds_max` is the slowest campaign's drain. */
export function figuresOf(summary: RunSummary): Record<string, number> {
  const figures: Record<string, number> = {
    [FIGURES.drainMax]: Math.max(0, ...summary.campaigns.map((c) => c.drainSeconds)),
    [FIGURES.rateLimited]: summary.carrier.rateLimited,
    [FIGURES.inDlq]: summary.recipients.inDlq,
    [FIGURES.throttles]: summary.lambda.throttles,
    [FIGURES.cost]: summary.costUsd.total,
    [FIGURES.sent]: summary.recipients.sent,
    [FIGURES.pending]: summary.recipients.pending,
    [FIGURES.unaccounted]: summary.recipients.unaccounted,
    [FIGURES.maxConcurrent]: summary.lambda.maxConcurrent,
    [FIGURES.requestsPerSecondMax]: summary.carrier.maxAcceptedRequestsPerSecond,
  };
  for (const c of summary.campaigns) {
    figures[campaignDrainFigure(c.name)] = c.drainSeconds;
    figures[campaignP95Figure(c.name)] = c.latencySeconds.p95;
  }
  return figures;
}

/** The middle value (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
