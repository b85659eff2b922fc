import { packRecipientRef } from "./handler-ids";
import { createIdSet, type IdSet } from "./id-set";

/**
 * Remembers every (ref, content) pair the carrier accepted, so a second acceptance (a duplicate
 * SMS on someone's phone) can be counted. The handler's refs go into one compact id set per
 * content; any other ref falls back to a Set of strings.
 */
export interface DeliveryLedger {
  /** A small integer standing for `content`, so the ledger does not hold every message text. */
  contentId(content: string): number;
  /**
   * Records an accepted delivery; true when the same pair was accepted before. `packedRef` is
   * `packRecipientRef(ref)`, for callers that have already computed it.
   */
  recordAccepted(contentId: number, ref: string, packedRef?: number): boolean;
}

interface ContentDeliveries {
  packedRefs: IdSet;
  otherRefs: Set<string> | null;
}

export function createDeliveryLedger(): DeliveryLedger {
  const contentIds = new Map<string, number>();
  const deliveries: ContentDeliveries[] = [];

  return {
    contentId(content) {
      let id = contentIds.get(content);
      if (id === undefined) {
        id = deliveries.length;
        contentIds.set(content, id);
        deliveries.push({ packedRefs: createIdSet(), otherRefs: null });
      }
      return id;
    },
    recordAccepted(contentId, ref, packedRef = packRecipientRef(ref)) {
      const forContent = deliveries[contentId] as ContentDeliveries;
      if (packedRef < 0) {
        forContent.otherRefs ??= new Set();
        const before = forContent.otherRefs.size;
        return forContent.otherRefs.add(ref).size === before;
      }
      return !forContent.packedRefs.add(packedRef);
    },
  };
}
