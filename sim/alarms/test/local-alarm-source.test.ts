import { describe, expect, it } from "vitest";
import type { QueueDepth } from "../../../domain/sqs-client";
import { type AlarmConfig, loadPipelineConfig } from "../../../infra/pipeline-config";
import { createLocalAlarmSource } from "../local-alarm-source";
import { MINUTE_MS } from "../metric-store";
import { SQS_METRICS } from "../sqs-metrics";
import { alarmConfig, T0 } from "./fixtures";

const depth = (visible: number): QueueDepth => ({ visible, inFlight: 0, delayed: 0 });

/**
 * The console's alarm source over queues whose DLQ holds `dlqVisible[i]` messages in minute i, with
 * the template's alarms and `extraAlarms`.
 */
async function watch(dlqVisible: number[], extraAlarms: AlarmConfig[] = []) {
  let minute = 0;
  const pipeline = loadPipelineConfig();
  const source = createLocalAlarmSource({
    pipeline: { ...pipeline, alarms: [...pipeline.alarms, ...extraAlarms] },
    readDepths: async () => ({ source: depth(0), dlq: depth(dlqVisible[minute - 1] ?? 0) }),
    startMs: T0,
  });
  const before = source.current();
  for (minute = 1; minute <= dlqVisible.length; minute++) await source.sampleMinute(T0 + minute * MINUTE_MS);
  return { before, source };
}

describe("createLocalAlarmSource", () => {
  it("says the template's DLQ alarm is not evaluated before its first 5-minute period ends", async () => {
    // Act
    const { before, source } = await watch([0, 0, 0, 0]);
    // Assess
    expect(before).toEqual([
      expect.objectContaining({
        name: "messaging-dlq-alarm",
        state: "INSUFFICIENT_DATA",
        stateChangedAt: T0,
      }),
    ]);
    expect(source.current()[0]?.reason).toMatch(/Not evaluated yet/);
    expect(source.history()).toEqual([]);
  });

  it("goes OK over an empty DLQ, then ALARM on the Sum of the next period, as the template sets it", async () => {
    // Prepare: Period 300 s, Sum of ApproximateNumberOfMessagesVisible >= 1 over 1 period.
    const dlq = [0, 0, 0, 0, 0, 0, 0, 2, 2, 2];
    // Act
    const { source } = await watch(dlq);
    // Assess
    expect(source.current()[0]).toMatchObject({ state: "ALARM", stateChangedAt: T0 + 10 * MINUTE_MS });
    expect(source.history().map((t) => [t.from, t.to, t.at])).toEqual([
      ["INSUFFICIENT_DATA", "OK", T0 + 5 * MINUTE_MS],
      ["OK", "ALARM", T0 + 10 * MINUTE_MS],
    ]);
    expect(source.current()[0]?.reason).toContain("[6.0");
  });

  it("shows the latest state change once the DLQ is drained and the alarm is back to OK", async () => {
    // Prepare: messages sit in the DLQ during minutes 5 to 9, then it is drained
    const dlq = [0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0];
    // Act
    const { source } = await watch(dlq);
    // Assess
    expect(source.history().map((t) => [t.to, t.at])).toEqual([
      ["OK", T0 + 5 * MINUTE_MS],
      ["ALARM", T0 + 10 * MINUTE_MS],
      ["OK", T0 + 15 * MINUTE_MS],
    ]);
    expect(source.current()[0]).toMatchObject({ state: "OK", stateChangedAt: T0 + 15 * MINUTE_MS });
    expect(source.current()[0]?.reason).toMatch(
      /^Threshold Crossed: 1 out of the last 1 datapoints \[0\.0 .*ALARM -> OK/,
    );
  });
});

describe("createLocalAlarmSource over the source queue too", () => {
  it("evaluates an alarm on the source queue's in-flight messages and lists every alarm's transitions in time order", async () => {
    // Prepare: the seed's DLQ alarm beside a 1-minute alarm on messages in flight in the source queue
    const pipeline = loadPipelineConfig();
    const inFlightAlarm = alarmConfig({
      name: "queue-in-flight",
      metricName: SQS_METRICS.notVisible,
      dimensions: [{ name: "QueueName", value: pipeline.queue.name }],
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
    });
    const inFlight = [0, 0, 0, 0, 0, 0, 4, 4, 4, 4];
    const dlq = [0, 0, 0, 0, 0, 0, 0, 0, 2, 2];
    let minute = 0;
    const source = createLocalAlarmSource({
      pipeline: { ...pipeline, alarms: [...pipeline.alarms, inFlightAlarm] },
      readDepths: async () => ({
        source: { visible: 0, inFlight: inFlight[minute - 1] ?? 0, delayed: 0 },
        dlq: depth(dlq[minute - 1] ?? 0),
      }),
      startMs: T0,
    });

    // Act
    for (minute = 1; minute <= inFlight.length; minute++) await source.sampleMinute(T0 + minute * MINUTE_MS);

    // Assess
    expect(source.history().map((t) => [t.name, t.to, (t.at - T0) / MINUTE_MS])).toEqual([
      ["queue-in-flight", "OK", 1],
      ["messaging-dlq-alarm", "OK", 5],
      ["queue-in-flight", "ALARM", 7],
      ["messaging-dlq-alarm", "ALARM", 10],
    ]);
    expect(source.current().map((a) => [a.name, a.state])).toEqual([
      ["messaging-dlq-alarm", "ALARM"],
      ["queue-in-flight", "ALARM"],
    ]);
  });
});

describe("createLocalAlarmSource and the action metrics GetQueueAttributes does not give", () => {
  it.each([
    ["missing", "INSUFFICIENT_DATA"],
    ["notBreaching", "OK"],
    ["breaching", "ALARM"],
    ["ignore", "INSUFFICIENT_DATA"],
  ] as const)(
    "publishes no NumberOfMessagesSent, so an alarm on it treating missing data as %s is %s, and the DLQ alarm still fires",
    async (treatMissingData, state) => {
      // Prepare: beside the seed's DLQ alarm, a 1-minute alarm for a producer that stopped sending
      const producerStopped = alarmConfig({
        name: "producer-stopped",
        metricName: SQS_METRICS.sent,
        dimensions: [{ name: "QueueName", value: loadPipelineConfig().queue.name }],
        statistic: "Sum",
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData,
      });
      const dlq = [0, 0, 0, 0, 0, 2, 2, 2, 2, 2];

      // Act
      const { source } = await watch(dlq, [producerStopped]);

      // Assess
      expect(source.current().map((a) => [a.name, a.state])).toEqual([
        ["messaging-dlq-alarm", "ALARM"],
        ["producer-stopped", state],
      ]);
    },
  );
});
