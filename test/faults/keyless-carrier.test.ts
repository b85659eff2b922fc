import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PipelineStack, startPipelineStack } from "../e2e/support/pipeline-stack";
import {
  drainThroughFault,
  expectEveryAccountedFor,
  FAULTY_CARRIER,
  FAULTY_CARRIER_OVERRIDES,
} from "./support/fault-campaign";

describe("the same carrier faults with a carrier that ignores Idempotency-Key", () => {
  let stack: PipelineStack;

  beforeAll(async () => {
    stack = await startPipelineStack({
      label: "fault_keyless",
      overrides: FAULTY_CARRIER_OVERRIDES,
      carrier: { model: { ...FAULTY_CARRIER, honourIdempotencyKey: false }, seed: 10 },
    });
  });
  afterAll(() => stack?.stop());

  it("loses no recipient; only recipients of answers lost after delivery can get a second SMS", async () => {
    // Prepare, Act
    const { account } = await drainThroughFault(stack, "keyless-carrier");

    // Assess: a reset or a 5xx sent nothing, so only a dropped answer (timeout) can duplicate,
    // at most once per recipient of the request whose answer was lost
    const { carrier } = account;
    expectEveryAccountedFor(account);
    expect(carrier.duplicateDeliveriesByKey).toBe(0);
    expect(carrier.timeouts).toBeGreaterThan(0);
    expect(carrier.duplicateDeliveriesByContent).toBeGreaterThan(0);
    expect(carrier.duplicateDeliveriesByContent).toBeLessThanOrEqual(carrier.timeouts * 10);
  }, 240_000);
});
