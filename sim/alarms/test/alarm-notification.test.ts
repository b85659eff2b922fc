import { describe, expect, it } from "vitest";
import { createAlarmEvaluator } from "../alarm-evaluator";
import { buildAlarmNotification, slackMessageFor } from "../alarm-notification";
import { createMetricStore, MINUTE_MS } from "../metric-store";
import { alarmConfig, dlqAlarmNotification, recordPattern, T0 } from "./fixtures";

describe("alarm notification", () => {
  it("has the shape CloudWatch publishes to SNS", () => {
    // Act
    const notification = dlqAlarmNotification();

    // Assess
    expect(notification).toEqual({
      AlarmName: "messaging-dlq-alarm",
      AlarmDescription: null,
      AWSAccountId: "123456789012",
      NewStateValue: "ALARM",
      NewStateReason: expect.stringMatching(/^Threshold Crossed: 1 out of the last 1 datapoints \[5\.0 /),
      StateChangeTime: "2026-11-06T10:05:00.000+0000",
      Region: "ap-northeast-2",
      AlarmArn: "arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:messaging-dlq-alarm",
      OldStateValue: "INSUFFICIENT_DATA",
      Trigger: {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Namespace: "AWS/SQS",
        StatisticType: "Statistic",
        Statistic: "SUM",
        Unit: null,
        Dimensions: [{ value: "messaging-dlq", name: "QueueName" }],
        Period: 300,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Threshold: 1,
        TreatMissingData: "missing",
        EvaluateLowSampleCountPercentile: "",
      },
    });
  });
});

describe("Slack message", () => {
  it("says which alarm fired, the measured value and the rule, in one line", () => {
    // Prepare
    const notification = dlqAlarmNotification(3);

    // Act
    const message = slackMessageFor(notification);

    // Assess
    expect(message.text).toBe(
      ":rotating_light: messaging-dlq-alarm is ALARM (was INSUFFICIENT_DATA): ApproximateNumberOfMessagesVisible " +
        "SUM = 15 for messaging-dlq over 5 min (alarm when >= 1)",
    );
    expect(JSON.stringify(message.blocks)).toContain(notification.NewStateReason);
  });

  it("says there is no data when the alarm goes to INSUFFICIENT_DATA", () => {
    // Prepare
    const alarm = alarmConfig({ okActions: [], description: "Queue depth" });
    const store = createMetricStore();
    const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
    const end = recordPattern(store, alarm, T0, "0 0 0 - - - - -");
    for (let at = T0 + 3 * MINUTE_MS; at <= end; at += MINUTE_MS) evaluator.evaluate(at);
    const [, last] = evaluator.history(alarm.name);
    if (!last) throw new Error("no transition to INSUFFICIENT_DATA");

    // Act
    const message = slackMessageFor(buildAlarmNotification(alarm, last));

    // Assess
    expect(last.to).toBe("INSUFFICIENT_DATA");
    expect(message.text).toBe(
      ":grey_question: test-alarm is INSUFFICIENT_DATA (was OK): no ApproximateNumberOfMessagesVisible data for test-queue",
    );
    expect(JSON.stringify(message.blocks)).toContain("Queue depth");
  });
});
