import { describe, expect, it } from "vitest";
import { formatConsoleSummary } from "../console-summary";
import { runSummary, starvedEsm } from "./fixtures";

describe("formatConsoleSummary", () => {
  it("marks each threshold passed or failed with its expression and value, in aligned columns", () => {
    // Prepare
    const summary = runSummary();
    // Act
    const text = formatConsoleSummary(summary);
    // Assess
    const lines = text.split("\n").filter((line) => /^ {4}[✓✗] /.test(line));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/✓ recipients_unaccounted\.+: count == 0 +0$/);
    expect(lines[2]).toMatch(/✗ carrier_rate_limited\.+: count == 0 +8$/);
    expect(new Set(lines.map((line) => line.indexOf(": ")))).toHaveProperty("size", 1);
    expect(new Set(lines.map((line) => line.length))).toHaveProperty("size", 1);
    expect(text).toContain("✗ 1 of 3 thresholds failed");
  });

  it("lines up the counters of every section on one column, numbers right-aligned", () => {
    // Prepare
    const summary = runSummary();
    // Act
    const text = formatConsoleSummary(summary);
    // Assess
    const counters = text.split("\n").filter((line) => /^ {4}[a-zA-Z]/.test(line) && line.includes("..."));
    expect(counters.length).toBeGreaterThan(20);
    expect(new Set(counters.map((line) => line.indexOf(": ")))).toHaveProperty("size", 1);
    expect(text).toMatch(/ {4}requested\.+: 1,000\n {4}sent\.+: {3}960 {2}96\.00%/);
  });

  it("says the DLQ count rests on the assumed ESM settings, naming them, when held batches were dropped", () => {
    // Prepare
    const summary = runSummary({ esm: starvedEsm() });
    // Act
    const text = formatConsoleSummary(summary);
    // Assess
    expect(text).toMatch(/dropped past visibility\.+: +3 +30 messages/);
    expect(text).toContain("the DLQ outcome (30 recipients) rests on the assumed retry schedule");
    for (const name of [
      "esm.throttleRetry.initial 1s",
      "esm.throttleRetry.max 5m",
      "esm.shrinkPerMinute 60",
      "esm.floor 2",
    ]) {
      expect(text).toContain(name);
    }
  });

  it("has no ESM section when nothing was throttled and nothing rests on the assumptions", () => {
    // Prepare
    const summary = runSummary();
    // Act
    const text = formatConsoleSummary(summary);
    // Assess
    expect(summary.esm.assumptions).toEqual([]);
    expect(text).not.toContain("EVENT SOURCE MAPPING");
  });

  it("lists campaigns, alarm transitions and the cost", () => {
    // Prepare
    const summary = runSummary();
    // Act
    const text = formatConsoleSummary(summary);
    // Assess
    expect(text).toMatch(/spring-sale +800 +10m +1m35s +30s +1m20s +1m32s/);
    expect(text).toMatch(/messaging-dlq-alarm +OK -> ALARM +at 21m/);
    expect(text).toMatch(/total \$0\.000\d+/);
  });

  it("says all thresholds passed when they did, and colours marks only when asked", () => {
    // Prepare
    const summary = runSummary({
      thresholds: [{ metric: "dlq_messages", expression: "count == 0", value: 0, ok: true }],
    });
    // Act
    const plain = formatConsoleSummary(summary);
    const coloured = formatConsoleSummary(summary, { color: true });
    // Assess
    expect(plain).toContain("✓ all 1 thresholds passed");
    expect(plain).not.toContain("\x1b[");
    expect(coloured).toContain("\x1b[32m✓\x1b[0m dlq_messages");
  });
});
