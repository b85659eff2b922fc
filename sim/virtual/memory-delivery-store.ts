import { perRecordBatches } from "../../handler/per-record-batches";
import type { DeliveryStore, FailedAttempt, MalformedMessage, RecipientResult } from "../../handler/ports";
import { withLength } from "./growable";

const NONE = 0;
const SENT = 1;
const FAILED = 2;
const NOT_OPENED = -1;
const INITIAL_CAMPAIGNS = 1024;
/** Packs (logId, chunkId) into one number key: chunk ids stay below 2^24 (167 M recipients). */
const CHUNKS_PER_LOG = 2 ** 24;

export interface MemoryDeliveryStoreOptions {
  phoneOf(userId: number): string | null;
  /** Called once per recipient when its first final result lands (virtual engine metrics). */
  onResult?(logId: number, result: RecipientResult): void;
}

/**
 * The handler's DeliveryStore in memory, for the virtual engine. Campaigns address contiguous user
 * ranges and log ids count up from 1, so a campaign is a row of typed columns indexed by logId and
 * a result is one byte per recipient in one shared array: a month of a million one-recipient
 * campaigns and ten million recipients stays small.
 */
export function createMemoryDeliveryStore(options: MemoryDeliveryStoreOptions) {
  let firstUserIds = new Float64Array(INITIAL_CAMPAIGNS);
  let totals = new Int32Array(INITIAL_CAMPAIGNS).fill(NOT_OPENED);
  let sent = new Int32Array(INITIAL_CAMPAIGNS);
  let failed = new Int32Array(INITIAL_CAMPAIGNS);
  /** Campaign i's recipients occupy statuses[offsets[i], offsets[i] + totals[i]). */
  let offsets = new Float64Array(INITIAL_CAMPAIGNS);
  /** Per recipient: NONE, SENT or FAILED. */
  let statuses = new Uint8Array(INITIAL_CAMPAIGNS);
  let statusCount = 0;
  let campaignEnd = 0;
  const malformed = new Map<string, MalformedMessage>();
  const attempts: FailedAttempt[] = [];
  const attemptsByChunk = new Map<number, number>();

  const totalOf = (logId: number): number =>
    logId >= 0 && logId < campaignEnd ? (totals[logId] as number) : NOT_OPENED;
  /** Where `userId`'s status is, or -1 when the campaign is not open or the user not in it. */
  const slotOf = (logId: number, userId: number): number => {
    const total = totalOf(logId);
    const index = userId - (firstUserIds[logId] as number);
    if (total === NOT_OPENED || index < 0 || index >= total) return -1;
    return (offsets[logId] as number) + index;
  };
  const isOpen = (logId: number) => totalOf(logId) !== NOT_OPENED;
  // A user outside the campaign's range counts as recorded, so the handler skips it.
  const isRecorded = (logId: number, userId: number): boolean => {
    const slot = slotOf(logId, userId);
    return slot < 0 ? isOpen(logId) : statuses[slot] !== NONE;
  };

  const single: Omit<DeliveryStore, "findRecordedBatch" | "recordResultsBatch"> = {
    async findPhones(userIds) {
      const phones = new Map<number, string>();
      for (const id of userIds) {
        const phone = options.phoneOf(id);
        if (phone !== null) phones.set(id, phone);
      }
      return phones;
    },
    async findRecorded(logId, userIds) {
      const recorded = new Set<number>();
      for (const id of userIds) if (isRecorded(logId, id)) recorded.add(id);
      return recorded;
    },
    async recordResults(logId, results) {
      for (const result of results) {
        const slot = slotOf(logId, result.userId);
        if (slot < 0 || statuses[slot] !== NONE) continue;
        if (result.status === "SENT") {
          statuses[slot] = SENT;
          sent[logId] = (sent[logId] as number) + 1;
        } else {
          statuses[slot] = FAILED;
          failed[logId] = (failed[logId] as number) + 1;
        }
        options.onResult?.(logId, result);
      }
    },
    async recordMalformed(message) {
      malformed.set(message.messageId, message);
    },
    async recordAttempts(failed) {
      for (const attempt of failed) {
        attempts.push(attempt);
        if (attempt.logId === null || attempt.chunkId === null) continue;
        const key = attempt.logId * CHUNKS_PER_LOG + attempt.chunkId;
        attemptsByChunk.set(key, (attemptsByChunk.get(key) ?? 0) + 1);
      }
    },
    async countAttempts(chunks) {
      return chunks.map(({ logId, chunkId }) => attemptsByChunk.get(logId * CHUNKS_PER_LOG + chunkId) ?? 0);
    },
  };
  const store: DeliveryStore = { ...single, ...perRecordBatches(single) };

  return {
    store,
    /**
     * Registers a campaign of `total` recipients with user ids firstUserId..firstUserId+total-1.
     * Log ids index arrays: they are small integers, as the engine's count from 1.
     */
    openCampaign(logId: number, firstUserId: number, total: number): void {
      campaignEnd = Math.max(campaignEnd, logId + 1);
      firstUserIds = withLength(firstUserIds, campaignEnd);
      totals = withLength(totals, campaignEnd, NOT_OPENED);
      sent = withLength(sent, campaignEnd);
      failed = withLength(failed, campaignEnd);
      offsets = withLength(offsets, campaignEnd);
      statuses = withLength(statuses, statusCount + total);
      firstUserIds[logId] = firstUserId;
      totals[logId] = total;
      sent[logId] = 0;
      failed[logId] = 0;
      offsets[logId] = statusCount;
      statusCount += total;
    },
    isRecorded,
    /** Final results recorded over all campaigns. */
    results(): { sent: number; failed: number } {
      let sentSum = 0;
      let failedSum = 0;
      for (let logId = 0; logId < campaignEnd; logId++) {
        sentSum += sent[logId] as number;
        failedSum += failed[logId] as number;
      }
      return { sent: sentSum, failed: failedSum };
    },
    malformed: () => [...malformed.values()],
    /** Every failed attempt recorded, oldest first. */
    attempts: (): readonly FailedAttempt[] => attempts,
  };
}

export type MemoryDeliveryStore = ReturnType<typeof createMemoryDeliveryStore>;
