import { defineScenario } from "../../sim/scenario/define-scenario";
import { FIDELITY_INFRA, FIDELITY_STACK } from "./fidelity-infra";

/**
 * Five invocations in flight ask a fast carrier for about twice the 60 requests/s it allows: it
 * answers 429, the handler defers the rest of each batch by Retry-After, and the requests it
 * accepts stay within the limit in every second.
 */
export default defineScenario({
  name: "fidelity-rate-limit",
  description: "Demand above the carrier's rate limit: 429s, deferrals, accepted rate within the limit",
  seed: 503,
  duration: "5m",
  infra: {
    overrides: { ...FIDELITY_INFRA.overrides, "MessagingQueue.RedrivePolicy.maxReceiveCount": 10 },
  },
  carrier: {
    rateLimit: { requestsPerSecond: 60 },
    latencyMs: { dist: "lognormal", p50: 100, p99: 300 },
  },
  handler: { recordParallelism: 2 },
  stack: FIDELITY_STACK,
  traffic: [{ name: "blast", start: "30s", recipients: 20_000 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_duplicate_deliveries: ["count == 0"],
    carrier_rate_limited: ["count > 0"],
    carrier_requests_per_second_max: ["value <= 60"],
  },
});
