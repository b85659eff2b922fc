import { defineScenario } from "../../sim/scenario/define-scenario";
import { FIDELITY_INFRA, FIDELITY_STACK } from "./fidelity-infra";

/**
 * ReservedConcurrentExecutions 3 under a MaximumConcurrency of 8, with the visibility timeout AWS
 * advises (6 x the 5 s function timeout): Lambda throttles the extra batches, holds each one and
 * retries it within its visibility timeout while it shrinks the mapping's concurrency
 * (services-sqs-errorhandling), so throttles are counted yet every recipient is delivered and none
 * reaches the DLQ. Both engines run the same mapping over a throttling function.
 */
export default defineScenario({
  name: "fidelity-throttle-trap",
  description: "Reserved concurrency below MaximumConcurrency: throttled batches are held and retried",
  seed: 504,
  duration: "5m",
  infra: {
    overrides: {
      ...FIDELITY_INFRA.overrides,
      "MessagingQueue.VisibilityTimeout": 30,
      "MessagingLambda.ReservedConcurrentExecutions": 3,
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 8,
    },
  },
  // Batches of ~2 s, so the drain is set by the carrier and the slots, not by this machine's speed.
  carrier: { latencyMs: { dist: "lognormal", p50: 600, p99: 1200 } },
  handler: { recordParallelism: 4 },
  stack: FIDELITY_STACK,
  traffic: [{ name: "spring-sale", start: "30s", recipients: 10_000 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_duplicate_deliveries: ["count == 0"],
    lambda_throttles: ["count > 0"],
    recipients_in_dlq: ["count == 0"],
    recipients_pending: ["count == 0"],
  },
});
