import { formatCount, formatLatency, formatSeconds } from "./format";
import type { CampaignSummary } from "./summary";

/** The campaigns table's columns, as the console summary and report.html both print them. */
export const CAMPAIGN_COLUMNS: readonly { title: string; numeric: boolean }[] = [
  { title: "campaign", numeric: false },
  { title: "recipients", numeric: true },
  { title: "start", numeric: true },
  { title: "drain", numeric: true },
  { title: "p50", numeric: true },
  { title: "p95", numeric: true },
  { title: "p99", numeric: true },
  { title: "in DLQ", numeric: true },
  { title: "longest in DLQ", numeric: true },
  { title: "expired", numeric: true },
];

/** One campaign's cells, in CAMPAIGN_COLUMNS' order; time in the DLQ reads "-" when none was dead-lettered. */
export function campaignCells(k: CampaignSummary): string[] {
  return [
    k.name,
    formatCount(k.recipients),
    formatSeconds(k.startSeconds),
    formatSeconds(k.drainSeconds),
    formatLatency(k.latencySeconds.p50),
    formatLatency(k.latencySeconds.p95),
    formatLatency(k.latencySeconds.p99),
    formatCount(k.dlq.recipients),
    k.dlq.recipients > 0 || k.dlq.longestSeconds > 0 ? formatSeconds(k.dlq.longestSeconds) : "-",
    formatCount(k.expiredRecipients),
  ];
}
