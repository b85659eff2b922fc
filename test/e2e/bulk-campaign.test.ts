import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedUsers } from "../../sim/seed/seed-users";
import { consumeUntilDrained } from "./support/in-process-consumer";
import { type PipelineStack, startPipelineStack } from "./support/pipeline-stack";
import { invalidNumberUsers, range, sourceQueueReceives, tallyRecipients } from "./support/recipient-tally";

const RECIPIENTS = 20_000;
const INVALID_NUMBER_RATE = 0.03;
const TRANSIENT_FAILURE_RATE = 0.1;
/**
 * Five pollers with 5 ms carrier latency offer about 300 requests a second (measured on a loaded
 * 2-core machine): 100 is a third of demand. Drain time: delivering every message takes about
 * 2,000 / 0.9 = 2,222 requests through the limiter (transient failures come after it), 22 s at
 * 100 a second, plus up to two 3 s visibility timeouts of redelivery at the end: under 30 s. Each
 * 429 defers the rest of its batch, spending up to 10 receives on one request, so part of the
 * campaign runs out of its 3 receives and ends in the DLQ instead, which shortens the drain
 * (about 20 s measured, with a third of the messages dead-lettered). That is the trap the
 * template's maxReceiveCount of 3 sets when the carrier's limit is below demand.
 */
const CARRIER_REQUESTS_PER_SECOND = 100;
const MAX_RECEIVE_COUNT = 3;

describe("a 20,000-recipient campaign through a rate-limited, flaky carrier", () => {
  let stack: PipelineStack;
  beforeAll(async () => {
    stack = await startPipelineStack({
      label: "bulk_campaign",
      overrides: {
        "MessagingQueue.VisibilityTimeout": 3,
        "MessagingLambda.Timeout": 3,
        // The time budget needs the carrier timeout plus a 1 s margin left before each call.
        "MessagingLambda.Environment.Variables.CARRIER_TIMEOUT_MS": "1000",
      },
      carrier: {
        model: {
          rateLimit: { requestsPerSecond: CARRIER_REQUESTS_PER_SECOND },
          transientFailureRate: TRANSIENT_FAILURE_RATE,
          latencyMs: { dist: "fixed", value: 5 },
        },
        seed: 20_000,
      },
    });
    await seedUsers(stack.db.pool, { count: RECIPIENTS, invalidRate: INVALID_NUMBER_RATE, seed: 20_000 });
  });
  afterAll(() => stack?.stop());

  it("ends every recipient exactly once as SENT, FAILED or in a DLQ message, and never sends twice", async () => {
    // Prepare
    expect(stack.mq.config.queue.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
    const invalid = await invalidNumberUsers(stack.db.pool);
    const campaign = await stack.enqueue({
      requestedBy: "e2e",
      content: "Spring sale starts today",
      audience: { kind: "range", from: 1, to: RECIPIENTS },
    });

    // Act
    await consumeUntilDrained(stack, { timeoutMs: 150_000 });

    // Assess
    const results = await stack.results(campaign.logId);
    const dlq = await stack.drainDlq();
    const tally = tallyRecipients(campaign.logId, range(1, RECIPIENTS), results, dlq);
    expect(campaign.queuedCount).toBe(RECIPIENTS);
    expect(tally).toMatchObject({ missing: [], duplicated: [], unexpected: [], unreadable: [] });
    expect(dlq.length).toBeGreaterThan(0);
    expect(dlq.filter((m) => sourceQueueReceives(m) !== MAX_RECEIVE_COUNT)).toEqual([]);

    const failed = results.filter((r) => r.status === "FAILED");
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.filter((r) => r.errorCode !== "INVALID_NUMBER" || !invalid.has(r.userId))).toEqual([]);
    const failedIds = new Set(failed.map((r) => r.userId));
    expect([...invalid].filter((id) => !failedIds.has(id) && !tally.inDlq.has(id))).toEqual([]);

    const stats = await stack.carrierStats();
    const sent = results.length - failed.length;
    expect(stats.duplicateDeliveriesByContent).toBe(0);
    // Every SENT row was delivered; nobody outside SENT and the DLQ was.
    expect(stats.recipientsAccepted).toBeGreaterThanOrEqual(sent);
    expect(stats.recipientsAccepted).toBeLessThanOrEqual(sent + tally.inDlq.size);
    expect(stats.maxAcceptedRequestsPerSecond).toBeLessThanOrEqual(CARRIER_REQUESTS_PER_SECOND);
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.transientErrors).toBeGreaterThan(0);

    const [logs] = await stack.db.pool.query<RowDataPacket[]>(
      "SELECT total_count, sent_count, failed_count FROM messaging_log WHERE id = ?",
      [campaign.logId],
    );
    expect(logs[0]).toEqual({ total_count: RECIPIENTS, sent_count: sent, failed_count: failed.length });
    expect(await stack.depth(stack.mq.queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  }, 180_000);
});
