import type { DeliveryStore } from "./ports";

/**
 * A store's batch methods made of its per-record ones, one call per chunk: for stores in memory,
 * where a round trip costs nothing. (Not atomic across chunks: an in-memory write does not fail.)
 */
export function perRecordBatches(
  store: Pick<DeliveryStore, "findRecorded" | "recordResults">,
): Pick<DeliveryStore, "findRecordedBatch" | "recordResultsBatch"> {
  return {
    async findRecordedBatch(chunks) {
      const recorded = new Map<number, Set<number>>();
      for (const { logId, userIds } of chunks) {
        const found = await store.findRecorded(logId, userIds);
        const known = recorded.get(logId);
        if (known === undefined) recorded.set(logId, found);
        else for (const id of found) known.add(id);
      }
      return recorded;
    },
    async recordResultsBatch(batches) {
      for (const { logId, results } of batches) await store.recordResults(logId, results);
    },
  };
}
