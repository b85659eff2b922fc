/** us-east-1 list prices (seen 2024-2026; /work/shared/reference/aws-semantics.md). */
export const US_EAST_1_PRICES = {
  seen: "us-east-1 list prices seen 2024-2026",
  sqsPerMillionRequests: 0.4,
  sqsFreeRequestsPerMonth: 1_000_000,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
  alarmPerMonth: 0.1,
} as const;

/** SQS bills each 64 KiB chunk of a request's payload as one request. */
export const SQS_BILLING_CHUNK_BYTES = 64 * 1024;
/** AWS prorates monthly charges (alarms, the free tier here) over a 730-hour month. */
export const BILLING_MONTH_SECONDS = 730 * 3600;

export interface CostUsage {
  /** Billed SQS requests of every kind (send, receive including empty polls, delete, visibility). */
  sqsRequests: number;
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  architecture: "x86_64" | "arm64";
  alarms: number;
  scenarioSeconds: number;
}

export interface CostOptions {
  /**
   * Subtract SQS's free first million requests a month, prorated to the run's length. Off by
   * default: the free tier is per account, shared with everything else it runs.
   */
  sqsFreeTier?: boolean;
  /** Charge alarms for the run's share of a month (default) rather than whole started months. */
  prorateAlarms?: boolean;
}

export interface CostBreakdown {
  sqs: number;
  lambda: number;
  cloudwatch: number;
  total: number;
  /** What the figures include and assume, for the report. */
  notes: string[];
}

/** Billed requests of one SQS call whose payload (all entries of a batch together) is `payloadBytes`. */
export function sqsBilledRequests(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / SQS_BILLING_CHUNK_BYTES));
}

/** Cost in USD of a run's usage at us-east-1 list prices; `notes` states what was assumed. */
export function estimateCost(usage: CostUsage, options: CostOptions = {}): CostBreakdown {
  const { sqsFreeTier = false, prorateAlarms = true } = options;
  const p = US_EAST_1_PRICES;
  const months = usage.scenarioSeconds / BILLING_MONTH_SECONDS;
  const freeSqsRequests = sqsFreeTier ? p.sqsFreeRequestsPerMonth * months : 0;
  const sqs = (Math.max(0, usage.sqsRequests - freeSqsRequests) / 1e6) * p.sqsPerMillionRequests;
  const gbSecondPrice = p.lambdaPerGbSecond[usage.architecture];
  const lambda =
    (usage.lambdaInvocations / 1e6) * p.lambdaPerMillionRequests + usage.lambdaGbSeconds * gbSecondPrice;
  const alarmMonths = prorateAlarms ? months : Math.ceil(months);
  const cloudwatch = usage.alarms * alarmMonths * p.alarmPerMonth;
  const notes = [
    `${p.seen}: SQS standard $${p.sqsPerMillionRequests} per million requests (each 64 KiB chunk of a payload is one request); ` +
      `Lambda $${p.lambdaPerMillionRequests} per million requests + $${gbSecondPrice} per GB-s (${usage.architecture}); ` +
      `CloudWatch standard alarm $${p.alarmPerMonth} per alarm-month.`,
    sqsFreeTier
      ? `SQS free tier applied: ${Math.round(freeSqsRequests).toLocaleString("en-US")} free requests (1,000,000 a month, prorated to the run).`
      : "SQS free tier (first 1,000,000 requests a month) not applied: it is shared by the whole account.",
    prorateAlarms
      ? `Alarms prorated to the run's length (${usage.alarms} alarm(s) x ${alarmMonths.toFixed(4)} of a 730-hour month).`
      : `Alarms billed as whole months (${usage.alarms} alarm(s) x ${alarmMonths} month(s)).`,
    "Not included: Lambda's free tier, CloudWatch Logs and metrics, SNS, data transfer, the database and the carrier's own charges.",
  ];
  return { sqs, lambda, cloudwatch, total: sqs + lambda + cloudwatch, notes };
}
