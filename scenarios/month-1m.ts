import { defineScenario } from "../sim/scenario/define-scenario";

/**
 * The seed's volume: about 1,000,000 recipients in a 30-day month. A 150k marketing campaign each
 * week (600k), two daily campaigns (240k + 60k) and steady order notifications (100,800), on a
 * carrier limited to 60 requests/s that the template's MaximumConcurrency of 5 should respect.
 */
export default defineScenario({
  name: "month-1m",
  description: "A month of campaigns and order notifications at the seed's volume (~1M recipients)",
  seed: 20_240_301,
  duration: "30d2h",
  carrier: {
    rateLimit: { requestsPerSecond: 60, recipientsPerSecond: 600 },
    latencyMs: { dist: "lognormal", p50: 100, p99: 500 },
    transientFailureRate: 0.002,
    timeoutRate: 0.0005,
    invalidRecipientRate: 0.001,
  },
  traffic: [
    { name: "weekly-marketing-w1", start: "1d10h", recipients: 150_000 },
    { name: "weekly-marketing-w2", start: "8d10h", recipients: 150_000 },
    { name: "weekly-marketing-w3", start: "15d10h", recipients: 150_000 },
    { name: "weekly-marketing-w4", start: "22d10h", recipients: 150_000 },
    { name: "daily-promo", executor: "daily", at: "12:00", days: 30, recipients: 8_000 },
    { name: "daily-reminder", executor: "daily", at: "18:30", days: 30, recipients: 2_000 },
    {
      name: "order-notifications",
      executor: "constant-arrival-rate",
      rate: 140,
      timeUnit: "1h",
      duration: "30d",
      recipients: 1,
    },
  ],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_duplicate_deliveries: ["count == 0"],
    carrier_requests_per_second_max: ["value <= 60"],
    carrier_rate_limited: ["count == 0"],
    dlq_messages: ["count < 50"],
    "campaign_drain_seconds{campaign:weekly-marketing-w1}": ["value < 1800"],
    "delivery_latency_seconds{campaign:order-notifications}": ["p(95) < 600"],
  },
});
