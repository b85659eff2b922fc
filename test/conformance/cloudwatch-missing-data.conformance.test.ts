import { describe, expect, it } from "vitest";
import type { AlarmConfig } from "../../infra/pipeline-config";
import { type AlarmState, createAlarmEvaluator } from "../../sim/alarms/alarm-evaluator";
import { createMetricStore, MINUTE_MS } from "../../sim/alarms/metric-store";
import { alarmConfig, recordPattern, T0 } from "../../sim/alarms/test/fixtures";

const PAGE = "CloudWatch user guide, alarms-and-missing-data";
type Cell = Exclude<AlarmState, "INSUFFICIENT_DATA"> | "INSUFFICIENT_DATA" | "retain";

/**
 * AWS's two tables, as printed: Evaluation Periods 3, evaluation range 5, the most recent data
 * point on the right; 0 not breaching, X breaching, - missing. Columns: MISSING, IGNORE, BREACHING,
 * NOT BREACHING. "retain" is the table's "Retain current state".
 */
const TABLES: { title: string; m: number; rows: [string, Cell, Cell, Cell, Cell][] }[] = [
  {
    title: "3 of 3 table",
    m: 3,
    rows: [
      ["0 - X - X", "OK", "OK", "OK", "OK"],
      ["0 - - - -", "OK", "OK", "OK", "OK"],
      ["- - - - -", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"],
      ["0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["- - X - -", "ALARM", "retain", "ALARM", "OK"],
    ],
  },
  {
    title: "2 of 3 table",
    m: 2,
    rows: [
      ["0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"],
      ["0 - X - -", "OK", "OK", "ALARM", "OK"],
      ["- - - - 0", "OK", "OK", "ALARM", "OK"],
      ["- - - X -", "ALARM", "retain", "ALARM", "OK"],
    ],
  },
];
const TREATMENTS = ["missing", "ignore", "breaching", "notBreaching"] as const;
const PRIORS = ["OK", "ALARM"] as const;

const cases = TABLES.flatMap(({ title, m, rows }) =>
  rows.flatMap(([pattern, ...cells]) =>
    TREATMENTS.flatMap((treatMissingData, i) =>
      PRIORS.map((prior) => {
        const cell = cells[i] as Cell;
        return { title, m, pattern, treatMissingData, prior, expected: cell === "retain" ? prior : cell };
      }),
    ),
  ),
);

/**
 * Puts an alarm in `prior` on data that leaves the evaluation range before `pattern` is recorded,
 * then evaluates once at the end of the pattern: the table row is then all the alarm sees.
 */
function stateAfter(alarm: AlarmConfig, prior: "OK" | "ALARM", pattern: string): AlarmState {
  const store = createMetricStore();
  const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
  const primed = recordPattern(store, alarm, T0, prior === "ALARM" ? "X X X" : "0 0 0");
  evaluator.evaluate(primed);
  if (evaluator.state(alarm.name) !== prior) throw new Error(`could not reach ${prior} before the row`);
  const patternEnd = recordPattern(store, alarm, primed + 10 * MINUTE_MS, pattern);
  evaluator.evaluate(patternEnd);
  return evaluator.state(alarm.name);
}

describe(`TreatMissingData (${PAGE}): every documented row x treatment x prior state`, () => {
  it.each(cases)(
    `${PAGE}, $title: $pattern under $treatMissingData from $prior -> $expected`,
    ({ m, pattern, treatMissingData, prior, expected }) => {
      // Prepare
      const alarm = alarmConfig({ evaluationPeriods: 3, datapointsToAlarm: m, treatMissingData });

      // Act
      const state = stateAfter(alarm, prior, pattern);

      // Assess
      expect(state).toBe(expected);
    },
  );
});

describe(`premature alarm state (${PAGE}, "Avoiding premature transitions to alarm state")`, () => {
  it.each(["- - - - X", "- - - X -"])(
    `${PAGE}: %s at 3 of 3 does not go to ALARM yet under missing or ignore`,
    (pattern) => {
      // Prepare
      const missing = alarmConfig({ treatMissingData: "missing" });
      const ignore = alarmConfig({ treatMissingData: "ignore" });

      // Act
      const states = PRIORS.flatMap((prior) => [
        stateAfter(missing, prior, pattern),
        stateAfter(ignore, prior, pattern),
      ]);

      // Assess: the page's earlier edition tabulated "- - - - X" as INSUFFICIENT_DATA / retain.
      expect(states).toEqual(["INSUFFICIENT_DATA", "OK", "INSUFFICIENT_DATA", "ALARM"]);
    },
  );

  // The rule looks at "the oldest available breaching datapoint during the Evaluation Periods number
  // of data points": a breach older than the N most recent periods does not count.
  it(`${PAGE}: X - - - - at 3 of 3 under missing is INSUFFICIENT_DATA, its breach outside the 3 evaluation periods`, () => {
    // Prepare
    const alarm = alarmConfig({ treatMissingData: "missing" });

    // Act
    const states = PRIORS.map((prior) => stateAfter(alarm, prior, "X - - - -"));

    // Assess
    expect(states).toEqual(["INSUFFICIENT_DATA", "INSUFFICIENT_DATA"]);
  });

  it(`${PAGE}: a breach followed by missing data alarms once it is M periods old (- - - - X, then - - X - -)`, () => {
    // Prepare
    const alarm = alarmConfig();
    const store = createMetricStore();
    const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
    const breachAt = recordPattern(store, alarm, T0, "0 0 0") + 10 * MINUTE_MS;
    evaluator.evaluate(breachAt);
    recordPattern(store, alarm, breachAt, "X");

    // Act
    const states = [1, 2, 3].map((minutesAfter) => {
      evaluator.evaluate(breachAt + minutesAfter * MINUTE_MS);
      return evaluator.state(alarm.name);
    });

    // Assess
    expect(states).toEqual(["INSUFFICIENT_DATA", "INSUFFICIENT_DATA", "ALARM"]);
  });

  it(`${PAGE}: a non-breaching data point then missing data recovers to ALARM under breaching once it leaves the range`, () => {
    // Prepare: the page's note on "0 - - - -": OK now, ALARM when the 0 is no longer in the range.
    const alarm = alarmConfig({ treatMissingData: "breaching" });
    const store = createMetricStore();
    const evaluator = createAlarmEvaluator([alarm], store, { startMs: T0 });
    const end = recordPattern(store, alarm, T0, "0 - - - -");

    // Act
    evaluator.evaluate(end);
    const now = evaluator.state(alarm.name);
    evaluator.evaluate(end + MINUTE_MS);

    // Assess
    expect([now, evaluator.state(alarm.name)]).toEqual(["OK", "ALARM"]);
  });
});
