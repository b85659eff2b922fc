import { describe, expect, it } from "vitest";
import type { RecipientResult } from "../../../handler/ports";
import { createMemoryDeliveryStore } from "../memory-delivery-store";

function result(userId: number, status: RecipientResult["status"] = "SENT"): RecipientResult {
  return { userId, phone: "01000000000", status, carrierMessageId: null, errorCode: null, attempts: 1 };
}

function deliveryStore() {
  const resulted: [number, number][] = [];
  const deliveries = createMemoryDeliveryStore({
    phoneOf: () => "01000000000",
    onResult: (logId, r) => resulted.push([logId, r.userId]),
  });
  return { deliveries, resulted };
}

describe("memory delivery store", () => {
  it("keeps each campaign's results apart across thousands of one-recipient campaigns", async () => {
    // Prepare: 3,000 campaigns of one recipient (past the columns' first growth) and one of 5,000
    const { deliveries, resulted } = deliveryStore();
    for (let logId = 1; logId <= 3000; logId++) deliveries.openCampaign(logId, logId, 1);
    deliveries.openCampaign(3001, 100, 5000);

    // Act: every odd one-recipient campaign sent, the big one's first half failed, one result twice
    for (let logId = 1; logId <= 3000; logId += 2)
      await deliveries.store.recordResults(logId, [result(logId)]);
    const firstHalf = Array.from({ length: 2500 }, (_, i) => result(100 + i, "FAILED"));
    await deliveries.store.recordResults(3001, firstHalf);
    await deliveries.store.recordResults(3001, [result(100)]);

    // Assess
    expect(deliveries.results()).toEqual({ sent: 1500, failed: 2500 });
    expect(resulted).toHaveLength(4000);
    expect(deliveries.isRecorded(1, 1)).toBe(true);
    expect(deliveries.isRecorded(2, 2)).toBe(false);
    expect(deliveries.isRecorded(3001, 2599)).toBe(true);
    expect(deliveries.isRecorded(3001, 2600)).toBe(false);
    expect([...(await deliveries.store.findRecorded(3001, [2599, 2600, 5099]))]).toEqual([2599]);
  });

  it("counts users outside a campaign's range as recorded and knows nothing of unopened campaigns", async () => {
    // Prepare
    const { deliveries, resulted } = deliveryStore();
    deliveries.openCampaign(1, 10, 3);

    // Act
    await deliveries.store.recordResults(1, [result(9), result(13)]);
    await deliveries.store.recordResults(2, [result(10)]);
    const recordedOutside = await deliveries.store.findRecorded(1, [9, 10, 13]);
    const recordedUnopened = await deliveries.store.findRecorded(2, [10]);

    // Assess
    expect(resulted).toEqual([]);
    expect([...recordedOutside]).toEqual([9, 13]);
    expect(recordedUnopened.size).toBe(0);
    expect(deliveries.isRecorded(2, 10)).toBe(false);
  });

  it("counts failed attempts per chunk and keeps them in order", async () => {
    // Prepare
    const { deliveries } = deliveryStore();
    const attempt = (logId: number | null, chunkId: number | null) => ({
      logId,
      chunkId,
      messageId: "m",
      receiveCount: 1,
      code: "CARRIER_TIMEOUT",
      detail: "carrier TIMEOUT",
    });
    // Act
    await deliveries.store.recordAttempts([attempt(1, 0), attempt(1, 1), attempt(null, null)]);
    await deliveries.store.recordAttempts([attempt(1, 0), attempt(2, 0)]);
    // Assess
    expect(
      await deliveries.store.countAttempts([
        { logId: 2, chunkId: 1 },
        { logId: 1, chunkId: 0 },
        { logId: 2, chunkId: 0 },
      ]),
    ).toEqual([0, 2, 1]);
    expect(deliveries.attempts()).toHaveLength(5);
  });
});
