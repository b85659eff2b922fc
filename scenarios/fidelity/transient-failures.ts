import { defineScenario } from "../../sim/scenario/define-scenario";
import { FIDELITY_INFRA, FIDELITY_STACK } from "./fidelity-infra";

/**
 * 20,000 recipients through a carrier that fails 5% of requests (500/503) and rejects 1% of
 * numbers, with 1% of users holding no mobile number: failed chunks come back after the
 * visibility timeout and are retried; the few that fail three times reach the DLQ.
 */
export default defineScenario({
  name: "fidelity-transient-failures",
  description: "Transient carrier failures: retries through redelivery, a trickle into the DLQ",
  seed: 501,
  duration: "5m",
  infra: FIDELITY_INFRA,
  users: { invalidRate: 0.01 },
  carrier: {
    latencyMs: { dist: "lognormal", p50: 250, p99: 800 },
    transientFailureRate: 0.05,
    invalidRecipientRate: 0.01,
  },
  handler: { recordParallelism: 4 },
  stack: FIDELITY_STACK,
  traffic: [{ name: "newsletter", start: "30s", recipients: 20_000 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_duplicate_deliveries: ["count == 0"],
    carrier_transient_errors: ["count > 0"],
  },
});
