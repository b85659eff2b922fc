import { defineScenario } from "../sim/scenario/define-scenario";

/**
 * The carrier goes down for 15 minutes, 20 seconds into a 60k campaign: the messages it cannot
 * take are received three times and move to the DLQ, the DLQ alarm fires and Slack hears of it.
 */
export default defineScenario({
  name: "carrier-outage",
  description: "A 15-minute carrier outage during a campaign: DLQ, alarm, Slack",
  seed: 15,
  duration: "1h30m",
  carrier: {
    rateLimit: { requestsPerSecond: 100 },
    outages: [{ start: "10m20s", duration: "15m" }],
  },
  traffic: [{ name: "flash-sale", start: "10m", recipients: 60_000 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    carrier_duplicate_deliveries: ["count == 0"],
    dlq_messages: ["count > 0"],
    recipients_in_dlq: ["count > 0"],
    "alarm_transitions{alarm:messaging-dlq-alarm,to:ALARM}": ["count >= 1"],
    slack_notifications: ["count >= 1"],
  },
});
