import { defineScenario } from "../sim/scenario/define-scenario";

/**
 * ReservedConcurrentExecutions 1 under the mapping's MaximumConcurrency 5, with a 12-hour visibility
 * timeout. Lambda throttles four of every five batches, but it holds a throttled batch and retries
 * it "until the message's timestamp exceeds your queue's visibility timeout" (Lambda guide,
 * services-sqs-errorhandling) while it shrinks the mapping's concurrency: throttles are counted,
 * yet every recipient is delivered within the hour and none reaches the DLQ. For the trap AWS's
 * advice (visibility >= 6 x function timeout) avoids, see throttle-trap-short-window.ts.
 */
export default defineScenario({
  name: "throttle-trap",
  description: "Reserved concurrency 1 under MaximumConcurrency 5: throttled batches are held and retried",
  seed: 3,
  duration: "1h",
  infra: {
    overrides: {
      "MessagingLambda.ReservedConcurrentExecutions": 1,
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 5,
      "MessagingQueue.VisibilityTimeout": 43_200,
    },
  },
  carrier: { latencyMs: { dist: "lognormal", p50: 200, p99: 1000 } },
  traffic: [{ name: "spring-sale", start: "5m", recipients: 20_000 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    recipients_sent: ["count == 20000"],
    recipients_in_dlq: ["count == 0"],
    recipients_pending: ["count == 0"],
    lambda_throttles: ["count > 0"],
    "campaign_drain_seconds{campaign:spring-sale}": ["value < 3300"],
  },
});
