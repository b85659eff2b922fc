import type { DeliveryStore, MalformedMessage, RecipientResult } from "../../handler/ports";

const NONE = 0;
const SENT = 1;
const FAILED = 2;

export interface CampaignLedger {
  logId: number;
  firstUserId: number;
  total: number;
  sent: number;
  failed: number;
  /** Per recipient, by userId - firstUserId: NONE, SENT or FAILED. */
  status: Uint8Array;
}

export interface MemoryDeliveryStoreOptions {
  phoneOf(userId: number): string | null;
  /** Called once per recipient when its first final result lands (virtual engine metrics). */
  onResult?(logId: number, result: RecipientResult): void;
}

/**
 * The handler's DeliveryStore in memory, for the virtual engine. Campaigns address contiguous user
 * ranges, so a result is one byte per recipient and a 10,000,000-recipient month stays small.
 */
export function createMemoryDeliveryStore(options: MemoryDeliveryStoreOptions) {
  const campaigns = new Map<number, CampaignLedger>();
  const malformed = new Map<string, MalformedMessage>();

  const store: DeliveryStore = {
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
      const campaign = campaigns.get(logId);
      if (!campaign) return recorded;
      for (const id of userIds) {
        if (campaign.status[id - campaign.firstUserId] !== NONE) recorded.add(id);
      }
      return recorded;
    },
    async recordResults(logId, results) {
      const campaign = campaigns.get(logId);
      if (!campaign) return;
      for (const result of results) {
        const index = result.userId - campaign.firstUserId;
        if (campaign.status[index] !== NONE) continue;
        campaign.status[index] = result.status === "SENT" ? SENT : FAILED;
        if (result.status === "SENT") campaign.sent++;
        else campaign.failed++;
        options.onResult?.(logId, result);
      }
    },
    async recordMalformed(message) {
      malformed.set(message.messageId, message);
    },
  };

  return {
    store,
    /** Registers a campaign of `total` recipients with user ids firstUserId..firstUserId+total-1. */
    openCampaign(logId: number, firstUserId: number, total: number): CampaignLedger {
      const campaign = { logId, firstUserId, total, sent: 0, failed: 0, status: new Uint8Array(total) };
      campaigns.set(logId, campaign);
      return campaign;
    },
    isRecorded(logId: number, userId: number): boolean {
      const campaign = campaigns.get(logId);
      return campaign !== undefined && campaign.status[userId - campaign.firstUserId] !== NONE;
    },
    campaigns: () => [...campaigns.values()],
    malformed: () => [...malformed.values()],
  };
}

export type MemoryDeliveryStore = ReturnType<typeof createMemoryDeliveryStore>;
