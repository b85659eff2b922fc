import { defineScenario } from "../sim/scenario/define-scenario";

/**
 * Demand well above the carrier's 20 requests/s (fast carrier, four records in flight per
 * invocation, a campaign plus a ramp of order notifications): the carrier answers 429, and the
 * requests it accepts never exceed its limit in any second.
 */
export default defineScenario({
  name: "rate-limit-compliance",
  description: "Demand above the carrier's limit: accepted requests per second stay within it",
  seed: 429,
  duration: "1h",
  carrier: {
    rateLimit: { requestsPerSecond: 20 },
    latencyMs: { dist: "fixed", value: 40 },
  },
  handler: { recordParallelism: 4, retries: 2 },
  traffic: [
    { name: "blast", start: "1m", recipients: 30_000 },
    {
      name: "order-notifications",
      executor: "ramping-arrival-rate",
      startRate: 0,
      timeUnit: "1m",
      stages: [
        { target: 300, duration: "10m" },
        { target: 300, duration: "20m" },
        { target: 0, duration: "10m" },
      ],
    },
  ],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_requests_per_second_max: ["value <= 20"],
    carrier_rate_limited: ["count > 0"],
    carrier_duplicate_deliveries: ["count == 0"],
  },
});
