import { describe, expect, it } from "vitest";
import { createAlarmEvaluator } from "../../sim/alarms/alarm-evaluator";
import { createMetricStore, MINUTE_MS } from "../../sim/alarms/metric-store";
import { createSqsMetricsPublisher, SQS_METRICS, SQS_RESUME_DELAY_MS } from "../../sim/alarms/sqs-metrics";
import { alarmConfig, sqsSample, T0 } from "../../sim/alarms/test/fixtures";
import { runScenario } from "../../sim/virtual/test/engine-fixtures";

const METRICS_PAGE = "SQS guide, sqs-available-cloudwatch-metrics";

/** A DLQ that was idle when the run began and receives its first message in minute `arrivalMinute`. */
function idleDlqAlarm(resumeDelayMs: number, arrivalMinute: number) {
  const alarm = alarmConfig({
    metricName: SQS_METRICS.visible,
    dimensions: [{ name: "QueueName", value: "test-dlq" }],
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
  });
  const store = createMetricStore();
  const publisher = createSqsMetricsPublisher(store, {
    queueName: "test-dlq",
    startMs: T0,
    idleAtStart: true,
    resumeDelayMs,
  });
  const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
  for (let minute = 0; minute < 60; minute++) {
    publisher.publish(T0 + minute * MINUTE_MS, sqsSample({ visible: minute >= arrivalMinute ? 1 : 0 }));
    evaluator.evaluate(T0 + (minute + 1) * MINUTE_MS);
  }
  const fired = evaluator.history(alarm.name).find((t) => t.to === "ALARM");
  return { store, firedAtMinute: fired ? (fired.atMs - T0) / MINUTE_MS : null };
}

/** A virtual run whose carrier is down for the first 20 minutes: the campaign at 1m reaches the DLQ. */
function carrierDown(fields: Parameters<typeof runScenario>[0] = {}) {
  return runScenario({
    carrier: { latencyMs: { dist: "fixed", value: 100 }, outages: [{ start: "0s", duration: "20m" }] },
    ...fields,
  });
}

describe("SQS metrics in CloudWatch, against the SQS developer guide", () => {
  it(`${METRICS_PAGE}: a queue active again after being inactive publishes up to 15 minutes late, so its alarm fires that much later`, () => {
    // Act
    const onTime = idleDlqAlarm(0, 20);
    const late = idleDlqAlarm(SQS_RESUME_DELAY_MS, 20);

    // Assess: the datapoint of minute 20 completes at 21; delayed, it arrives at 35.
    expect(onTime.firedAtMinute).toBe(21);
    expect(late.firedAtMinute).toBe(35);
    // Idle until then: nothing published at all, not zeros.
    expect(
      late.store.statistic(SQS_METRICS.visible, { QueueName: "test-dlq" }, T0, T0 + 20 * MINUTE_MS, "Sum"),
    ).toBeUndefined();
  });

  it(`${METRICS_PAGE}: the run summary gives the DLQ alarm's first firing as earliest and latest, 15 minutes apart by default`, async () => {
    // Act
    const byDefault = await carrierDown({ duration: "40m" });
    const onTime = await carrierDown({ duration: "40m", sqsMetrics: { resumeDelay: "0s" } });

    // Assess
    const first = byDefault.summary.alarms[0]?.firstAlarm;
    expect(first).not.toBeNull();
    expect(first?.metricsResumeDelaySeconds).toBe(900);
    expect(first?.earliestSeconds).toBe(
      byDefault.summary.alarms[0]?.transitions.find((t) => t.to === "ALARM")?.atSeconds,
    );
    expect((first?.latestSeconds ?? 0) - (first?.earliestSeconds ?? 0)).toBeGreaterThanOrEqual(15 * 60 - 300);
    expect((first?.latestSeconds ?? 0) - (first?.earliestSeconds ?? 0)).toBeLessThanOrEqual(15 * 60 + 300);
    expect(onTime.summary.alarms[0]?.firstAlarm?.latestSeconds).toBe(
      onTime.summary.alarms[0]?.firstAlarm?.earliestSeconds,
    );
  });

  it(`${METRICS_PAGE}: a latest firing after the run's end is still given, the queues held as the run left them`, async () => {
    // Act
    const { summary } = await carrierDown({ duration: "12m" });

    // Assess
    const first = summary.alarms[0]?.firstAlarm;
    expect(first?.earliestSeconds).toBeLessThanOrEqual(summary.scenarioSeconds);
    expect(first?.latestSeconds).toBeGreaterThan(summary.scenarioSeconds);
    expect((first?.latestSeconds ?? 0) - (first?.earliestSeconds ?? 0)).toBeLessThanOrEqual(15 * 60 + 300);
  });

  it("SQS guide, sqs-dead-letter-queues: messages the redrive policy moves in are not in the DLQ's NumberOfMessagesSent, so an alarm on it never fires", async () => {
    // Prepare
    const onMetric = (metric: string) => ({
      infra: { overrides: { "DLQAlarm.MetricName": metric, "DLQAlarm.Period": 60 } },
    });

    // Act
    const sent = await carrierDown(onMetric(SQS_METRICS.sent));
    const visible = await carrierDown(onMetric(SQS_METRICS.visible));

    // Assess
    expect(sent.summary.queue.movedToDlq).toBeGreaterThan(0);
    expect(sent.summary.alarms[0]?.transitions.map((t) => t.to)).not.toContain("ALARM");
    expect(visible.summary.alarms[0]?.transitions.map((t) => t.to)).toContain("ALARM");
  });

  it("SQS guide, setting-up-dead-letter-queue-retention: a DLQ's ApproximateAgeOfOldestMessage counts from the move, published only while it holds a message", async () => {
    // Prepare: messages sent at 1m fail until the outage ends; an alarm on the DLQ's age >= 300 s.
    const scenario = {
      infra: {
        overrides: {
          "DLQAlarm.MetricName": SQS_METRICS.ageOfOldest,
          "DLQAlarm.Statistic": "Maximum",
          "DLQAlarm.Threshold": 300,
          "DLQAlarm.Period": 60,
        },
      },
    };

    // Act
    const { summary, timeline } = await carrierDown(scenario);

    // Assess: the first dead letter arrives at minute m; its age reaches 300 s five minutes later,
    // long before it would counting from its send at 1m (the receives took 3 x 120 s).
    const firstDlqMinute = timeline.dlqDepth.findIndex((depth) => depth > 0);
    const alarmAt = summary.alarms[0]?.transitions.find((t) => t.to === "ALARM")?.atSeconds;
    expect(firstDlqMinute).toBeGreaterThan(1);
    expect(alarmAt).toBeGreaterThanOrEqual((firstDlqMinute + 5) * 60);
    expect(alarmAt).toBeLessThanOrEqual((firstDlqMinute + 7) * 60);
  });
});
