import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaignQueries } from "../../api/admin/campaign-queries";
import { ENQUEUE_STALE_MS } from "../../api/enqueue-progress";
import { seedUsers } from "../../sim/seed/seed-users";
import { consumeUntilDrained } from "../e2e/support/in-process-consumer";
import { type PipelineStack, startPipelineStack } from "../e2e/support/pipeline-stack";
import { type SmsimProcess, spawnSmsim } from "../e2e/support/smsim-process";
import { accountForCampaign, expectEverySentOnce, FAULT_RECIPIENTS } from "./support/fault-campaign";

/** SendMessageBatch calls `smsim send` keeps in flight (its default) and its checkpoint interval. */
const CONCURRENCY = 12;
const CHECKPOINT_EVERY = 1_000;

describe("the producer killed with SIGKILL mid-enqueue, then resumed", () => {
  let stack: PipelineStack;
  const processes: SmsimProcess[] = [];
  const smsim = (args: string[]) => {
    const process = spawnSmsim(stack, args);
    processes.push(process);
    return process;
  };

  beforeAll(async () => {
    stack = await startPipelineStack({ label: "fault_producer" });
    await seedUsers(stack.db.pool, { count: FAULT_RECIPIENTS });
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await stack?.stop();
  });

  it("shows the campaign interrupted; the resume enqueues only what the checkpoint lacks", async () => {
    // Prepare: a campaign being enqueued by `smsim send`, killed with a third of it queued
    const send = smsim(["send", "--user-ids", `1-${FAULT_RECIPIENTS}`, "--content", "Spring sale"]);
    const logId = await campaignQueued(stack, FAULT_RECIPIENTS / 3);
    await send.kill();
    const queries = createCampaignQueries(stack.db.pool);
    const atKill = await queries.get(logId);

    // Act: a resume at once is refused (the heartbeat is fresh); once stale, it continues
    const early = smsim(["send", "--resume", String(logId)]);
    const earlyExit = await early.exited;
    await new Promise((resolve) => setTimeout(resolve, ENQUEUE_STALE_MS + 500));
    const interrupted = await queries.get(logId);
    const resume = smsim(["send", "--resume", String(logId)]);
    const resumeExit = await resume.exited;
    const onQueue = await stack.depth(stack.mq.queueUrl);
    await consumeUntilDrained(stack, { timeoutMs: 120_000 });

    // Assess
    const messages = onQueue.visible + onQueue.inFlight + onQueue.delayed;
    const account = await accountForCampaign(stack, logId);
    const figures = {
      queuedAtKill: atKill?.queuedCount,
      resumed: resume.stderr().trim(),
      messages,
      carrier: account.carrier,
    };
    console.info(`producer-kill ${JSON.stringify(figures)}`);
    expect(atKill).toMatchObject({ status: "QUEUEING" });
    expect(atKill?.queuedCount).toBeLessThan(FAULT_RECIPIENTS);
    expect(earlyExit.code, early.stderr()).not.toBe(0);
    expect(early.stderr()).toContain("still enqueueing");
    expect(interrupted).toMatchObject({ status: "QUEUEING", interrupted: true });
    expect(resumeExit, resume.stderr()).toEqual({ code: 0, signal: null });
    expect(JSON.parse(resume.stdout())).toEqual({
      logId,
      queuedCount: FAULT_RECIPIENTS,
      failedCount: 0,
      status: "QUEUED",
    });
    // Sent twice: only chunks past the checkpoint that reached SQS before the kill (those answered
    // since the last checkpoint write, and the calls in flight), never the campaign from the start
    const fromChunk = Number(/at chunk (\d+)/.exec(resume.stderr())?.[1]);
    const sentTwice = messages - FAULT_RECIPIENTS / 10;
    expect(sentTwice).toBeGreaterThanOrEqual(0);
    expect(sentTwice).toBeLessThan(fromChunk);
    expect(sentTwice).toBeLessThanOrEqual(2 * (CHECKPOINT_EVERY / 10 + CONCURRENCY * 10));
    expectEverySentOnce(account);
  }, 180_000);
});

/** The campaign `smsim send` is enqueueing, once at least `count` recipients are on the queue. */
async function campaignQueued(stack: PipelineStack, count: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [rows] = await stack.db.pool.query<RowDataPacket[]>(
      "SELECT id, queued_count FROM messaging_log ORDER BY id DESC LIMIT 1",
    );
    const row = rows[0];
    if (row && Number(row.queued_count) >= count) return Number(row.id);
    if (Date.now() > deadline) throw new Error(`no campaign with ${count} queued within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
