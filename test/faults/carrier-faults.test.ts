import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaignQueries } from "../../api/admin/campaign-queries";
import { parseMessageBody } from "../../domain/message-body";
import { type PipelineStack, startPipelineStack } from "../e2e/support/pipeline-stack";
import {
  attemptCodes,
  drainThroughFault,
  expectEveryAccountedFor,
  FAULTY_CARRIER,
  FAULTY_CARRIER_OVERRIDES,
} from "./support/fault-campaign";

describe("a carrier that resets connections, fails and drops answers after accepting", () => {
  let stack: PipelineStack;

  beforeAll(async () => {
    stack = await startPipelineStack({
      label: "fault_carrier",
      overrides: FAULTY_CARRIER_OVERRIDES,
      carrier: { model: FAULTY_CARRIER, seed: 10 },
    });
  });
  afterAll(() => stack?.stop());

  it("loses no recipient, delivers none twice and records why every attempt failed", async () => {
    // Prepare, Act: 3 % each of resets, 500/503s and answers lost after delivery (1 s client timeout)
    const { esm, account } = await drainThroughFault(stack, "carrier-faults");

    // Assess: every fault happened, and each lost answer was replayed under its key
    const { carrier } = account;
    expect(carrier).toMatchObject({ duplicateDeliveriesByContent: 0 });
    expect(carrier.resets).toBeGreaterThan(0);
    expect(carrier.transientErrors).toBeGreaterThan(0);
    expect(carrier.timeouts).toBeGreaterThan(0);
    expect(carrier.duplicateDeliveriesByKey).toBeGreaterThan(0);
    expectEveryAccountedFor(account);
    expect(account.results.every((r) => r.status === "SENT")).toBe(true);

    // ...and every record that failed left a row saying why, which outlives its trip to the DLQ
    const codes = await attemptCodes(stack, account.logId);
    expect(Object.values(codes).reduce((a, b) => a + b, 0)).toBe(esm.recordsFailed);
    expect(Object.keys(codes).sort()).toEqual(
      expect.arrayContaining(["CARRIER_CONNECTION", "CARRIER_TIMEOUT"]),
    );
    const detail = await createCampaignQueries(stack.db.pool).get(account.logId);
    expect(detail?.failedAttempts.total).toBe(esm.recordsFailed);
    expect(detail?.failedAttempts.byCode).toContainEqual(
      expect.objectContaining({
        code: expect.stringMatching(/^CARRIER_HTTP_50[03]$/),
        lastDetail: expect.stringMatching(/HTTP 50[03]: (INTERNAL_ERROR|SERVICE_UNAVAILABLE): /),
      }),
    );
    for (const message of account.dlq) {
      const { logId, chunkId } = parseMessageBody(message.body);
      const [rows] = await stack.db.pool.query<RowDataPacket[]>(
        "SELECT code, detail FROM delivery_attempt WHERE log_id = ? AND chunk_id = ?",
        [logId, chunkId],
      );
      expect(rows.length).toBeGreaterThanOrEqual(3);
    }
  }, 240_000);
});
