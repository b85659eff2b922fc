import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import type { AlarmConfig } from "../../../infra/pipeline-config";
import { createAlarmEvaluator } from "../alarm-evaluator";
import { UnknownAlarmError, UnsupportedAlarmError } from "../errors";
import { createMetricStore, MINUTE_MS } from "../metric-store";
import { createSqsMetricsPublisher, SQS_IDLE_CUTOFF_MS } from "../sqs-metrics";
import { alarmConfig, evaluateEveryMinute, recordPattern, seedDlqAlarm, sqsSample, T0 } from "./fixtures";

/**
 * A DLQ that receives one message at `arrivalMs` and keeps it. Each minute boundary publishes the
 * minute that just ended (gauges as at its end), then evaluates, as CloudWatch would.
 */
function dlqRun(options: {
  arrivalMs: number | null;
  untilMs: number;
  idleCutoffMs?: number | null;
  alarm?: AlarmConfig;
}) {
  const alarm = options.alarm ?? seedDlqAlarm();
  const store = createMetricStore();
  const publisher = createSqsMetricsPublisher(store, {
    queueName: "messaging-dlq",
    startMs: T0,
    idleCutoffMs: options.idleCutoffMs ?? null,
  });
  const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
  const events = [];
  for (let at = T0 + MINUTE_MS; at <= options.untilMs; at += MINUTE_MS) {
    const visible = options.arrivalMs !== null && options.arrivalMs < at ? 1 : 0;
    publisher.publish(at - MINUTE_MS, sqsSample({ visible }));
    events.push(...evaluator.evaluate(at));
  }
  return { alarm, evaluator, events };
}

describe("seed DLQ alarm (Sum of visible messages over 300 s >= 1, 1 of 1)", () => {
  const period = 300_000;
  const arrivals = [12.5, 14.99, 15.01, 19.5, 40].map((minutes) => T0 + minutes * MINUTE_MS);

  it.each(arrivals)(
    "goes to ALARM once, when the period holding the first DLQ datapoint completes (arrival %i)",
    (arrivalMs) => {
      // Prepare
      const firstDatapointMinute = Math.floor(arrivalMs / MINUTE_MS) * MINUTE_MS;
      const periodEnd = (Math.floor(firstDatapointMinute / period) + 1) * period;

      // Act
      const { evaluator, events } = dlqRun({ arrivalMs, untilMs: T0 + 90 * MINUTE_MS });

      // Assess
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event?.transition).toMatchObject({
        alarm: "messaging-dlq-alarm",
        from: "OK",
        to: "ALARM",
        atMs: periodEnd,
      });
      expect(event?.actions).toEqual(["SlackNotificationTopic"]);
      expect(event?.transition.atMs).toBeGreaterThan(arrivalMs);
      expect(event?.transition.atMs).toBeLessThanOrEqual(arrivalMs + period + 2 * MINUTE_MS);
      expect(evaluator.state("messaging-dlq-alarm")).toBe("ALARM");
    },
  );

  it("goes to OK after its first period in a control run with zeros, and never to ALARM", () => {
    // Act
    const { evaluator, events } = dlqRun({ arrivalMs: null, untilMs: T0 + 120 * MINUTE_MS });

    // Assess
    expect(events).toEqual([]);
    expect(evaluator.history("messaging-dlq-alarm")).toEqual([
      expect.objectContaining({ from: "INSUFFICIENT_DATA", to: "OK", atMs: T0 + period }),
    ]);
  });

  it("goes to INSUFFICIENT_DATA once the idle DLQ stops publishing and the range holds no data", () => {
    // Act
    const { evaluator } = dlqRun({
      arrivalMs: null,
      untilMs: T0 + SQS_IDLE_CUTOFF_MS + 30 * MINUTE_MS,
      idleCutoffMs: SQS_IDLE_CUTOFF_MS,
    });

    // Assess: the last datapoint is the minute starting at 5:59; a range of 3 periods drops it at 6:15.
    expect(evaluator.history("messaging-dlq-alarm").map((t) => [t.to, t.atMs])).toEqual([
      ["OK", T0 + period],
      ["INSUFFICIENT_DATA", T0 + SQS_IDLE_CUTOFF_MS + 3 * period],
    ]);
  });

  // PutMetricAlarm: OKActions run on a transition to OK, InsufficientDataActions on one to
  // INSUFFICIENT_DATA; the template's lists reach the evaluator through the loader.
  it("runs the template's OKActions on the way to OK and its InsufficientDataActions when the idle DLQ's data runs out", () => {
    // Prepare
    const alarm = seedDlqAlarm({
      "DLQAlarm.OKActions": [{ Ref: "OkTopic" }],
      "DLQAlarm.InsufficientDataActions": [{ Ref: "NoDataTopic" }],
    });

    // Act
    const { events } = dlqRun({
      arrivalMs: null,
      untilMs: T0 + SQS_IDLE_CUTOFF_MS + 30 * MINUTE_MS,
      idleCutoffMs: SQS_IDLE_CUTOFF_MS,
      alarm,
    });

    // Assess
    expect(events.map((e) => [e.transition.to, e.actions])).toEqual([
      ["OK", ["OkTopic"]],
      ["INSUFFICIENT_DATA", ["NoDataTopic"]],
    ]);
  });

  it("words the reason the way CloudWatch does", () => {
    // Act
    const { events } = dlqRun({ arrivalMs: T0 + 12.5 * MINUTE_MS, untilMs: T0 + 20 * MINUTE_MS });

    // Assess: visible 1 for the minutes starting 10:12, 10:13 and 10:14 sums to 3 in [10:10, 10:15).
    expect(events[0]?.transition.reason).toBe(
      "Threshold Crossed: 1 out of the last 1 datapoints [3.0 (06/11/26 10:10:00)] was greater than or equal to " +
        "the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
    );
    expect(events[0]?.transition.datapoints).toEqual([{ timestampMs: T0 + 10 * MINUTE_MS, value: 3 }]);
  });
});

