import { parseMessageBody } from "../../domain/message-body";
import type { RunSummary } from "../../reports/summary";
import type { CampaignFacts } from "../run/build-summary";
import type { Trend } from "../thresholds/metric-registry";
import type { LiveCampaign } from "./live-producer";
import type { LogRow, ResultRow } from "./run-database";

export interface LiveAccountingInput {
  campaigns: readonly LiveCampaign[];
  /** When each campaign's log row was written (scenario ms). */
  logs: readonly Pick<LogRow, "logId" | "requestedAtMs">[];
  results: readonly ResultRow[];
  /** Bodies of every message in the DLQ at the end. */
  dlqBodies: Iterable<string>;
  /** Every body SQS accepted from the producer, with when. */
  sentBodies: ReadonlyMap<string, number>;
  isDeleted(body: string): boolean;
  /** When a received, undeleted message came back (or comes back) visible: a DLQ move follows. */
  visibleAgainAt(body: string): number | undefined;
  retentionMs: number;
  endMs: number;
  /** Recipients of campaigns stopped before they reached the queue (an interrupted run): still pending. */
  unsent?: number;
  /** delivery_latency_seconds: one sample per result, tagged with the campaign. */
  latency: Trend;
}

export interface LiveAccounting {
  recipients: RunSummary["recipients"];
  /** One per traffic entry that sent, in order of first send. */
  campaigns: CampaignFacts[];
}

interface LogState {
  trafficName: string;
  requestedAtMs: number;
  open: number;
  lastExitMs: number;
}

/**
 * Where every recipient of a live run is, from the real sources: a result in MySQL, a message in
 * the DLQ, a message still on the queue (sent, not deleted, not dead-lettered) or one that
 * outlived the queue's retention. `unaccounted` is what is left, 0 unless the pipeline lost
 * someone. A recipient leaves the pipeline at its result, when its message is dead-lettered (on
 * the receive after it last became visible) or when it expires: the campaigns' drain times.
 */
export function settleLiveRun(input: LiveAccountingInput): LiveAccounting {
  const requestedAt = new Map(input.logs.map((l) => [l.logId, l.requestedAtMs]));
  const logs = new Map<number, LogState>();
  const campaigns = new Map<string, CampaignFacts>();
  let requested = 0;
  for (const c of input.campaigns) {
    const at = requestedAt.get(c.logId) ?? input.endMs;
    requested += c.recipients;
    logs.set(c.logId, { trafficName: c.trafficName, requestedAtMs: at, open: c.recipients, lastExitMs: at });
    const facts = campaigns.get(c.trafficName);
    if (facts) {
      facts.recipients += c.recipients;
      facts.firstSendMs = Math.min(facts.firstSendMs, at);
    } else {
      campaigns.set(c.trafficName, {
        name: c.trafficName,
        recipients: c.recipients,
        firstSendMs: at,
        drainMs: 0,
        inDlq: 0,
        expired: 0,
        longestInDlqMs: 0,
      });
    }
  }
  const exit = (logId: number, atMs: number) => {
    const log = logs.get(logId);
    if (!log) return;
    log.open--;
    log.lastExitMs = Math.max(log.lastExitMs, atMs);
  };

  const key = (logId: number, userId: number) => logId * 2 ** 26 + userId;
  const placed = new Set<number>();
  let sent = 0;
  let failed = 0;
  for (const result of input.results) {
    placed.add(key(result.logId, result.userId));
    if (result.status === "SENT") sent++;
    else failed++;
    const log = logs.get(result.logId);
    if (log) input.latency.add((result.atMs - log.requestedAtMs) / 1000, { campaign: log.trafficName });
    exit(result.logId, result.atMs);
  }

  /**
   * Places the body's recipients not placed yet, leaving at `exitMs` (null: still in); returns how
   * many, and their campaign's figures for the caller to add to.
   */
  const place = (body: string, exitMs: number | null): { count: number; campaign?: CampaignFacts } => {
    let recipients: { logId: number; userIds: number[] };
    try {
      recipients = parseMessageBody(body);
    } catch {
      return { count: 0 };
    }
    const log = logs.get(recipients.logId);
    const campaign = log && campaigns.get(log.trafficName);
    let count = 0;
    for (const userId of new Set(recipients.userIds)) {
      const k = key(recipients.logId, userId);
      if (placed.has(k)) continue;
      placed.add(k);
      count++;
      if (exitMs !== null) exit(recipients.logId, exitMs);
    }
    return { count, campaign };
  };

  let inDlq = 0;
  for (const body of input.dlqBodies) {
    // The move happens on the receive after the message last became visible again.
    const movedAtMs = input.visibleAgainAt(body) ?? input.endMs;
    const { count, campaign } = place(body, movedAtMs);
    inDlq += count;
    if (campaign && count > 0) {
      campaign.inDlq += count;
      campaign.longestInDlqMs = Math.max(campaign.longestInDlqMs, input.endMs - movedAtMs);
    }
  }
  let pending = input.unsent ?? 0;
  let expired = 0;
  for (const [body, sentAtMs] of input.sentBodies) {
    if (input.isDeleted(body)) continue;
    const expiresAtMs = sentAtMs + input.retentionMs;
    if (expiresAtMs > input.endMs) {
      pending += place(body, null).count;
      continue;
    }
    const { count, campaign } = place(body, expiresAtMs);
    expired += count;
    if (campaign) campaign.expired += count;
  }
  // A campaign with recipients still in the pipeline is draining at the end.
  for (const log of logs.values()) {
    const facts = campaigns.get(log.trafficName) as CampaignFacts;
    const lastMs = log.open > 0 ? input.endMs : log.lastExitMs;
    facts.drainMs = Math.max(facts.drainMs, lastMs - log.requestedAtMs);
  }
  const unaccounted = requested - sent - failed - inDlq - pending - expired;
  return {
    recipients: { requested, sent, failed, inDlq, pending, expired, unaccounted },
    campaigns: [...campaigns.values()],
  };
}
