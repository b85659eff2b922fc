import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import type { RunSummary } from "../../../reports/summary";
import { runSummary } from "../../../reports/test/fixtures";
import { compareSummaries, formatComparison } from "../compare-summaries";
import { DEFAULT_TOLERANCES, parseTolerances } from "../tolerances";

/** A run of 20,000 recipients, 1,000 of them in the DLQ, one campaign, one alarm episode. */
function run(
  patch: { recipients?: Partial<RunSummary["recipients"]> } & Partial<Omit<RunSummary, "recipients">> = {},
) {
  const { recipients, ...rest } = patch;
  return runSummary({
    recipients: {
      requested: 20_000,
      sent: 18_800,
      failed: 200,
      inDlq: 1_000,
      pending: 0,
      expired: 0,
      unaccounted: 0,
      ...recipients,
    },
    campaigns: [
      {
        name: "sale",
        recipients: 20_000,
        startSeconds: 30,
        drainSeconds: 100,
        latencySeconds: { p50: 1, p95: 2, p99: 3 },
        dlq: { recipients: 0, longestSeconds: 0 },
        expiredRecipients: 0,
      },
    ],
    alarms: [
      {
        name: "messaging-dlq-alarm",
        transitions: [
          { atSeconds: 60, from: "INSUFFICIENT_DATA", to: "OK" },
          { atSeconds: 120, from: "OK", to: "ALARM" },
        ],
      },
    ],
    ...rest,
  });
}

const failing = (a: RunSummary, b: RunSummary) =>
  compareSummaries(a, b)
    .rows.filter((row) => row.ok === false)
    .map((row) => row.metric);

describe("compareSummaries", () => {
  it("accepts counts within 4 standard deviations of a 10-recipient binomial plus the floor", () => {
    // Prepare: inDlq p = 0.05..0.07 of 20,000; the larger variance is 10 x 20,000 x 0.07 x 0.93 = 13,020,
    // so the bound is 4 x sqrt(13,020) + 10 = 466.42
    const virtual = run();
    const near = run({ engine: "live", recipients: { inDlq: 1_400, sent: 18_400 } });
    const far = run({ engine: "live", recipients: { inDlq: 1_500, sent: 18_300 } });
    // Act
    const agree = compareSummaries(virtual, near);
    const disagree = compareSummaries(virtual, far);
    // Assess
    expect(agree.ok).toBe(true);
    expect(agree.rows.find((r) => r.metric === "recipients.inDlq")?.allowed).toBe("|diff| <= 466.42");
    expect(disagree.ok).toBe(false);
    expect(failing(virtual, far)).toEqual(["recipients.inDlq"]);
  });

  it("takes an absolute bound for a count when given one", () => {
    // Prepare
    const tolerances = parseTolerances(["inDlq=5"]);
    // Act
    const result = compareSummaries(run(), run({ recipients: { inDlq: 1_006, sent: 18_794 } }), tolerances);
    // Assess
    expect(result.rows.filter((r) => r.ok === false).map((r) => r.metric)).toEqual(["recipients.inDlq"]);
  });

  it("requires no duplicates and no unaccounted recipients in either run", () => {
    // Prepare
    const clean = run();
    const duplicated = run({ carrier: { ...clean.carrier, duplicateDeliveries: 1 } });
    const lost = run({ recipients: { unaccounted: 2 } });
    // Act + Assess
    expect(failing(clean, duplicated)).toEqual(["carrier.duplicateDeliveries"]);
    expect(failing(lost, clean)).toEqual(["recipients.unaccounted"]);
  });

  it("wants the same alarm transitions, each within one evaluation period", () => {
    // Prepare
    const base = run();
    const alarm = (alarmAt: number, to: "ALARM" | "OK" = "ALARM"): RunSummary["alarms"] => [
      {
        name: "messaging-dlq-alarm",
        transitions: [
          { atSeconds: 60, from: "INSUFFICIENT_DATA", to: "OK" },
          { atSeconds: alarmAt, from: "OK", to },
        ],
      },
    ];
    // Act + Assess
    expect(failing(base, run({ alarms: alarm(180) }))).toEqual([]);
    expect(failing(base, run({ alarms: alarm(181) }))).toEqual(["alarm messaging-dlq-alarm"]);
    expect(failing(base, run({ alarms: alarm(120, "OK") }))).toEqual(["alarm messaging-dlq-alarm"]);
    expect(failing(base, run({ alarms: [] }))).toEqual(["alarm messaging-dlq-alarm"]);
  });

  it("allows drain times 15% of the larger apart plus a second", () => {
    // Prepare
    const drained = (drainSeconds: number) =>
      run({
        campaigns: [
          {
            name: "sale",
            recipients: 20_000,
            startSeconds: 30,
            drainSeconds,
            latencySeconds: { p50: 1, p95: 2, p99: 3 },
            dlq: { recipients: 0, longestSeconds: 0 },
            expiredRecipients: 0,
          },
        ],
      });
    // Act + Assess: 100 vs 118 -> bound 0.15 x 118 + 1 = 18.7; 100 vs 119 -> 18.85
    expect(failing(drained(100), drained(118))).toEqual([]);
    expect(failing(drained(100), drained(119))).toEqual(["drain sale (s)"]);
    expect(failing(drained(100), run({ campaigns: [] }))).toEqual(["drain sale (s)"]);
  });

  it("prints a side-by-side table that says which checks failed", () => {
    // Prepare
    const comparison = compareSummaries(run(), run({ engine: "live", recipients: { unaccounted: 3 } }));
    // Act
    const text = formatComparison(comparison, ["A (virtual)", "B (live)"]);
    // Assess
    expect(text).toMatch(/^recipients\.unaccounted\s+0\s+3\s+both 0\s+FAIL$/m);
    expect(text).toMatch(/^recipients\.sent\s+18800\s+18800\s+\|diff\| <= \d+(\.\d+)?\s+ok$/m);
    expect(text).toMatch(/^engine\s+virtual\s+live$/m);
    expect(text).toContain("1 check(s) outside tolerances");
  });
});

describe("parseTolerances", () => {
  it("reads key=value pairs over the defaults, percentages included", () => {
    // Prepare + Act
    const tolerances = parseTolerances(["drain=20%", "alarm=300", "sigmas=3"]);
    // Assess
    expect(tolerances).toEqual({ ...DEFAULT_TOLERANCES, drain: 0.2, alarmSeconds: 300, sigmas: 3 });
  });

  it("names the pair it cannot read", () => {
    // Prepare + Act + Assess
    expect(() => parseTolerances(["speed=2"])).toThrow(ValidationError);
    expect(() => parseTolerances(["speed=2"])).toThrow(/--tolerance: .*got "speed=2"/);
    expect(() => parseTolerances(["drain=-1"])).toThrow(
      /--tolerance drain: expected a number >= 0 \(got "-1"\)/,
    );
  });
});
