import { type AlarmConfig, loadPipelineConfig, type TemplateOverrides } from "../../../infra/pipeline-config";
import { type AlarmEvaluator, createAlarmEvaluator } from "../alarm-evaluator";
import { type AlarmNotification, buildAlarmNotification } from "../alarm-notification";
import { createMetricStore, type MetricStore, MINUTE_MS } from "../metric-store";
import { SQS_METRICS, type SqsMinuteSample } from "../sqs-metrics";

/** 2026-11-06T10:00:00Z: aligned to every period the tests use. */
export const T0 = Date.UTC(2026, 10, 6, 10, 0, 0);

/** The seed template's DLQ alarm, as the loader reads it, with `overrides` ("DLQAlarm.OKActions": ...). */
export function seedDlqAlarm(overrides: TemplateOverrides = {}): AlarmConfig {
  const alarm = loadPipelineConfig({ overrides }).alarms.find((a) => a.logicalId === "DLQAlarm");
  if (!alarm) throw new Error("infra/template.yaml has no DLQAlarm");
  return alarm;
}

/** A one-minute alarm on a test metric; override what the test is about. */
export function alarmConfig(overrides: Partial<AlarmConfig> = {}): AlarmConfig {
  return {
    logicalId: "TestAlarm",
    name: "test-alarm",
    description: null,
    metricName: SQS_METRICS.visible,
    namespace: "AWS/SQS",
    dimensions: [{ name: "QueueName", value: "test-queue" }],
    statistic: "Maximum",
    periodSeconds: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "missing",
    alarmActions: ["AlarmTopic"],
    okActions: [],
    insufficientDataActions: [],
    ...overrides,
  };
}

export function sqsSample(overrides: Partial<SqsMinuteSample> = {}): SqsMinuteSample {
  return {
    visible: 0,
    notVisible: 0,
    delayed: 0,
    sent: 0,
    received: 0,
    deleted: 0,
    emptyReceives: 0,
    ...overrides,
  };
}

/**
 * Records a pattern of one-minute datapoints for `alarm`'s metric, oldest first, starting at
 * `fromMs`: "X" breaches (threshold + 1), "0" does not (threshold - 1), "-" is missing.
 */
export function recordPattern(
  store: MetricStore,
  alarm: AlarmConfig,
  fromMs: number,
  pattern: string,
): number {
  const slots = pattern.split(/\s+/).filter(Boolean);
  slots.forEach((slot, i) => {
    if (slot === "-") return;
    const value = slot === "X" ? alarm.threshold + 1 : alarm.threshold - 1;
    store.record(alarm.metricName, alarm.dimensions, fromMs + i * MINUTE_MS, value);
  });
  return fromMs + slots.length * MINUTE_MS;
}

/** Evaluates at every minute boundary in (fromMs, toMs], as CloudWatch does. */
export function evaluateEveryMinute(evaluator: AlarmEvaluator, fromMs: number, toMs: number) {
  const events = [];
  for (let at = fromMs + MINUTE_MS; at <= toMs; at += MINUTE_MS) events.push(...evaluator.evaluate(at));
  return events;
}

/** The seed DLQ alarm's notification after `visible` messages sat in the DLQ for each of 5 minutes. */
export function dlqAlarmNotification(visible = 1): AlarmNotification {
  const alarm = seedDlqAlarm();
  const store = createMetricStore();
  for (let i = 0; i < 5; i++)
    store.record(SQS_METRICS.visible, alarm.dimensions, T0 + i * MINUTE_MS, visible);
  const [event] = createAlarmEvaluator([alarm], store, { startMs: T0 }).evaluate(T0 + 5 * MINUTE_MS);
  if (!event) throw new Error("the DLQ alarm did not fire");
  return buildAlarmNotification(alarm, event.transition, {
    accountId: "123456789012",
    region: "ap-northeast-2",
  });
}