describe("M out of N", () => {
  it("alarms on 3 breaching of the last 5, not necessarily consecutive, and not on 2", () => {
    // Prepare
    const alarm = alarmConfig({ evaluationPeriods: 5, datapointsToAlarm: 3 });
    const store = createMetricStore();
    const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
    const twoOfFive = recordPattern(store, alarm, T0, "0 0 0 0 0 X 0 X 0");

    // Act
    const before = evaluateEveryMinute(evaluator, T0, twoOfFive);
    const stateWithTwo = evaluator.state(alarm.name);
    const threeOfFive = recordPattern(store, alarm, twoOfFive, "X");
    const after = evaluator.evaluate(threeOfFive);

    // Assess
    expect(before).toEqual([]);
    expect(stateWithTwo).toBe("OK");
    expect(after.map((e) => [e.transition.from, e.transition.to, e.actions])).toEqual([
      ["OK", "ALARM", ["AlarmTopic"]],
    ]);
    expect(after[0]?.transition.datapoints.map((d) => d.value)).toEqual([2, 0, 2, 0, 2]);
  });

  // CloudWatch guide, alarms-and-missing-data: with at least N real datapoints in the evaluation
  // range, the N most recent decide.
  it("goes OK when the 3 most recent datapoints hold fewer than 2 breaches, though older ones in the range breach", () => {
    // Prepare: 2 of 3, range 5
    const alarm = alarmConfig({ evaluationPeriods: 3, datapointsToAlarm: 2 });
    const store = createMetricStore();
    const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
    const end = recordPattern(store, alarm, T0, "X X 0 0 0");

    // Act
    evaluator.evaluate(end);

    // Assess
    expect(
      evaluator.history(alarm.name).map((t) => [t.to, t.datapoints.map((d) => d.timestampMs - T0)]),
    ).toEqual([["OK", [4, 3, 2].map((m) => m * MINUTE_MS)]]);
  });

  it("fires OKActions on the way back to OK, and nothing while the state holds", () => {
    // Prepare
    const alarm = alarmConfig({ evaluationPeriods: 1, datapointsToAlarm: 1, okActions: ["OkTopic"] });
    const store = createMetricStore();
    const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
    const end = recordPattern(store, alarm, T0, "X X X 0 0");

    // Act
    const events = evaluateEveryMinute(evaluator, T0, end);

    // Assess
    expect(events.map((e) => [e.transition.to, e.actions, e.transition.atMs])).toEqual([
      ["ALARM", ["AlarmTopic"], T0 + MINUTE_MS],
      ["OK", ["OkTopic"], T0 + 4 * MINUTE_MS],
    ]);
  });
});

describe("alarm evaluator input checks", () => {
  it("rejects evaluating back in time", () => {
    // Prepare
    const evaluator = createAlarmEvaluator([alarmConfig()], createMetricStore(), { startMs: T0 });
    evaluator.evaluate(T0 + 5 * MINUTE_MS);

    // Act
    const act = () => evaluator.evaluate(T0 + 4 * MINUTE_MS);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(`nowMs: must not precede the last evaluation (${T0 + 5 * MINUTE_MS})`);
  });

  it("accepts a second evaluation at the same time and makes no second transition", () => {
    // Prepare
    const alarm = alarmConfig({ evaluationPeriods: 1, datapointsToAlarm: 1 });
    const store = createMetricStore();
    const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
    const end = recordPattern(store, alarm, T0, "X");

    // Act
    const first = evaluator.evaluate(end);
    const again = evaluator.evaluate(end);

    // Assess
    expect([first.length, again.length]).toEqual([1, 0]);
  });

  it("refuses two alarms with one name", () => {
    // Act
    const act = () =>
      createAlarmEvaluator([alarmConfig(), alarmConfig()], createMetricStore(), { startMs: T0 });

    // Assess
    expect(act).toThrow(UnsupportedAlarmError);
    expect(act).toThrow(/test-alarm.*two alarms share this name/);
  });

  it("names the unknown alarm and the known ones", () => {
    // Prepare
    const evaluator = createAlarmEvaluator([alarmConfig()], createMetricStore(), { startMs: T0 });

    // Act
    const act = () => evaluator.state("nope");

    // Assess
    expect(act).toThrow(UnknownAlarmError);
    expect(act).toThrow(/"nope".*test-alarm/);
  });

  it("refuses a high-resolution period on minute data", () => {
    // Act
    const act = () =>
      createAlarmEvaluator([alarmConfig({ periodSeconds: 10 })], createMetricStore(), { startMs: T0 });

    // Assess
    expect(act).toThrow(UnsupportedAlarmError);
    expect(act).toThrow(/Period 10 s/);
  });
});
