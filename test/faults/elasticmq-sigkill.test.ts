import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PipelineStack, startPipelineStack } from "../e2e/support/pipeline-stack";
import {
  drainThroughFault,
  expectEverySentOnce,
  FAST_REDELIVERY,
  FAULT_RECIPIENTS,
} from "./support/fault-campaign";

describe("ElasticMQ killed with SIGKILL mid-drain and restarted", () => {
  let stack: PipelineStack;

  beforeAll(async () => {
    stack = await startPipelineStack({
      label: "fault_elasticmq",
      durableQueue: true,
      overrides: FAST_REDELIVERY,
      carrier: { model: { latencyMs: { dist: "fixed", value: 5 } } },
    });
  });
  afterAll(() => stack?.stop());

  it("loses no recipient and delivers none twice", async () => {
    // Prepare, Act: the queue dies with a third recorded and comes back on its data file
    const run = await drainThroughFault(stack, "elasticmq-sigkill", () =>
      stack.restartQueue({ downMs: 2_000 }),
    );

    // Assess
    expect(run.beforeFault).toBeLessThan(FAULT_RECIPIENTS);
    expect(run.esm.receiveErrors).toBeGreaterThan(0);
    expect(run.account.carrier.recipientsAccepted).toBe(FAULT_RECIPIENTS);
    expectEverySentOnce(run.account);
  }, 180_000);
});
