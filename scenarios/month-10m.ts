import { defineScenario } from "../sim/scenario/define-scenario";

/**
 * month-1m at ten times the volume, in the same 30-day month on the same pipeline and carrier:
 * about 10,000,000 recipients. A 1.5M campaign each week (6M), daily campaigns of 80k and 20k
 * (3M) and order notifications at 1,400 an hour (1,008,000). The benchmark of the virtual engine
 * at scale (bench/virtual-engine.bench.ts).
 */
export default defineScenario({
  name: "month-10m",
  description:
    "A month of campaigns and order notifications at ten times the seed's volume (~10M recipients)",
  seed: 20_240_310,
  duration: "30d2h",
  // One user per recipient of the largest campaign, as month-1m has by default.
  users: { count: 1_500_000 },
  carrier: {
    rateLimit: { requestsPerSecond: 60, recipientsPerSecond: 600 },
    latencyMs: { dist: "lognormal", p50: 100, p99: 500 },
    transientFailureRate: 0.002,
    timeoutRate: 0.0005,
    invalidRecipientRate: 0.001,
  },
  traffic: [
    { name: "weekly-marketing-w1", start: "1d10h", recipients: 1_500_000 },
    { name: "weekly-marketing-w2", start: "8d10h", recipients: 1_500_000 },
    { name: "weekly-marketing-w3", start: "15d10h", recipients: 1_500_000 },
    { name: "weekly-marketing-w4", start: "22d10h", recipients: 1_500_000 },
    { name: "daily-promo", executor: "daily", at: "12:00", days: 30, recipients: 80_000 },
    { name: "daily-reminder", executor: "daily", at: "18:30", days: 30, recipients: 20_000 },
    {
      name: "order-notifications",
      executor: "constant-arrival-rate",
      rate: 1_400,
      timeUnit: "1h",
      duration: "30d",
      recipients: 1,
    },
  ],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_duplicate_deliveries: ["count == 0"],
    carrier_requests_per_second_max: ["value <= 60"],
    // Five invocations make 60 calls in a sliding second only when 60 calls in a row average under
    // 83 ms (the mean is 127 ms): never in month-1m's 191k calls, once in these 1.9M (seed as here).
    // Such a 429 is deferred and retried, nothing is lost; a concurrency that no longer fits the
    // limit would give thousands.
    carrier_rate_limited: ["count < 100"],
    dlq_messages: ["count < 50"],
    "campaign_drain_seconds{campaign:weekly-marketing-w1}": ["value < 5400"],
    "delivery_latency_seconds{campaign:order-notifications}": ["p(95) < 600"],
  },
});
