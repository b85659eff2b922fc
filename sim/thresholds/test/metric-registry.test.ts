import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { MetricKindConflictError } from "../errors";
import { createMetricRegistry, type Tags } from "../metric-registry";

describe("metric registry", () => {
  it("gives the same metric for a name declared twice, with its samples", () => {
    // Prepare
    const registry = createMetricRegistry();
    registry.counter("sms_sent").add(2);

    // Act
    const again = registry.counter("sms_sent");
    again.add();

    // Assess
    expect(again).toBe(registry.counter("sms_sent"));
    expect(again.name).toBe("sms_sent");
    expect(registry.kind("sms_sent")).toBe("counter");
    expect(registry.view("sms_sent", {})).toEqual({ kind: "counter", count: 3 });
  });

  it.each(["counter", "gauge", "rate", "trend"] as const)("keeps a %s's kind for life", (kind) => {
    // Prepare
    const registry = createMetricRegistry();
    registry[kind]("m");
    const other = kind === "counter" ? "gauge" : "counter";

    // Act
    const act = () => registry[other]("m");

    // Assess
    expect(act).toThrow(MetricKindConflictError);
    expect(registry.kind("m")).toBe(kind);
  });

  it.each([
    ["latency_ms", true],
    ["_x.y-z9", true],
    [`a${"b".repeat(127)}`, true],
    [`a${"b".repeat(128)}`, false],
    ["9lives", false],
    ["", false],
    ["sms sent", false],
  ])("takes %j as a metric name: %s", (name, valid) => {
    // Act
    const act = () => createMetricRegistry().trend(name);

    // Assess
    if (valid) expect(act).not.toThrow();
    else expect(act).toThrow(ValidationError);
  });

  it("refuses a bad metric name naming the name and what a name may hold", () => {
    // Act
    const act = () => createMetricRegistry().counter("sms sent");

    // Assess
    expect(act).toThrow(
      'metric: must be a letter or _ then up to 127 letters, digits, _ . - (got "sms sent")',
    );
  });

  it("knows no kind and no samples for a metric never declared", () => {
    // Act
    const registry = createMetricRegistry();

    // Assess
    expect(registry.kind("nope")).toBeUndefined();
    expect(registry.view("nope", {})).toBeNull();
  });

  it("adds 1 to a counter by default and refuses negative or non-finite amounts", () => {
    // Prepare
    const registry = createMetricRegistry();
    const sent = registry.counter("sms_sent");
    sent.add();
    sent.add(0);
    sent.add(2.5);

    // Act
    const refused = [-1, Number.NaN, Number.POSITIVE_INFINITY].filter((n) => {
      try {
        sent.add(n);
        return false;
      } catch (error) {
        return (
          error instanceof ValidationError &&
          /sms_sent\.add.*must be a finite number >= 0/.test(error.message)
        );
      }
    });

    // Assess
    expect(refused).toEqual([-1, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(registry.view("sms_sent", {})).toEqual({ kind: "counter", count: 3.5 });
  });

  it("counts a rate's true and non-zero samples out of all", () => {
    // Prepare
    const registry = createMetricRegistry();
    const failed = registry.rate("send_failed");

    // Act
    for (const value of [true, false, 0, 1, -1, 0.5, false]) failed.add(value);

    // Assess
    expect(registry.view("send_failed", {})).toEqual({ kind: "rate", nonZero: 4, total: 7 });
  });

  it("refuses a gauge value or a trend sample that is not a finite number", () => {
    // Prepare
    const registry = createMetricRegistry();
    const depth = registry.gauge("queue_depth");
    const latency = registry.trend("latency_ms");

    // Act + Assess
    expect(() => depth.set(Number.NaN)).toThrow(/queue_depth\.set.*must be a finite number/);
    expect(() => depth.set(Number.NEGATIVE_INFINITY)).toThrow(ValidationError);
    expect(() => latency.add(Number.POSITIVE_INFINITY)).toThrow(/latency_ms\.add.*must be a finite number/);
    expect(() => latency.add(Number.NaN)).toThrow(ValidationError);
  });

  it("reads a gauge's last set value across its series, NaN when never set", () => {
    // Prepare
    const registry = createMetricRegistry();
    const depth = registry.gauge("queue_depth");
    depth.series({ queue: "c" });
    const before = registry.view("queue_depth", {});
    depth.set(7, { queue: "a" });
    depth.set(40, { queue: "b" });
    depth.set(-3, { queue: "a" });
    depth.set(12, { queue: "b" });
    depth.set(5, { queue: "a" });

    // Act
    const all = registry.view("queue_depth", {});
    const b = registry.view("queue_depth", { queue: "b" });

    // Assess
    expect(before).toEqual({ kind: "gauge", value: Number.NaN });
    expect(all).toEqual({ kind: "gauge", value: 5 });
    expect(b).toEqual({ kind: "gauge", value: 12 });
  });

  it("finds a series by its tags whatever their order or object, and merges the series a view's tags include", () => {
    // Prepare
    const registry = createMetricRegistry();
    const sent = registry.counter("sms_sent");
    const tags = { carrier: "kt", campaign: "spring" };
    sent.add(1, tags);
    sent.add(2, tags);
    sent.add(4, { campaign: "spring", carrier: "kt" });
    sent.series({ campaign: "summer", carrier: "kt" }).add(8);
    sent.add(16);

    // Act
    const wanted: Tags[] = [{}, { carrier: "kt" }, { campaign: "spring", carrier: "kt" }, { carrier: "skt" }];
    const views = wanted.map((t) => registry.view("sms_sent", t));

    // Assess
    expect(sent.series(tags)).toBe(sent.series({ campaign: "spring", carrier: "kt" }));
    expect(views).toEqual([
      { kind: "counter", count: 31 },
      { kind: "counter", count: 15 },
      { kind: "counter", count: 7 },
      null,
    ]);
  });

  it("keeps tag values apart that only a naive key would join", () => {
    // Prepare
    const registry = createMetricRegistry();
    const sent = registry.counter("sms_sent");
    sent.add(1, { a: "1", b: "2" });
    sent.add(10, { a: "1,b:2" });
    sent.add(100, { ab: "c" });
    sent.add(1000, { a: "bc" });

    // Act
    const wanted: Tags[] = [{ a: "1" }, { ab: "c" }];
    const views = wanted.map((tags) => registry.view("sms_sent", tags));

    // Assess
    expect(views).toEqual([
      { kind: "counter", count: 1 },
      { kind: "counter", count: 100 },
    ]);
  });

  it("refuses a tag value that is not a string", () => {
    // Prepare
    const sent = createMetricRegistry().counter("sms_sent");

    // Act
    const act = () => sent.add(1, { carrier: 5 as unknown as string });

    // Assess
    expect(act).toThrow(/tags\.carrier.*must be a string/);
  });

  it("merges a trend's series for a view, and gives the series itself when only one matches", () => {
    // Prepare
    const registry = createMetricRegistry();
    const latency = registry.trend("latency_ms");
    for (const v of [1, 2, 3]) latency.add(v, { status: "ok" });
    for (const v of [10, 20]) latency.add(v, { status: "fail" });

    // Act
    const all = registry.view("latency_ms", {});
    const ok = registry.view("latency_ms", { status: "ok" });

    // Assess
    if (all?.kind !== "trend" || ok?.kind !== "trend") throw new Error("expected trend views");
    expect([all.trend.count, all.trend.sum, all.trend.min, all.trend.max, all.trend.percentile(50)]).toEqual([
      5, 36, 1, 20, 3,
    ]);
    expect([ok.trend.count, ok.trend.percentile(100)]).toEqual([3, 3]);
  });
});
