import { describe, expect, it } from "vitest";
import { type CatalogMetric, didYouMean, type TagValues, thresholdProblems } from "../threshold-checks";
import { parseThresholds, type ThresholdsConfig } from "../threshold-parser";

const CATALOG = new Map<string, CatalogMetric>([
  ["sms_sent", { kind: "counter", tags: ["campaign", "carrier"] }],
  ["latency_ms", { kind: "trend", tags: ["status"] }],
  ["queue_depth", { kind: "gauge", tags: [] }],
]);

const TAG_VALUES: Record<string, TagValues> = {
  campaign: { values: ["spring", "summer"], source: "the scenario's traffic names" },
  status: { values: [], source: "the statuses" },
};

function problemsOf(config: ThresholdsConfig) {
  return thresholdProblems(parseThresholds(config), CATALOG, TAG_VALUES);
}

describe("threshold problems before a run", () => {
  it("accepts thresholds on known metrics, tags and values, and tags whose values the run does not list", () => {
    // Act
    const problems = problemsOf({
      "sms_sent{campaign:spring,carrier:anything}": ["count > 0", "rate < 5"],
      latency_ms: ["p(95) < 500", "avg < 100"],
    });

    // Assess
    expect(problems).toEqual([]);
  });

  it("names an unknown metric, the closest name and every metric", () => {
    // Act
    const problems = problemsOf({ sms_snet: ["count > 0"], xyz: ["count > 0"] });

    // Assess
    expect(problems).toEqual([
      {
        key: "sms_snet",
        message:
          'no metric named "sms_snet" (did you mean "sms_sent"?); metrics: latency_ms, queue_depth, sms_sent',
      },
      { key: "xyz", message: 'no metric named "xyz"; metrics: latency_ms, queue_depth, sms_sent' },
    ]);
  });

  it("names a tag the metric does not carry, and the tags it does", () => {
    // Act
    const problems = problemsOf({
      "sms_sent{carier:kt}": ["count > 0"],
      "queue_depth{queue:a}": ["value < 5"],
    });

    // Assess
    expect(problems).toEqual([
      {
        key: "sms_sent{carier:kt}",
        message: 'sms_sent takes the tags campaign, carrier, not "carier" (did you mean "carrier"?)',
      },
      { key: "queue_depth{queue:a}", message: 'queue_depth takes no tags, not "queue"' },
    ]);
  });

  it("names a tag value the run cannot produce, so the threshold cannot pass on no samples", () => {
    // Act
    const problems = problemsOf({
      "sms_sent{campaign:sprig}": ["count > 0"],
      "latency_ms{status:ok}": ["avg < 100"],
    });

    // Assess
    expect(problems).toEqual([
      {
        key: "sms_sent{campaign:sprig}",
        message: `campaign "sprig" matches nothing in this run (did you mean "spring"?); the scenario's traffic names are spring, summer`,
      },
      {
        key: "latency_ms{status:ok}",
        message: 'status "ok" matches nothing in this run; the statuses are (none)',
      },
    ]);
  });

  it("names every aggregation the metric's kind lacks, with its index, as k6 refuses them", () => {
    // Act
    const problems = problemsOf({ sms_sent: ["count > 0", "p(95) < 5", "avg < 1"] });

    // Assess
    expect(problems).toEqual([
      {
        key: "sms_sent",
        index: 1,
        message: '"p(95) < 5": sms_sent is a counter, which supports count, rate, not p(95)',
      },
      {
        key: "sms_sent",
        index: 2,
        message: '"avg < 1": sms_sent is a counter, which supports count, rate, not avg',
      },
    ]);
  });

  it("reports a bad tag and a bad aggregation of the same threshold together", () => {
    // Act
    const problems = problemsOf({ "queue_depth{queue:a,shard:1}": ["max < 5"] });

    // Assess
    expect(problems.map((p) => p.message)).toEqual([
      'queue_depth takes no tags, not "queue"',
      'queue_depth takes no tags, not "shard"',
      '"max < 5": queue_depth is a gauge, which supports value, not max',
    ]);
  });
});

describe("did you mean", () => {
  it.each([
    ["ALRAM", ["ALARM", "OK"], ' (did you mean "ALARM"?)'],
    ["Latency_MS", ["latency_ms"], ' (did you mean "latency_ms"?)'],
    ["sms_sen", ["sms_sent", "sms_se"], ' (did you mean "sms_sent"?)'],
    ["ssm_snet", ["sms_sent"], ' (did you mean "sms_sent"?)'],
    ["latency_m", ["latency_mss", "latency_ms"], ' (did you mean "latency_ms"?)'],
    ["ba", ["bx", "ab"], ' (did you mean "bx"?)'],
    ["ax", ["ya", "az"], ' (did you mean "az"?)'],
    ["xa", ["ay", "za"], ' (did you mean "za"?)'],
    ["ab", ["xyz"], ""],
    ["abcdefghi", ["abcdefxyz"], ' (did you mean "abcdefxyz"?)'],
    ["abcdefghi", ["abcdewxyz"], ""],
    ["latency", ["latency_ms"], ""],
    ["x", [], ""],
  ])("suggests for %j among %j: %j", (word, candidates, suggestion) => {
    // Act
    const text = didYouMean(word, candidates);

    // Assess: within max(2, a third of the word's length) edits, the first of the closest
    expect(text).toBe(suggestion);
  });
});
