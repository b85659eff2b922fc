import { describe, expect, it } from "vitest";
import type { AlarmConfig } from "../../../infra/pipeline-config";
import { createAlarmEvaluator } from "../alarm-evaluator";
import { createMetricStore, MINUTE_MS } from "../metric-store";
import { alarmConfig, recordPattern, T0 } from "./fixtures";

/** A 1-of-1 alarm on one-minute periods, fed `values` one a minute from T0; its transitions. */
function run(overrides: Partial<AlarmConfig>, values: readonly number[]) {
  const alarm = alarmConfig({ evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 5, ...overrides });
  const store = createMetricStore();
  const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
  values.forEach((value, i) => {
    store.record(alarm.metricName, alarm.dimensions, T0 + i * MINUTE_MS, value);
    evaluator.evaluate(T0 + (i + 1) * MINUTE_MS);
  });
  return { state: evaluator.state(alarm.name), history: evaluator.history(alarm.name) };
}

// PutMetricAlarm, ComparisonOperator: "The specified statistic value is used as the first operand."
describe("CloudWatch comparison operators at the threshold (API_PutMetricAlarm)", () => {
  const cases: [AlarmConfig["comparisonOperator"], number, "ALARM" | "OK"][] = [
    ["GreaterThanOrEqualToThreshold", 5, "ALARM"],
    ["GreaterThanOrEqualToThreshold", 4.5, "OK"],
    ["GreaterThanThreshold", 5, "OK"],
    ["GreaterThanThreshold", 5.5, "ALARM"],
    ["LessThanThreshold", 5, "OK"],
    ["LessThanThreshold", 4.5, "ALARM"],
    ["LessThanOrEqualToThreshold", 5, "ALARM"],
    ["LessThanOrEqualToThreshold", 5.5, "OK"],
  ];

  it.each(cases)(
    "%s with the statistic at %d against 5 goes to %s",
    (comparisonOperator, value, expected) => {
      // Prepare + Act
      const { state } = run({ comparisonOperator }, [value]);
      // Assess
      expect(state).toBe(expected);
    },
  );
});

/** A 3-of-3 alarm (threshold 1) evaluated once at the end of `pattern` (see recordPattern): its transitions. */
function evaluatedOnce(treatMissingData: AlarmConfig["treatMissingData"], pattern: string) {
  const alarm = alarmConfig({ treatMissingData });
  const store = createMetricStore();
  const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
  evaluator.evaluate(recordPattern(store, alarm, T0, pattern));
  return evaluator.history(alarm.name).map((t) => ({ to: t.to, reason: t.reason, datapoints: t.datapoints }));
}

