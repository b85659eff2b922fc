/** One region's list prices, in USD, and where they were read. */
export interface PriceList {
  region: string;
  /** Where the figures come from, for the report. */
  source: string;
  sqsPerMillionRequests: number;
  lambdaPerMillionRequests: number;
  lambdaPerGbSecond: { x86_64: number; arm64: number };
  alarmPerMonth: number;
}

/**
 * The regions smsim has list prices for. Only us-east-1's are published where this project could
 * read them (/work/shared/reference/aws-semantics.md); another region's prices come from the
 * scenario's `prices` block, read off that region's pricing pages or a bill.
 */
export const PRICE_LISTS: Readonly<Record<string, PriceList>> = {
  "us-east-1": {
    region: "us-east-1",
    source: "us-east-1 list prices seen 2024-2026",
    sqsPerMillionRequests: 0.4,
    lambdaPerMillionRequests: 0.2,
    lambdaPerGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
    alarmPerMonth: 0.1,
  },
};
const DEFAULT_PRICES = PRICE_LISTS["us-east-1"] as PriceList;
/** SQS's free tier, the same in every region. */
export const SQS_FREE_REQUESTS_PER_MONTH = 1_000_000;

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
  /** The region the stack deploys to (the template's Metadata.smsim.Region); null when it names none. */
  region?: string | null;
  /** The scenario's own price list, for a region smsim has none for. */
  prices?: PriceList | null;
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
  /** The region whose prices were applied. */
  pricedRegion: string;
  /** What the figures include and assume, for the report. */
  notes: string[];
}

/** Billed requests of one SQS call whose payload (all entries of a batch together) is `payloadBytes`. */
export function sqsBilledRequests(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / SQS_BILLING_CHUNK_BYTES));
}

/**
 * Cost in USD of a run's usage at the deploy region's list prices (the scenario's, else smsim's,
 * else us-east-1's, said so); `notes` states what was assumed.
 */
export function estimateCost(usage: CostUsage, options: CostOptions = {}): CostBreakdown {
  const { sqsFreeTier = false, prorateAlarms = true, region = null } = options;
  const p = options.prices ?? (region ? PRICE_LISTS[region] : undefined) ?? DEFAULT_PRICES;
  const months = usage.scenarioSeconds / BILLING_MONTH_SECONDS;
  const freeSqsRequests = sqsFreeTier ? SQS_FREE_REQUESTS_PER_MONTH * months : 0;
  const sqs = (Math.max(0, usage.sqsRequests - freeSqsRequests) / 1e6) * p.sqsPerMillionRequests;
  const gbSecondPrice = p.lambdaPerGbSecond[usage.architecture];
  const lambda =
    (usage.lambdaInvocations / 1e6) * p.lambdaPerMillionRequests + usage.lambdaGbSeconds * gbSecondPrice;
  const alarmMonths = prorateAlarms ? months : Math.ceil(months);
  const cloudwatch = usage.alarms * alarmMonths * p.alarmPerMonth;
  const regionNote =
    region && region !== p.region
      ? [
          `The template deploys to ${region}, which smsim has no prices for (regions priced: ${Object.keys(PRICE_LISTS).join(", ")}): ` +
            `these are ${p.region}'s. Give ${region}'s in the scenario's prices block.`,
        ]
      : [];
  const notes = [
    ...regionNote,
    `${p.source}: SQS standard $${p.sqsPerMillionRequests} per million requests (each 64 KiB chunk of a payload is one request); ` +
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
  return { sqs, lambda, cloudwatch, total: sqs + lambda + cloudwatch, pricedRegion: p.region, notes };
}
