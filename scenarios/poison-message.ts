import { defineScenario } from "../sim/scenario/define-scenario";

/**
 * Twenty malformed bodies enqueued alongside a campaign: the handler records and fails each one,
 * so exactly those twenty reach the DLQ (and raise the alarm) while every recipient is delivered.
 */
export default defineScenario({
  name: "poison-message",
  description: "Malformed bodies reach the DLQ; well-formed recipients are all delivered",
  seed: 7,
  duration: "1h",
  traffic: [{ name: "newsletter", start: "5m", recipients: 5_000, malformed: 20 }],
  thresholds: {
    recipients_unaccounted: ["count == 0"],
    recipients_in_dlq: ["count == 0"],
    dlq_messages: ["count == 20"],
    "alarm_transitions{alarm:messaging-dlq-alarm,to:ALARM}": ["count >= 1"],
    slack_notifications: ["count >= 1"],
  },
});
