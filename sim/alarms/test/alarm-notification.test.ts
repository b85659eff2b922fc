import { describe, expect, it } from "vitest";
import type { AlarmConfig } from "../../../infra/pipeline-config";
import { createAlarmEvaluator } from "../alarm-evaluator";
import { buildAlarmNotification, slackMessageFor } from "../alarm-notification";
import { createMetricStore, MINUTE_MS } from "../metric-store";
import { alarmConfig, dlqAlarmNotification, recordPattern, T0 } from "./fixtures";

/** The notification of `alarm`'s last transition after one-minute datapoints `values` from T0 (no account given). */
function notificationAfter(overrides: Partial<AlarmConfig>, values: readonly (number | null)[]) {
  const alarm = alarmConfig({ evaluationPeriods: 1, datapointsToAlarm: 1, ...overrides });
  const store = createMetricStore();
  const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
  values.forEach((value, i) => {
    const metric = { namespace: alarm.namespace, metricName: alarm.metricName };
    if (value !== null) store.record(metric, alarm.dimensions, T0 + i * MINUTE_MS, value);
    evaluator.evaluate(T0 + (i + 1) * MINUTE_MS);
  });
  const last = evaluator.history(alarm.name).at(-1);
  if (!last) throw new Error("the alarm made no transition");
  return buildAlarmNotification(alarm, last);
}

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

describe("alarm notification defaults and statistics", () => {
  it("is from account 000000000000 in us-east-1 when no account is given, as ElasticMQ and LocalStack use", () => {
    // Act
    const notification = notificationAfter({}, [5]);

    // Assess
    expect(notification).toMatchObject({
      AWSAccountId: "000000000000",
      Region: "us-east-1",
      AlarmArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:test-alarm",
    });
  });

  it.each([
    ["Sum", "SUM"],
    ["Average", "AVERAGE"],
    ["Minimum", "MINIMUM"],
    ["Maximum", "MAXIMUM"],
    ["SampleCount", "SAMPLE_COUNT"],
  ] as const)("names the %s statistic %s in the Trigger, as CloudWatch does", (statistic, name) => {
    // Act
    const notification = notificationAfter({ statistic }, [5]);

    // Assess
    expect(notification.Trigger.Statistic).toBe(name);
  });
});

describe("Slack message", () => {
  it("shows the on-call engineer the rule, the metric, the dimensions, when it changed and CloudWatch's reason", () => {
    // Prepare
    const notification = dlqAlarmNotification(3);

    // Act
    const { blocks } = slackMessageFor(notification);

    // Assess: no description on the seed alarm, so the reason is the only context line
    expect(blocks).toEqual([
      {
        type: "section",
        text: { type: "mrkdwn", text: slackMessageFor(notification).text },
        fields: [
          { type: "mrkdwn", text: "*Metric*\nAWS/SQS ApproximateNumberOfMessagesVisible (SUM, 5 min)" },
          { type: "mrkdwn", text: "*Dimensions*\nQueueName=messaging-dlq" },
          { type: "mrkdwn", text: "*Alarm when*\n>= 1 in 1 of 1" },
          { type: "mrkdwn", text: "*Changed at*\n2026-11-06T10:05:00.000+0000" },
        ],
      },
      { type: "context", elements: [{ type: "mrkdwn", text: notification.NewStateReason }] },
    ]);
  });

  it("puts the alarm's description above the reason when it has one", () => {
    // Prepare
    const notification = notificationAfter({ description: "Messages are waiting in the DLQ" }, [5]);

    // Act
    const { blocks } = slackMessageFor(notification);

    // Assess
    expect(blocks.slice(1)).toEqual([
      { type: "context", elements: [{ type: "mrkdwn", text: "Messages are waiting in the DLQ" }] },
      { type: "context", elements: [{ type: "mrkdwn", text: notification.NewStateReason }] },
    ]);
  });

  it.each([
    ["GreaterThanThreshold", 5, "> 4"],
    ["LessThanThreshold", 3, "< 4"],
    ["LessThanOrEqualToThreshold", 4, "<= 4"],
  ] as const)("writes %s as %s in the rule", (comparisonOperator, value, rule) => {
    // Prepare
    const notification = notificationAfter({ comparisonOperator, threshold: 4 }, [value]);

    // Act
    const message = slackMessageFor(notification);

    // Assess
    expect(message.text).toContain(`(alarm when ${rule})`);
    expect(message.blocks[0]).toMatchObject({
      fields: expect.arrayContaining([{ type: "mrkdwn", text: `*Alarm when*\n${rule} in 1 of 1` }]),
    });
  });

  it.each([
    [15_000_000, "= 15000000 "],
    [25_000_000_000, "= 25000000000 "],
    [0.0005, "= 0.0005 "],
    [-2, "= -2 "],
  ])(
    "reads the measured value %d back from the reason, whatever Java notation CloudWatch printed",
    (value, shown) => {
      // Prepare
      const notification = notificationAfter(
        { comparisonOperator: "LessThanThreshold", threshold: 100_000_000 },
        [value],
      );

      // Act
      const message = slackMessageFor(notification);

      // Assess
      expect(message.text).toContain(`ApproximateNumberOfMessagesVisible MAXIMUM ${shown}`);
    },
  );

  it("names every dimension of a metric with several", () => {
    // Prepare
    const dimensions = [
      { name: "QueueName", value: "messaging-dlq" },
      { name: "Stage", value: "prod" },
    ];
    const notification = notificationAfter({ dimensions }, [5]);

    // Act
    const message = slackMessageFor(notification);

    // Assess
    expect(message.text).toContain("= 5 for messaging-dlq, prod over 1 min");
    expect(message.blocks[0]).toMatchObject({
      fields: expect.arrayContaining([
        { type: "mrkdwn", text: "*Dimensions*\nQueueName=messaging-dlq, Stage=prod" },
      ]),
    });
  });

  it("names the namespace and says there are no dimensions for a metric without them", () => {
    // Prepare
    const notification = notificationAfter(
      { namespace: "Custom/Carrier", metricName: "Rejected", dimensions: [] },
      [5],
    );

    // Act
    const message = slackMessageFor(notification);

    // Assess
    expect(message.text).toContain("Rejected MAXIMUM = 5 for Custom/Carrier over 1 min");
    expect(message.blocks[0]).toMatchObject({
      fields: expect.arrayContaining([{ type: "mrkdwn", text: "*Dimensions*\nnone" }]),
    });
  });

  it("quotes CloudWatch's reason when no datapoint was measured (all missing, treated as notBreaching)", () => {
    // Prepare
    const notification = notificationAfter({ treatMissingData: "notBreaching" }, [null]);

    // Act
    const message = slackMessageFor(notification);

    // Assess
    expect(message.text).toBe(
      `:white_check_mark: test-alarm is OK (was INSUFFICIENT_DATA): ${notification.NewStateReason}`,
    );
    expect(notification.NewStateReason).toContain("1 missing datapoint treated as [NonBreaching]");
  });

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