describe("NewStateReason, in CloudWatch's words", () => {
  it.each([
    ["GreaterThanOrEqualToThreshold", 5, "greater than or equal to"],
    ["GreaterThanThreshold", 6, "greater than"],
    ["LessThanThreshold", 4, "less than"],
    ["LessThanOrEqualToThreshold", 5, "less than or equal to"],
  ] as const)('words %s as "was %s the threshold"', (comparisonOperator, value, words) => {
    // Prepare + Act
    const { history } = run({ comparisonOperator }, [value]);
    // Assess
    expect(history[0]?.reason).toContain(`] was ${words} the threshold (5.0) `);
  });

  // Java's Double.toString: plain from 10^-3 up to, not including, 10^7; computerized scientific
  // notation outside.
  it("prints 10 000 000 as 1.0E7 and 9 999 999 as 9999999.0, as Java does", () => {
    // Prepare + Act
    const { history } = run(
      { comparisonOperator: "LessThanThreshold", threshold: 9_999_999.5 },
      [9_999_999, 10_000_000],
    );
    // Assess
    expect(history.map((t) => t.reason.match(/\[([^ ]+) /)?.[1])).toEqual(["9999999.0", "1.0E7"]);
  });

  it("says how many missing datapoints were treated as breaching, and lists the real ones", () => {
    // Act
    const history = evaluatedOnce("breaching", "- - - X -");
    // Assess
    expect(history).toEqual([
      {
        to: "ALARM",
        reason:
          "Threshold Crossed: 1 out of the last 3 datapoints [2.0 (06/11/26 10:03:00)] was greater than or equal to the threshold (1.0) (minimum 3 datapoints for INSUFFICIENT_DATA -> ALARM transition). 2 missing datapoints treated as [Breaching].",
        datapoints: [{ timestampMs: T0 + 3 * MINUTE_MS, value: 2 }],
      },
    ]);
  });

  it("mentions no missing datapoints when the N most recent are all real, whatever the treatment", () => {
    // Act
    const history = evaluatedOnce("breaching", "X X X");
    // Assess
    expect(history.map((t) => t.reason)).toEqual([
      "Threshold Crossed: 3 out of the last 3 datapoints [2.0 (06/11/26 10:02:00), 2.0 (06/11/26 10:01:00), 2.0 (06/11/26 10:00:00)] was greater than or equal to the threshold (1.0) (minimum 3 datapoints for INSUFFICIENT_DATA -> ALARM transition).",
    ]);
  });

  it("says how many missing datapoints were treated as not breaching", () => {
    // Act
    const history = evaluatedOnce("notBreaching", "- - - 0 -");
    // Assess
    expect(history.map((t) => [t.to, t.reason])).toEqual([
      [
        "OK",
        "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (06/11/26 10:03:00)] was not greater than or equal to the threshold (1.0) (minimum 3 datapoints for INSUFFICIENT_DATA -> OK transition). 2 missing datapoints treated as [NonBreaching].",
      ],
    ]);
  });

  it("treats nothing as missing under missing: the real datapoints alone bear out OK", () => {
    // Act
    const history = evaluatedOnce("missing", "- - - 0 -");
    // Assess
    expect(history.map((t) => [t.to, t.reason])).toEqual([
      [
        "OK",
        "Threshold Crossed: 1 out of the last 3 datapoints [0.0 (06/11/26 10:03:00)] was not greater than or equal to the threshold (1.0) (minimum 3 datapoints for INSUFFICIENT_DATA -> OK transition).",
      ],
    ]);
  });

  it("counts the whole evaluation range as unknown on the way to INSUFFICIENT_DATA", () => {
    // Prepare: OK on real data, then the metric stops for the whole range (EvaluationPeriods 3 + 2)
    const alarm = alarmConfig();
    const store = createMetricStore();
    const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
    const end = recordPattern(store, alarm, T0, "0 0 0 - - - - -");
    // Act
    evaluator.evaluate(T0 + 3 * MINUTE_MS);
    evaluator.evaluate(end);
    // Assess
    expect(evaluator.history(alarm.name).map((t) => [t.to, t.reason, t.datapoints])).toEqual([
      ["OK", expect.stringContaining("3 out of the last 3 datapoints"), expect.any(Array)],
      ["INSUFFICIENT_DATA", "Insufficient Data: 5 datapoints were unknown.", []],
    ]);
  });

  it("lists the datapoint with Java's number format and the UTC time, for a move to ALARM", () => {
    // Prepare + Act
    const { history } = run({}, [15_000_000]);
    // Assess
    expect(history.map((t) => t.reason)).toEqual([
      "Threshold Crossed: 1 out of the last 1 datapoints [1.5E7 (06/11/26 10:00:00)] was greater than or equal to the threshold (5.0) (minimum 1 datapoint for INSUFFICIENT_DATA -> ALARM transition).",
    ]);
  });

  // A real notification: "1 out of the last 3 datapoints [0.0 (04/10/21 21:42:00)] was not greater than
  // the threshold (0.1) (minimum 1 datapoint for ALARM -> OK transition)": on the way back to OK the
  // datapoints counted are the ones that do not breach.
  it("counts the datapoints that do not breach on the way back to OK, and prints small values as Java does", () => {
    // Prepare + Act
    const { history } = run({ comparisonOperator: "LessThanThreshold", threshold: 0.001 }, [0.0005, 0.25]);
    // Assess
    expect(history.map((t) => [t.from, t.to, t.reason])).toEqual([
      [
        "INSUFFICIENT_DATA",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints [5.0E-4 (06/11/26 10:00:00)] was less than the threshold (0.001) (minimum 1 datapoint for INSUFFICIENT_DATA -> ALARM transition).",
      ],
      [
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 1 datapoints [0.25 (06/11/26 10:01:00)] was not less than the threshold (0.001) (minimum 1 datapoint for ALARM -> OK transition).",
      ],
    ]);
  });

  it("counts and lists the breaching datapoints of an M-of-N decision and names the minimum for the transition", () => {
    // Prepare + Act: 2 of 3, the third breach completes it
    const { history } = run({ evaluationPeriods: 3, datapointsToAlarm: 2, threshold: 10 }, [12, 3, 20]);
    // Assess
    const toAlarm = history.find((t) => t.to === "ALARM");
    expect(toAlarm?.reason).toBe(
      "Threshold Crossed: 2 out of the last 3 datapoints [20.0 (06/11/26 10:02:00), 12.0 (06/11/26 10:00:00)] was greater than or equal to the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).",
    );
  });
});
