import { defineScenario } from "../../sim/scenario/define-scenario";
import { FIDELITY_INFRA, FIDELITY_STACK } from "./fidelity-infra";

/**
 * A 50-second carrier outage: the 4,000 recipients sent during it fail on all three receives and
 * reach the DLQ, the DLQ alarm fires at the next one-minute evaluation, and the 16,000 sent after
 * the carrier is back are delivered.
 */
export default defineScenario({
  name: "fidelity-carrier-outage",
  description: "A short outage: a campaign into the DLQ, the alarm fires, the next one is delivered",
  seed: 502,
  duration: "5m",
  infra: FIDELITY_INFRA,
  carrier: {
    latencyMs: { dist: "lognormal", p50: 400, p99: 1200 },
    outages: [{ start: "35s", duration: "50s" }],
  },
  handler: { recordParallelism: 6 },
  stack: FIDELITY_STACK,
  traffic: [
    { name: "during-outage", start: "40s", recipients: 4_000 },
    { name: "after-outage", start: "2m", recipients: 16_000 },
  ],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_duplicate_deliveries: ["count == 0"],
    recipients_in_dlq: ["count == 4000"],
    "alarm_transitions{alarm:messaging-dlq-alarm,to:ALARM}": ["count >= 1"],
    slack_notifications: ["count >= 1"],
  },
});
