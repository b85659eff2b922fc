import type { DeliveryStore } from "../../handler/ports";
import type { VirtualClock } from "./scheduler";

/**
 * The handler's DeliveryStore with each call answering `queryMs` of virtual time later: what a
 * query to the database costs (the scenario's stack.storeQueryMs), which the in-memory store makes
 * instant. 0 returns the store itself.
 */
export function withQueryCost(store: DeliveryStore, clock: VirtualClock, queryMs: number): DeliveryStore {
  if (queryMs === 0) return store;
  const later = <T>(result: Promise<T>): Promise<T> =>
    result.then((value) => new Promise<T>((resolve) => clock.after(queryMs, () => resolve(value))));
  return {
    findPhones: (userIds) => later(store.findPhones(userIds)),
    findRecorded: (logId, userIds) => later(store.findRecorded(logId, userIds)),
    recordResults: (logId, results) => later(store.recordResults(logId, results)),
    recordMalformed: (message) => later(store.recordMalformed(message)),
    findRecordedBatch: (chunks) => later(store.findRecordedBatch(chunks)),
    recordResultsBatch: (batches) => later(store.recordResultsBatch(batches)),
    recordAttempts: (attempts) => later(store.recordAttempts(attempts)),
    countAttempts: (chunks) => later(store.countAttempts(chunks)),
  };
}
