import { idOf, logIdOf, packRecipientRef } from "./handler-ids";
import { createIdSet, type IdSet } from "./id-set";

/**
 * Remembers every (ref, content) pair the carrier accepted, so a second acceptance (a duplicate
 * SMS on someone's phone) can be counted. The handler's refs go into compact id sets per
 * campaign; any other ref falls back to a Set of strings.
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
  byLogId: Map<number, IdSet>;
  otherRefs: Set<string> | null;
}

export function createDeliveryLedger(): DeliveryLedger {
  const contentIds = new Map<string, number>();
  const deliveries: ContentDeliveries[] = [];
  // A request's refs share one campaign: remember its set to skip two map lookups per recipient.
  let lastContentId = -1;
  let lastLogId = -1;
  let lastUsers: IdSet | undefined;

  return {
    contentId(content) {
      let id = contentIds.get(content);
      if (id === undefined) {
        id = deliveries.length;
        contentIds.set(content, id);
        deliveries.push({ byLogId: new Map(), otherRefs: null });
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
      const logId = logIdOf(packedRef);
      let users =
        contentId === lastContentId && logId === lastLogId ? lastUsers : forContent.byLogId.get(logId);
      if (users === undefined) {
        users = createIdSet();
        forContent.byLogId.set(logId, users);
      }
      lastContentId = contentId;
      lastLogId = logId;
      lastUsers = users;
      return !users.add(idOf(packedRef));
    },
  };
}
