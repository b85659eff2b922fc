import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../../domain/clock";
import { createTestDatabase, type TestDatabase } from "../../../test/support/test-database";
import { createCampaignQueries } from "../campaign-queries";
import { eventually, seedCampaignWithFailures } from "./admin-harness";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase("campaign_queries");
});

afterAll(async () => {
  await db?.drop();
});

function manualClock(start: number): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async () => {},
    advance: (ms) => {
      now += ms;
    },
  };
}

async function addFailure(logId: number, userId: number, errorCode: string): Promise<void> {
  await db.pool.execute(
    `INSERT INTO messaging_result (log_id, user_id, phone, status, error_code, attempts, updated_at)
     VALUES (?, ?, '01000000000', 'FAILED', ?, 3, NOW(3))`,
    [logId, userId, errorCode],
  );
  await db.pool.execute("UPDATE messaging_log SET failed_count = failed_count + 1 WHERE id = ?", [logId]);
}

describe("campaign detail while failures grow", () => {
  it("reads counters fresh but recounts failure reasons at most once per refresh interval", async () => {
    // Prepare
    const logId = await seedCampaignWithFailures(db.pool, [
      { userId: 1, errorCode: "REJECTED" },
      { userId: 2, errorCode: "INVALID_NUMBER" },
    ]);
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const queries = createCampaignQueries(db.pool, { clock, failureReasonsRefreshMs: 1000 });
    const first = await queries.get(logId);
    await addFailure(logId, 3, "REJECTED");
    // Act
    clock.advance(500);
    const withinInterval = await queries.get(logId);
    clock.advance(500);
    await queries.get(logId);
    const recounted = await eventually(
      () => queries.get(logId),
      (d) => d?.failureReasons[0]?.count === 2,
      "failure reasons recounted",
    );
    // Assess
    expect(first?.failureReasonsAsOf).toBe("2026-01-01T00:00:00.000Z");
    expect(withinInterval?.failedCount).toBe(3);
    expect(withinInterval?.failureReasons).toEqual(first?.failureReasons);
    expect(withinInterval?.failureReasonsAsOf).toBe("2026-01-01T00:00:00.000Z");
    expect(recounted?.failureReasons).toEqual([
      { errorCode: "REJECTED", count: 2 },
      { errorCode: "INVALID_NUMBER", count: 1 },
    ]);
    expect(recounted?.failureReasonsAsOf).toBe("2026-01-01T00:00:01.000Z");
  });

  it("recounts on every read with a zero interval, and skips the count without failures", async () => {
    // Prepare
    const logId = await seedCampaignWithFailures(db.pool, [{ userId: 1, errorCode: "REJECTED" }]);
    const clean = await seedCampaignWithFailures(db.pool, [], 5);
    const queries = createCampaignQueries(db.pool, { failureReasonsRefreshMs: 0 });
    await queries.get(logId);
    await addFailure(logId, 2, "TIMEOUT");
    // Act
    const detail = await queries.get(logId);
    const none = await queries.get(clean);
    // Assess
    expect(detail?.failureReasons).toEqual([
      { errorCode: "REJECTED", count: 1 },
      { errorCode: "TIMEOUT", count: 1 },
    ]);
    expect(none).toMatchObject({ failureReasons: [], failureReasonsAsOf: null, sentCount: 5 });
  });
});
