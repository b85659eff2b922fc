import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageQueuePort } from "../../api/ports";
import { seedUsers } from "../../sim/seed/seed-users";
import { consumeUntilDrained } from "./support/in-process-consumer";
import { type PipelineStack, startPipelineStack } from "./support/pipeline-stack";
import { range, sourceQueueReceives, tallyRecipients } from "./support/recipient-tally";

const RECIPIENTS = 90;
const MAX_RECEIVE_COUNT = 3;
/** A v1 body but for one user ID that is not a number. */
const MALFORMED_BODY = JSON.stringify({
  v: 1,
  logId: 1,
  chunkId: 9,
  userIds: [91, "92"],
  content: "Spring sale starts today",
});

/** The producer's queue with one malformed body slipped into its first SendMessageBatch. */
function withMalformedBody(queue: MessageQueuePort): MessageQueuePort {
  let slipped = false;
  return {
    async sendBatch(entries) {
      if (slipped) return queue.sendBatch(entries);
      slipped = true;
      const result = await queue.sendBatch([...entries, { id: "malformed", body: MALFORMED_BODY }]);
      if (result.failedIds.includes("malformed")) throw new Error("the malformed body was not enqueued");
      return result;
    },
  };
}

describe("a malformed body in a batch of valid ones", () => {
  let stack: PipelineStack;
  beforeAll(async () => {
    stack = await startPipelineStack({
      label: "malformed_message",
      overrides: {
        "MessagingQueue.VisibilityTimeout": 2,
        "MessagingLambda.Timeout": 2,
        "MessagingLambda.Environment.Variables.CARRIER_TIMEOUT_MS": "500",
      },
      carrier: { model: { latencyMs: { dist: "fixed", value: 5 } } },
    });
    await seedUsers(stack.db.pool, { count: RECIPIENTS });
  });
  afterAll(() => stack?.stop());

  it("delivers the valid messages once and dead-letters the malformed one after three receives", async () => {
    // Prepare: nine valid chunks of ten and the malformed body, enqueued in one SendMessageBatch.
    const campaign = await stack.enqueue(
      { requestedBy: "e2e", content: "Spring sale starts today", userIds: range(1, RECIPIENTS) },
      withMalformedBody,
    );

    // Act
    const { invocations } = await consumeUntilDrained(stack, { timeoutMs: 60_000 });

    // Assess
    // The first batch held all ten and was answered partially: its valid records were deleted
    // although one record failed. (On a loaded machine the time guard may also hand back a few
    // valid records unstarted; they come back and are sent once, as the carrier counts below show.)
    expect(invocations[0]).toMatchObject({ records: 10, result: "partial" });
    expect(invocations[0]?.deleted).toBeGreaterThan(0);
    const results = await stack.results(campaign.logId);
    const dlq = await stack.drainDlq();
    expect(dlq.map((m) => ({ body: m.body, receives: sourceQueueReceives(m) }))).toEqual([
      { body: MALFORMED_BODY, receives: MAX_RECEIVE_COUNT },
    ]);
    const tally = tallyRecipients(campaign.logId, range(1, RECIPIENTS), results, dlq);
    expect(tally).toMatchObject({ missing: [], duplicated: [], unexpected: [] });
    expect(results.filter((r) => r.status !== "SENT")).toEqual([]);

    const stats = await stack.carrierStats();
    expect(stats).toMatchObject({
      requests: RECIPIENTS / 10,
      recipientsAccepted: RECIPIENTS,
      duplicateDeliveriesByContent: 0,
      badRequests: 0,
    });
    const [malformed] = await stack.db.pool.query<RowDataPacket[]>(
      "SELECT message_id, body, error, receive_count FROM malformed_message",
    );
    expect(malformed).toEqual([
      {
        message_id: dlq[0]?.messageId,
        body: MALFORMED_BODY,
        error: expect.stringContaining("body.userIds.1"),
        receive_count: MAX_RECEIVE_COUNT,
      },
    ]);
  }, 180_000);
});
