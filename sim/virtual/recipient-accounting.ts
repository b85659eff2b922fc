import type { RunSummary } from "../../reports/summary";
import type { CampaignFacts } from "../run/build-summary";
import type { SendRequest } from "../scenario/expand-traffic";
import type { Trend, TrendSeries } from "../thresholds/metric-registry";
import { withLength } from "./growable";
import type { MemoryDeliveryStore } from "./memory-delivery-store";

const NO_LOG = -1;
const INITIAL_LOGS = 1024;

/**
 * Where every recipient of a virtual run is: a final result, a DLQ message, a message still on the
 * queue, or expired. `unaccounted` is what is left over, and is 0 unless the pipeline lost someone.
 * A campaign is a row of typed columns indexed by its logId (small integers counting up from 1):
 * a month holds a million campaigns.
 */
export function recipientAccounting() {
  const trafficNames: string[] = [];
  const trafficIds = new Map<string, number>();
  const latencySeries: (TrendSeries | undefined)[] = [];
  /** Per logId: its traffic's index in trafficNames, or NO_LOG. */
  let trafficOf = new Int32Array(INITIAL_LOGS).fill(NO_LOG);
  let sentAtMs = new Float64Array(INITIAL_LOGS);
  /** Recipients that have not left the pipeline (no result, not dead-lettered, not expired). */
  let open = new Int32Array(INITIAL_LOGS);
  let lastExitMs = new Float64Array(INITIAL_LOGS);
  let logEnd = 0;
  let deliveries: MemoryDeliveryStore | null = null;
  let requested = 0;
  let done = 0;
  let expired = 0;
  /**
   * Bodies moved to the DLQ, with when: their recipients are settled there, so a later expiry in the
   * DLQ does not move their drain; their time in the DLQ is a figure of its own.
   */
  const deadLetteredAt = new Map<string, number>();
  /** Per traffic index: recipients expired, in the DLQ at the end, and the longest stay in the DLQ. */
  const dlqFacts: { inDlq: number; expired: number; longestInDlqMs: number }[] = [];
  const dlqFactsOf = (logId: number) => {
    const trafficId = trafficIdOf(logId);
    if (trafficId === NO_LOG) return null;
    dlqFacts[trafficId] ??= { inDlq: 0, expired: 0, longestInDlqMs: 0 };
    return dlqFacts[trafficId];
  };

  const trafficIdOf = (logId: number): number =>
    logId >= 0 && logId < logEnd ? (trafficOf[logId] as number) : NO_LOG;

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
    if (trafficIdOf(logId) === NO_LOG) return;
    open[logId] = (open[logId] as number) - 1;
    lastExitMs[logId] = atMs;
  };

  return {
    bind(store: MemoryDeliveryStore) {
      deliveries = store;
    },
    opened(logId: number, send: SendRequest, atMs: number) {
      let trafficId = trafficIds.get(send.trafficName);
      if (trafficId === undefined) {
        trafficId = trafficNames.push(send.trafficName) - 1;
        trafficIds.set(send.trafficName, trafficId);
      }
      logEnd = Math.max(logEnd, logId + 1);
      trafficOf = withLength(trafficOf, logEnd, NO_LOG);
      sentAtMs = withLength(sentAtMs, logEnd);
      open = withLength(open, logEnd);
      lastExitMs = withLength(lastExitMs, logEnd);
      trafficOf[logId] = trafficId;
      sentAtMs[logId] = atMs;
      open[logId] = send.recipients;
      lastExitMs[logId] = atMs;
      requested += send.recipients;
    },
    campaignFacts(send: SendRequest, atMs: number): CampaignFacts {
      return {
        name: send.trafficName,
        recipients: send.recipients,
        firstSendMs: atMs,
        drainMs: 0,
        inDlq: 0,
        expired: 0,
        longestInDlqMs: 0,
      };
    },
    resulted(logId: number, _userId: number, atMs: number, latency: Trend) {
      const trafficId = trafficIdOf(logId);
      if (trafficId === NO_LOG) return;
      let series = latencySeries[trafficId];
      if (!series) {
        series = latency.series({ campaign: trafficNames[trafficId] as string });
        latencySeries[trafficId] = series;
      }
      series.add((atMs - (sentAtMs[logId] as number)) / 1000);
      done++;
      exit(logId, atMs);
    },
    /** A message outlived its queue's retention: the source queue's, or the DLQ's after a move. */
    expired(body: string, atMs: number) {
      const movedAtMs = deadLetteredAt.get(body);
      deadLetteredAt.delete(body);
      for (const [logId] of unrecorded(body)) {
        expired++;
        const facts = dlqFactsOf(logId);
        if (facts) {
          facts.expired++;
          if (movedAtMs !== undefined)
            facts.longestInDlqMs = Math.max(facts.longestInDlqMs, atMs - movedAtMs);
        }
        if (movedAtMs === undefined) exit(logId, atMs);
      }
    },
    /** A message moved to the DLQ: its recipients without a result are settled there. */
    deadLettered(body: string, atMs: number) {
      deadLetteredAt.set(body, atMs);
      for (const [logId] of unrecorded(body)) exit(logId, atMs);
    },
    /** Whether some recipient of this send has not left the pipeline yet. */
    isOpen: (logId: number) => trafficIdOf(logId) !== NO_LOG && (open[logId] as number) > 0,
    requested: () => requested,
    done: () => done,
    /** Longest time from a send of `trafficName` until its last recipient was settled (sent, failed, dead-lettered or expired from the queue). */
    drainMs(trafficName: string, nowMs: number): number {
      const trafficId = trafficIds.get(trafficName);
      let longest = 0;
      for (let logId = 0; logId < logEnd; logId++) {
        if (trafficOf[logId] !== trafficId) continue;
        const leftMs = (open[logId] as number) > 0 ? nowMs : (lastExitMs[logId] as number);
        longest = Math.max(longest, leftMs - (sentAtMs[logId] as number));
      }
      return longest;
    },
    /** A traffic entry's recipients in the DLQ at the end and expired, and its longest stay in the DLQ; after settle. */
    dlqFacts(trafficName: string): Pick<CampaignFacts, "inDlq" | "expired" | "longestInDlqMs"> {
      const trafficId = trafficIds.get(trafficName);
      return {
        inDlq: 0,
        expired: 0,
        longestInDlqMs: 0,
        ...(trafficId === undefined ? {} : dlqFacts[trafficId]),
      };
    },
    /** The final count at `nowMs`, from the results and the messages left in the queue and its DLQ. */
    settle(
      sourceBodies: Iterable<string>,
      dlqBodies: Iterable<string>,
      nowMs: number,
    ): RunSummary["recipients"] {
      const seen = new Set<number>();
      const countUnique = (bodies: Iterable<string>, inDlq: boolean) => {
        let n = 0;
        for (const body of bodies) {
          const movedAtMs = inDlq ? deadLetteredAt.get(body) : undefined;
          for (const [logId, userId] of unrecorded(body)) {
            const key = logId * 2 ** 26 + userId;
            if (seen.has(key)) continue;
            seen.add(key);
            n++;
            const facts = inDlq ? dlqFactsOf(logId) : null;
            if (!facts) continue;
            facts.inDlq++;
            if (movedAtMs !== undefined)
              facts.longestInDlqMs = Math.max(facts.longestInDlqMs, nowMs - movedAtMs);
          }
        }
        return n;
      };
      const inDlq = countUnique(dlqBodies, true);
      const pending = countUnique(sourceBodies, false);
      const { sent, failed } = deliveries?.results() ?? { sent: 0, failed: 0 };
      const unaccounted = requested - sent - failed - inDlq - pending - expired;
      return { requested, sent, failed, inDlq, pending, expired, unaccounted };
    },
  };
}
