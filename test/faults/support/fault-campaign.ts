import type { RowDataPacket } from "mysql2/promise";
import { expect } from "vitest";
import type { TemplateOverrides } from "../../../infra/pipeline-config";
import type { CarrierStats } from "../../../provider-mock/model";
import type { EsmStats } from "../../../sim/esm/event-source-mapping";
import { seedUsers } from "../../../sim/seed/seed-users";
import { startInProcessConsumer } from "../../e2e/support/in-process-consumer";
import type { DlqMessage, PipelineStack, ResultRow } from "../../e2e/support/pipeline-stack";
import { type RecipientTally, range, tallyRecipients } from "../../e2e/support/recipient-tally";

/** Every fault test runs a campaign this large (issue 10): 2,000 SQS messages. */
export const FAULT_RECIPIENTS = 20_000;

/**
 * Short visibility timeouts, so messages a fault strands come back within seconds; the function
 * timeout may not exceed the queue's. The carrier timeout (5 s) plus margin fits in 10 s.
 */
export const FAST_REDELIVERY: TemplateOverrides = {
  "MessagingQueue.VisibilityTimeout": 10,
  "MessagingLambda.Timeout": 10,
};

export interface CampaignAccount {
  logId: number;
  tally: RecipientTally;
  results: ResultRow[];
  dlq: DlqMessage[];
  carrier: CarrierStats;
  log: { status: string; total_count: number; sent_count: number; failed_count: number };
}

/** Seeds FAULT_RECIPIENTS users and enqueues one campaign to all of them with the real producer. */
export async function enqueueFaultCampaign(stack: PipelineStack, name: string): Promise<number> {
  await seedUsers(stack.db.pool, { count: FAULT_RECIPIENTS });
  const { logId, queuedCount } = await stack.enqueue({
    requestedBy: "faults",
    name,
    content: `${name}: spring sale starts today`,
    audience: { kind: "range", from: 1, to: FAULT_RECIPIENTS },
  });
  if (queuedCount !== FAULT_RECIPIENTS) throw new Error(`queued ${queuedCount} of ${FAULT_RECIPIENTS}`);
  return logId;
}

/** Where every recipient of the campaign ended: results, the DLQ, or nowhere (missing). */
export async function accountForCampaign(stack: PipelineStack, logId: number): Promise<CampaignAccount> {
  const results = await stack.results(logId);
  const dlq = await stack.drainDlq();
  const [rows] = await stack.db.pool.query<RowDataPacket[]>(
    "SELECT status, total_count, sent_count, failed_count FROM messaging_log WHERE id = ?",
    [logId],
  );
  return {
    logId,
    tally: tallyRecipients(logId, range(1, FAULT_RECIPIENTS), results, dlq),
    results,
    dlq,
    carrier: await stack.carrierStats(),
    log: rows[0] as CampaignAccount["log"],
  };
}

/** Waits until the campaign has at least `count` results (the fault strikes mid-drain). */
export async function resultsReach(stack: PipelineStack, logId: number, count: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [rows] = await stack.db.pool.query<RowDataPacket[]>(
      "SELECT sent_count + failed_count AS n FROM messaging_log WHERE id = ?",
      [logId],
    );
    const n = Number(rows[0]?.n ?? 0);
    if (n >= count) return n;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${count} results within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface FaultRun {
  /** Results recorded when the fault struck (0 for faults present from the start). */
  beforeFault: number;
  esm: EsmStats;
  account: CampaignAccount;
}

/**
 * Enqueues the campaign and drains it with the production handler under the ESM; `fault`, if
 * given, runs once a third of the recipients have results. Prints the figures RELIABILITY.md
 * quotes.
 */
export async function drainThroughFault(
  stack: PipelineStack,
  name: string,
  fault?: () => Promise<void>,
): Promise<FaultRun> {
  const logId = await enqueueFaultCampaign(stack, name);
  // The fault makes the handler log errors (a database that refuses connections): expected here.
  const consumer = await startInProcessConsumer(stack, { quiet: true });
  try {
    const beforeFault = fault ? await resultsReach(stack, logId, FAULT_RECIPIENTS / 3) : 0;
    await fault?.();
    const { esm } = await consumer.drained({ timeoutMs: 150_000 });
    const account = await accountForCampaign(stack, logId);
    const { carrier, dlq } = account;
    console.info(`${name} ${JSON.stringify({ beforeFault, esm, carrier, dlq: dlq.length })}`);
    return { beforeFault, esm, account };
  } finally {
    await consumer.close();
  }
}

/** Every recipient SENT exactly once: a result each, nothing in the DLQ, no SMS twice. */
export function expectEverySentOnce({ tally, dlq, carrier, log }: CampaignAccount): void {
  expect(tally).toMatchObject({ missing: [], duplicated: [], unexpected: [] });
  expect(dlq).toEqual([]);
  expect(carrier.duplicateDeliveriesByContent).toBe(0);
  expect(log).toEqual({
    status: "COMPLETED",
    total_count: FAULT_RECIPIENTS,
    sent_count: FAULT_RECIPIENTS,
    failed_count: 0,
  });
}

/** Nobody lost: each recipient has one result or sits in one DLQ message. */
export function expectEveryAccountedFor({ tally, results, dlq }: CampaignAccount): void {
  expect(tally).toMatchObject({ missing: [], duplicated: [], unexpected: [], unreadable: [] });
  expect(results.length + tally.inDlq.size).toBe(FAULT_RECIPIENTS);
  expect(dlq.length).toBe(tally.inDlq.size / 10);
}

/**
 * A carrier that resets connections and drops answers after accepting (a real client timeout,
 * 1 s here): with the call this short the function and the visibility timeout fit in 4 s, so the
 * few messages that fail three times reach the DLQ quickly.
 */
export const FAULTY_CARRIER_OVERRIDES: TemplateOverrides = {
  "MessagingQueue.VisibilityTimeout": 4,
  "MessagingLambda.Timeout": 4,
  "MessagingLambda.Environment.Variables.CARRIER_TIMEOUT_MS": "1000",
};
export const FAULTY_CARRIER = {
  latencyMs: { dist: "fixed" as const, value: 5 },
  connectionResetRate: 0.03,
  timeoutRate: 0.03,
  transientFailureRate: 0.03,
  timeoutHangMs: 1_500,
};

/** The failed-attempt rows of the campaign, by code. */
export async function attemptCodes(stack: PipelineStack, logId: number): Promise<Record<string, number>> {
  const [rows] = await stack.db.pool.query<RowDataPacket[]>(
    "SELECT code, COUNT(*) AS n FROM delivery_attempt WHERE log_id = ? GROUP BY code",
    [logId],
  );
  return Object.fromEntries(rows.map((r) => [String(r.code), Number(r.n)]));
}
