import { defineScenario } from "../sim/scenario/define-scenario";

/**
 * A 150,000-recipient product launch: the capacity question of `smsim sweep`. Reserved
 * concurrency (50) sits above every MaximumConcurrency worth trying (2..40), so the mapping's
 * limit alone sets the pace; the carrier answers in a fixed 500 ms and allows 100 requests/s, more
 * than 40 concurrent batches ask for (40 / 0.511 s = 79/s). Each batch of 10 messages then takes
 * 10 x (500 + 11) ms (the carrier, its round trip and three queries), and by Little's law the drain is about 15,000 messages x 0.511 s /
 * MaximumConcurrency: 3,800 s at 2, 190 s at 40. The launch must drain in 10 minutes without a 429;
 * `smsim sweep --vary LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency=2..40` finds 13 the
 * smallest that does, and the scenario runs at 16 for a margin.
 */
export default defineScenario({
  name: "launch-150k",
  description: "A 150,000-recipient launch: which MaximumConcurrency drains it in 10 minutes without a 429?",
  seed: 150_000,
  duration: "2h",
  infra: {
    overrides: {
      "MessagingLambda.ReservedConcurrentExecutions": 50,
      "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 16,
    },
  },
  carrier: {
    rateLimit: { requestsPerSecond: 100, recipientsPerSecond: 1000 },
    latencyMs: { dist: "fixed", value: 500 },
  },
  traffic: [{ name: "launch", start: "1m", recipients: 150_000 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_rate_limited: ["count == 0"],
    dlq_messages: ["count == 0"],
    "campaign_drain_seconds{campaign:launch}": ["value < 600"],
  },
});
