import { type Clock, systemClock } from "../../domain/clock";
import type { DlqDepth, DlqMessage, DlqService } from "./dlq-service";
import { oneAtATime } from "./one-at-a-time";

/** A DLQ message as the console shows it: the body's routing fields and why it failed. */
export interface DlqEntry extends DlqMessage {
  /** The last failed delivery's code and words, from the handler's attempt rows; null if none. */
  errorCode: string | null;
  errorDetail: string | null;
  /** The receive count it entered the DLQ with (not the count our own reads add to). */
  receiveCountAtMove: number | null;
  /**
   * When SQS moved it, at the earliest: the last failure plus the source queue's visibility
   * timeout (SQS moves it on the first receive after that). Null without attempt rows.
   */
  movedAt: string | null;
}

export interface DlqSnapshot {
  entries: DlqEntry[];
  depth: DlqDepth;
  /** When the DLQ was last read through. */
  scannedAt: string;
  /** False when the DLQ held more than one read keeps. */
  complete: boolean;
}

/**
 * The whole DLQ, read once and kept: pages, filters and counts come from this snapshot, so
 * refreshing the console re-reads only the queue's depth (GetQueueAttributes, not a receive)
 * and reads the messages again only when the depth changes, the snapshot ages, or after an
 * action. Reading a queue through is the only way past ReceiveMessage's sample, and every read
 * is a receive that real SQS counts; the counts shown are the attempt rows', which reads do not
 * change.
 */
export interface DlqIndex {
  /** The kept snapshot, or a new one when the depth changed, it aged past maxAgeMs, or `fresh`. */
  snapshot(fresh?: boolean): Promise<DlqSnapshot>;
  /** The next snapshot reads the queue again (after a redrive or purge). */
  invalidate(): void;
}

export interface DlqIndexOptions {
  dlq: Pick<DlqService, "depth" | "readAll" | "sourceVisibilityTimeoutMs">;
  clock?: Clock;
  /** A snapshot older than this is read again even at the same depth (one in, one out); default 60 s. */
  maxAgeMs?: number;
  /** Least time between two reads for a depth change alone (a draining DLQ changes by the second); default 5 s. */
  minIntervalMs?: number;
  /**
   * How long a depth reading is reused: every campaign page and history refresh asks for the
   * snapshot, and many open consoles should cost SQS one GetQueueAttributes a second, not one each;
   * default 1 s.
   */
  depthTtlMs?: number;
}

export function createDlqIndex(options: DlqIndexOptions): DlqIndex {
  const { dlq } = options;
  const clock = options.clock ?? systemClock;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const minIntervalMs = options.minIntervalMs ?? 5000;
  const depthTtlMs = options.depthTtlMs ?? 1000;
  let depthReadAtMs = Number.NEGATIVE_INFINITY;
  let current: DlqSnapshot | null = null;
  let scannedAtMs = 0;
  let stale = true;
  // One snapshot at a time: callers waiting meanwhile get the fresh one instead of reading again.
  const exclusive = oneAtATime();

  async function scan(depth: DlqDepth): Promise<DlqSnapshot> {
    const [{ messages, complete }, visibilityMs] = await Promise.all([
      dlq.readAll(),
      dlq.sourceVisibilityTimeoutMs(),
    ]);
    const entries = messages.map((m) => entryOf(m, visibilityMs)).sort(byCampaign);
    return { entries, depth, scannedAt: new Date(clock.now()).toISOString(), complete };
  }

  return {
    snapshot: (fresh = false) =>
      exclusive(async () => {
        if (current && !fresh && !stale && clock.now() - depthReadAtMs < depthTtlMs) return current;
        const depth = await dlq.depth();
        depthReadAtMs = clock.now();
        const total = depth.visible + depth.inFlight + depth.delayed;
        const age = clock.now() - scannedAtMs;
        if (current && !fresh && !stale && age <= maxAgeMs) {
          const changed = total !== current.entries.length || !current.complete;
          if (!changed || age < minIntervalMs) {
            current = { ...current, depth };
            return current;
          }
        }
        current = await scan(depth);
        scannedAtMs = clock.now();
        stale = false;
        return current;
      }),

    invalidate() {
      stale = true;
    },
  };
}

export interface DlqFilter {
  logId?: number;
  errorCode?: string;
}

export function matches(m: DlqEntry, filter: DlqFilter): boolean {
  if (filter.logId !== undefined && m.logId !== filter.logId) return false;
  if (filter.errorCode !== undefined && m.errorCode !== filter.errorCode) return false;
  return true;
}

function entryOf(m: DlqMessage, visibilityMs: number): DlqEntry {
  const last = m.failures.at(-1);
  return {
    ...m,
    errorCode: last?.code ?? null,
    errorDetail: last?.detail ?? null,
    receiveCountAtMove: last ? Math.max(...m.failures.map((f) => f.receiveCount)) : null,
    movedAt: last ? new Date(new Date(last.at).getTime() + visibilityMs).toISOString() : null,
  };
}

/** Newest campaign first, then chunk order: the same order on every read. */
function byCampaign(a: DlqEntry, b: DlqEntry): number {
  return (
    (b.logId ?? 0) - (a.logId ?? 0) ||
    (a.chunkId ?? 0) - (b.chunkId ?? 0) ||
    a.messageId.localeCompare(b.messageId)
  );
}
