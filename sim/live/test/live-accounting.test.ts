import { describe, expect, it } from "vitest";
import { encodeMessageBody } from "../../../domain/message-body";
import { createMetricRegistry } from "../../thresholds/metric-registry";
import { type LiveAccountingInput, settleLiveRun } from "../live-accounting";
import type { ResultRow } from "../run-database";

/** The body of campaign 1's chunk `chunkId`: users 10 x chunkId + 1 .. 10 x chunkId + 10. */
function chunk(chunkId: number): string {
  const userIds = Array.from({ length: 10 }, (_, i) => chunkId * 10 + i + 1);
  return encodeMessageBody({ v: 1, logId: 1, chunkId, userIds, content: "sale" });
}

function results(status: ResultRow["status"], userIds: number[], atMs: number): ResultRow[] {
  return userIds.map((userId) => ({ logId: 1, userId, status, atMs }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Campaign 1 (30 recipients, sent at 0): chunk 0 all SENT at 10 s; chunk 1 half FAILED at 12 s,
 * the rest dead-lettered when it came back visible at 40 s; chunk 2 never deleted.
 */
function run(patch: Partial<LiveAccountingInput> = {}): LiveAccountingInput {
  const deleted = new Set([chunk(0), chunk(1)]);
  return {
    campaigns: [{ logId: 1, trafficName: "sale", recipients: 30 }],
    logs: [{ logId: 1, requestedAtMs: 0 }],
    results: [...results("SENT", range(1, 10), 10_000), ...results("FAILED", range(11, 15), 12_000)],
    dlqBodies: [chunk(1)],
    sentBodies: new Map([0, 1, 2].map((id) => [chunk(id), 0])),
    isDeleted: (body) => deleted.has(body) && body !== chunk(1),
    visibleAgainAt: (body) => (body === chunk(1) ? 40_000 : 90_000),
    retentionMs: 345_600_000,
    endMs: 100_000,
    latency: createMetricRegistry().trend("delivery_latency_seconds"),
    ...patch,
  };
}

describe("settleLiveRun", () => {
  it("places every recipient: results, the DLQ, and messages still on the queue", () => {
    // Prepare
    const input = run();
    // Act
    const { recipients, campaigns } = settleLiveRun(input);
    // Assess
    expect(recipients).toEqual({
      requested: 30,
      sent: 10,
      failed: 5,
      inDlq: 5,
      pending: 10,
      expired: 0,
      unaccounted: 0,
    });
    // Chunk 1 was dead-lettered at 40 s and sat in the DLQ until the end, 100 s.
    expect(campaigns).toEqual([
      {
        name: "sale",
        recipients: 30,
        firstSendMs: 0,
        drainMs: 100_000,
        inDlq: 5,
        expired: 0,
        longestInDlqMs: 60_000,
      },
    ]);
  });

  it("drains a campaign when its last recipient got a result, was dead-lettered or expired", () => {
    // Prepare: chunk 2's message outlived a 50 s retention
    const input = run({ retentionMs: 50_000 });
    // Act
    const { recipients, campaigns } = settleLiveRun(input);
    // Assess
    expect(recipients).toMatchObject({ pending: 0, expired: 10, unaccounted: 0 });
    expect(campaigns[0]).toMatchObject({ drainMs: 50_000, expired: 10, inDlq: 5 });
  });

  it("counts a recipient no source knows of as unaccounted", () => {
    // Prepare: chunk 0 deleted, but user 10's result never written
    const input = run({
      results: [...results("SENT", range(1, 9), 10_000), ...results("FAILED", range(11, 15), 12_000)],
    });
    // Act
    const { recipients } = settleLiveRun(input);
    // Assess
    expect(recipients).toMatchObject({ sent: 9, unaccounted: 1 });
  });

  it("records each result's latency from its campaign's send", () => {
    // Prepare
    const metrics = createMetricRegistry();
    const input = run({ latency: metrics.trend("delivery_latency_seconds") });
    // Act
    settleLiveRun(input);
    // Assess
    const view = metrics.view("delivery_latency_seconds", { campaign: "sale" });
    expect(view?.kind === "trend" && view.trend.count).toBe(15);
    expect(view?.kind === "trend" && view.trend.max).toBe(12);
  });
});
