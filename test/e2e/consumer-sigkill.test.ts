import type { FastifyRequest } from "fastify";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BULK_SEND_PATH, IDEMPOTENCY_HEADER } from "../../handler/carrier/carrier-api";
import { seedUsers } from "../../sim/seed/seed-users";
import { type PipelineStack, startPipelineStack } from "./support/pipeline-stack";
import { range, tallyRecipients } from "./support/recipient-tally";
import { type SmsimProcess, spawnSmsim } from "./support/smsim-process";

const RECIPIENTS = 3_000;
/** A third of the campaign's 300 requests: results are recorded, most messages still queued. */
const KILL_AT_RESPONSE = 100;
const CONSUME = ["consume", "--until-drained", "--timeout", "120"];

describe("the consumer killed with SIGKILL mid-batch and restarted", () => {
  let stack: PipelineStack;
  let first: SmsimProcess | undefined;
  let second: SmsimProcess | undefined;
  let onCarrierAnswer: ((request: FastifyRequest) => Promise<void>) | undefined;

  beforeAll(async () => {
    stack = await startPipelineStack({
      label: "consumer_sigkill",
      // `smsim consume` reads the template as it is, so its function Timeout is 20 s: the queue's
      // visibility timeout must not be shorter. Messages the killed consumer held come back after it.
      overrides: { "MessagingQueue.VisibilityTimeout": 20 },
      carrier: {
        model: { latencyMs: { dist: "fixed", value: 20 } },
        beforeListen: (app) =>
          app.addHook("onSend", async (request, reply, payload) => {
            if (request.url === BULK_SEND_PATH && reply.statusCode === 200) await onCarrierAnswer?.(request);
            return payload;
          }),
      },
    });
    await seedUsers(stack.db.pool, { count: RECIPIENTS });
  });
  afterAll(async () => {
    await Promise.all([first?.kill(), second?.kill()]);
    await stack?.stop();
  });

  it("loses nothing and delivers nothing twice", async () => {
    // Prepare: the carrier kills the consumer while holding the answer to a request it has delivered.
    const campaign = await stack.enqueue({
      requestedBy: "e2e",
      content: "Spring sale starts today",
      audience: { kind: "range", from: 1, to: RECIPIENTS },
    });
    let answers = 0;
    let killedKey: string | undefined;
    onCarrierAnswer = async (request) => {
      if (++answers !== KILL_AT_RESPONSE) return;
      killedKey = String(request.headers[IDEMPOTENCY_HEADER]);
      await first?.kill();
    };

    // Act
    first = spawnSmsim(stack, CONSUME);
    const firstExit = await first.exited;
    const recordedAtKill = (await stack.results(campaign.logId)).length;
    const queueAtKill = await stack.depth(stack.mq.queueUrl);
    const restartedAt = Date.now();
    second = spawnSmsim(stack, CONSUME);
    const secondExit = await second.exited;

    // Assess
    expect(firstExit, first.stderr()).toEqual({ code: null, signal: "SIGKILL" });
    expect(recordedAtKill).toBeGreaterThan(0);
    expect(recordedAtKill).toBeLessThan(RECIPIENTS);
    expect(queueAtKill.inFlight).toBeGreaterThan(0);
    expect(secondExit, second.stderr()).toEqual({ code: 0, signal: null });
    const consumed = JSON.parse(second.stdout()) as { stopReason: string; recordsReceived: number };
    expect(consumed.stopReason).toBe("drained");

    const results = await stack.results(campaign.logId);
    const dlq = await stack.drainDlq();
    expect(dlq).toEqual([]);
    expect(tallyRecipients(campaign.logId, range(1, RECIPIENTS), results, dlq)).toMatchObject({
      missing: [],
      duplicated: [],
      unexpected: [],
    });
    expect(results.filter((r) => r.status !== "SENT")).toEqual([]);

    const stats = await stack.carrierStats();
    expect(stats).toMatchObject({ duplicateDeliveriesByContent: 0, recipientsAccepted: RECIPIENTS });
    const requests = await stack.carrierRequests();
    expect(requests).toHaveLength(stats.requests);
    const afterRestart = requests.filter((r) => r.atMs >= restartedAt);
    // The request whose answer died with the first consumer is replayed, not delivered again...
    expect(afterRestart.filter((r) => r.outcome === "replayed").map((r) => r.idempotencyKey)).toContain(
      killedKey,
    );
    // ...and no message the restarted consumer received made more than one request. (Results are
    // written once per invocation, so the killed invocations' records all come back to be sent; a
    // record whose results were stored before the kill sends nothing.)
    expect(consumed.recordsReceived).toBeGreaterThanOrEqual(afterRestart.length);

    const [logs] = await stack.db.pool.query<RowDataPacket[]>(
      "SELECT status, total_count, sent_count, failed_count FROM messaging_log WHERE id = ?",
      [campaign.logId],
    );
    expect(logs[0]).toEqual({
      status: "COMPLETED",
      total_count: RECIPIENTS,
      sent_count: results.length,
      failed_count: 0,
    });
  }, 180_000);
});
