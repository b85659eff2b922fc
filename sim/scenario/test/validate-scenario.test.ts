import { describe, expect, it } from "vitest";
import { validateScenario } from "../load-scenario";
import { campaign, scenarioInput } from "./fixtures";

function problemsOf(input: unknown) {
  const result = validateScenario(input);
  return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.detail}`);
}

describe("validateScenario", () => {
  it("reports every problem at once: a field, a metric, a tag, a tag value, an alarm, a state and an aggregation", () => {
    // Prepare: the mistakes of a new user, in one file
    const input = scenarioInput({
      carrier: { transientFailureRate: 2 },
      traffic: [campaign({ name: "flash-sale" })],
      thresholds: {
        dlq_mesages: ["count < 1"],
        "recipients_sent{campaign:flash-sale}": ["count == 0"],
        "recipients_in_dlq{campaign:flash-sael}": ["count == 0"],
        "delivery_latency_seconds{campaign:flash-sael}": ["p(95) < 10"],
        "alarm_transitions{alarm:messaging-dlq-alram}": ["count == 0"],
        "alarm_transitions{to:ALRAM}": ["count == 0"],
        carrier_requests_per_second_max: ["max < 10"],
      },
    });
    // Act
    const problems = problemsOf(input);
    // Assess
    expect(problems).toHaveLength(8);
    expect(problems[0]).toBe("carrier.transientFailureRate: must be <= 1 (got 2)");
    expect(problems[1]).toMatch(
      /^thresholds\.dlq_mesages: no metric named "dlq_mesages" \(did you mean "dlq_messages"\?\); metrics: alarm_transitions, campaign_dlq_seconds, campaign_drain_seconds, .*, slack_notifications$/,
    );
    expect(problems.slice(2)).toEqual([
      'thresholds["recipients_sent{campaign:flash-sale}"]: recipients_sent takes no tags, not "campaign"',
      `thresholds["recipients_in_dlq{campaign:flash-sael}"]: campaign "flash-sael" matches nothing in this run (did you mean "flash-sale"?); the scenario's traffic names are flash-sale`,
      `thresholds["delivery_latency_seconds{campaign:flash-sael}"]: campaign "flash-sael" matches nothing in this run (did you mean "flash-sale"?); the scenario's traffic names are flash-sale`,
      `thresholds["alarm_transitions{alarm:messaging-dlq-alram}"]: alarm "messaging-dlq-alram" matches nothing in this run (did you mean "messaging-dlq-alarm"?); the template's alarms are messaging-dlq-alarm`,
      `thresholds["alarm_transitions{to:ALRAM}"]: to "ALRAM" matches nothing in this run (did you mean "ALARM"?); the alarm states are INSUFFICIENT_DATA, OK, ALARM`,
      'thresholds.carrier_requests_per_second_max[0]: "max < 10": carrier_requests_per_second_max is a gauge, which supports value, not max',
    ]);
  });

  it("accepts tags the run produces, quoted or not, and names a tag key the metric lacks", () => {
    // Prepare
    const input = scenarioInput({
      traffic: [campaign({ name: "spring sale" })],
      thresholds: {
        'delivery_latency_seconds{campaign:"spring sale"}': ["p(95) < 10"],
        "campaign_drain_seconds{campaign:spring sale}": ["value < 600"],
        "alarm_transitions{alarm:messaging-dlq-alarm,to:ALARM}": ["count == 0"],
        "delivery_latency_seconds{campain:spring sale}": ["p(95) < 10"],
      },
    });
    // Act
    const problems = problemsOf(input);
    // Assess
    expect(problems).toEqual([
      'thresholds["delivery_latency_seconds{campain:spring sale}"]: delivery_latency_seconds takes the tags campaign, not "campain" (did you mean "campaign"?)',
    ]);
  });

  it("gives the validated scenario when nothing is wrong", () => {
    // Prepare
    const input = scenarioInput({ thresholds: { dlq_messages: ["count == 0"] } });
    // Act
    const result = validateScenario(input);
    // Assess
    expect(result.ok && result.scenario.thresholds).toEqual({ dlq_messages: ["count == 0"] });
  });
});
