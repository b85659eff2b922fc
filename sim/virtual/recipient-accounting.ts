import type { RunSummary } from "../../reports/summary";
import type { CampaignFacts } from "../run/build-summary";
import type { SendRequest } from "../scenario/expand-traffic";
import type { Trend, TrendSeries } from "../thresholds/metric-registry";
import type { MemoryDeliveryStore } from "./memory-delivery-store";

interface LogEntry {
  trafficName: string;
  sentAtMs: number;
  recipients: number;
  /** Recipients that have not left the pipeline (no result, not dead-lettered, not expired). */
  open: number;
  lastExitMs: number;
}

/**
 * Where every recipient of a virtual run is: a final result, a DLQ message, a message still on the
 * queue, or expired. `unaccounted` is what is left over, and is 0 unless the pipeline lost someone.
 */
export function recipientAccounting() {
  const logs = new Map<number, LogEntry>();
  const latencySeries = new Map<string, TrendSeries>();
  let deliveries: MemoryDeliveryStore | null = null;
  let requested = 0;
  let done = 0;
  let expired = 0;

  const unrecorded = function* (body: string): Generator<[number, number]> {
    let parsed: { logId?: unknown; userIds?: unknown };
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof parsed.logId !== "number" || !Array.isArray(parsed.userIds)) return;
    for (const userId of parsed.userIds) {
      if (typeof userId === "number" && !deliveries?.isRecorded(parsed.logId, userId)) {
        yield [parsed.logId, userId];
      }
    }
  };

  const exit = (logId: number, atMs: number) => {
    const log = logs.get(logId);
    if (!log) return;
    log.open--;
    log.lastExitMs = atMs;
  };

  return {
    bind(store: MemoryDeliveryStore) {
      deliveries = store;
    },
    opened(logId: number, send: SendRequest, atMs: number) {
      logs.set(logId, {
        trafficName: send.trafficName,
        sentAtMs: atMs,
        recipients: send.recipients,
        open: send.recipients,
        lastExitMs: atMs,
      });
      requested += send.recipients;
    },
    campaignFacts(send: SendRequest, atMs: number): CampaignFacts {
      return { name: send.trafficName, recipients: send.recipients, firstSendMs: atMs, drainMs: 0 };
    },
    resulted(logId: number, _userId: number, atMs: number, latency: Trend) {
      const log = logs.get(logId);
      if (!log) return;
      let series = latencySeries.get(log.trafficName);
      if (!series) {
        series = latency.series({ campaign: log.trafficName });
        latencySeries.set(log.trafficName, series);
      }
      series.add((atMs - log.sentAtMs) / 1000);
      done++;
      exit(logId, atMs);
    },
    expired(body: string, atMs: number) {
      for (const [logId] of unrecorded(body)) {
        expired++;
        exit(logId, atMs);
      }
    },
    /** A message moved to the DLQ: its recipients without a result leave the pipeline there. */
    deadLettered(body: string, atMs: number) {
      for (const [logId] of unrecorded(body)) exit(logId, atMs);
    },
    requested: () => requested,
    done: () => done,
    /** Longest time from a send of `trafficName` until its last recipient left the pipeline. */
    drainMs(trafficName: string, nowMs: number): number {
      let longest = 0;
      for (const log of logs.values()) {
        if (log.trafficName !== trafficName) continue;
        longest = Math.max(longest, (log.open > 0 ? nowMs : log.lastExitMs) - log.sentAtMs);
      }
      return longest;
    },
    /** The final count, from the results and the messages left in the queue and its DLQ. */
    settle(sourceBodies: Iterable<string>, dlqBodies: Iterable<string>): RunSummary["recipients"] {
      const seen = new Set<number>();
      const countUnique = (bodies: Iterable<string>) => {
        let n = 0;
        for (const body of bodies) {
          for (const [logId, userId] of unrecorded(body)) {
            const key = logId * 2 ** 26 + userId;
            if (seen.has(key)) continue;
            seen.add(key);
            n++;
          }
        }
        return n;
      };
      const inDlq = countUnique(dlqBodies);
      const pending = countUnique(sourceBodies);
      let sent = 0;
      let failed = 0;
      for (const campaign of deliveries?.campaigns() ?? []) {
        sent += campaign.sent;
        failed += campaign.failed;
      }
      const unaccounted = requested - sent - failed - inDlq - pending - expired;
      return { requested, sent, failed, inDlq, pending, expired, unaccounted };
    },
  };
}
