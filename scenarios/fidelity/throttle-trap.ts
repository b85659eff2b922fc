import { defineScenario } from "../../sim/scenario/define-scenario";
import { FIDELITY_INFRA, FIDELITY_STACK } from "./fidelity-infra";

/**
 * ReservedConcurrentExecutions 3 under a MaximumConcurrency of 8: Lambda throttles the extra
 * batches, their receive counts grow without processing, and messages reach the DLQ unprocessed.
 */
export default defineScenario({
  name: "fidelity-throttle-trap",
  description: "Reserved concurrency below MaximumConcurrency: throttles push messages to the DLQ",
  seed: 504,
  duration: "5m",
  infra: {
    overrides: {
      ...FIDELITY_INFRA.overrides,
      "MessagingLambda.ReservedConcurrentExecutions": 3,
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 8,
    },
  },
  carrier: { latencyMs: { dist: "lognormal", p50: 250, p99: 800 } },
  handler: { recordParallelism: 4 },
  stack: FIDELITY_STACK,
  traffic: [{ name: "spring-sale", start: "30s", recipients: 20_000 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_duplicate_deliveries: ["count == 0"],
    lambda_throttles: ["count > 0"],
    recipients_in_dlq: ["count > 0"],
  },
});
