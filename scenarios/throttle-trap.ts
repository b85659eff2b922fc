import { defineScenario } from "../sim/scenario/define-scenario";

/**
 * ReservedConcurrentExecutions (3) below the mapping's MaximumConcurrency (8): Lambda throttles
 * the extra batches, their receive counts grow without any processing, and with maxReceiveCount 3
 * messages reach the DLQ unprocessed (the trap AWS warns of in services-sqs-scaling).
 */
export default defineScenario({
  name: "throttle-trap",
  description: "Reserved concurrency below MaximumConcurrency: unprocessed messages reach the DLQ",
  seed: 3,
  duration: "2h",
  infra: {
    overrides: {
      "MessagingLambda.ReservedConcurrentExecutions": 3,
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 8,
    },
  },
  carrier: { latencyMs: { dist: "lognormal", p50: 200, p99: 1000 } },
  traffic: [{ name: "spring-sale", start: "5m", recipients: 50_000 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    lambda_throttles: ["count > 0"],
    dlq_messages: ["count > 0"],
    "alarm_transitions{alarm:messaging-dlq-alarm,to:ALARM}": ["count >= 1"],
  },
});
