import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import {
  DEFAULT_ESM_BACKOFF,
  reportEsmAssumptions,
  resolveEsmBackoff,
  throttleRetryDelayMs,
} from "../esm-backoff";

const counters = (patch: Partial<Parameters<typeof reportEsmAssumptions>[1]> = {}) => ({
  throttledBatches: 0,
  droppedBatches: 0,
  recordsDropped: 0,
  errors: 0,
  timeouts: 0,
  invalidResponses: 0,
  ...patch,
});

describe("esm backoff settings", () => {
  it("retries a throttled batch after 1, 2, 4 ... seconds, never waiting more than 5 minutes", () => {
    // Prepare + Act
    const delays = Array.from({ length: 12 }, (_, retry) => throttleRetryDelayMs(DEFAULT_ESM_BACKOFF, retry));
    // Assess
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000));
  });

  it.each([
    [{ throttleRetryInitialMs: 0 }, "esm.throttleRetry.initial"],
    [{ throttleRetryMultiplier: 0.5 }, "esm.throttleRetry.multiplier"],
    [{ throttleRetryInitialMs: 10_000, throttleRetryMaxMs: 5000 }, "esm.throttleRetry.max"],
    [{ throttleRetryInitialMs: Number.POSITIVE_INFINITY }, "esm.throttleRetry.initial"],
    [{ throttleRetryMaxMs: Number.POSITIVE_INFINITY }, "esm.throttleRetry.max"],
    [{ shrinkPerMinute: 0 }, "esm.shrinkPerMinute"],
    [{ recoverPerMinute: 0 }, "esm.recoverPerMinute"],
    [{ floor: 0 }, "esm.floor"],
    [{ floor: 1.5 }, "esm.floor"],
  ])("rejects %j naming the setting", (overrides, field) => {
    // Prepare + Act
    const act = () => resolveEsmBackoff(overrides);
    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(field);
  });

  it("names the setting, what it expects and the value it got", () => {
    // Prepare / Act / Assess
    expect(() => resolveEsmBackoff({ throttleRetryInitialMs: -1 })).toThrow(
      "esm.throttleRetry.initial: expected a time > 0 (got -1)",
    );
    expect(() => resolveEsmBackoff({ throttleRetryMultiplier: 0.9 })).toThrow(
      "esm.throttleRetry.multiplier: expected a number >= 1 (got 0.9)",
    );
    expect(() => resolveEsmBackoff({ throttleRetryMaxMs: 999 })).toThrow(
      "esm.throttleRetry.max: expected a time >= the initial wait (got 999)",
    );
    expect(() => resolveEsmBackoff({ shrinkPerMinute: -5 })).toThrow(
      "esm.shrinkPerMinute: expected a number > 0 (got -5)",
    );
    expect(() => resolveEsmBackoff({ recoverPerMinute: -5 })).toThrow(
      "esm.recoverPerMinute: expected a number > 0 (got -5)",
    );
    expect(() => resolveEsmBackoff({ floor: 0 })).toThrow("esm.floor: expected an integer >= 1 (got 0)");
  });

  it("accepts the edges of each range: a steady retry (multiplier 1, max = initial) and a floor of 1", () => {
    // Prepare
    const overrides = {
      throttleRetryInitialMs: 500,
      throttleRetryMultiplier: 1,
      throttleRetryMaxMs: 500,
      floor: 1,
    };
    // Act
    const backoff = resolveEsmBackoff(overrides);
    // Assess
    expect(backoff).toEqual({ ...DEFAULT_ESM_BACKOFF, ...overrides });
    expect([0, 1, 5].map((retry) => throttleRetryDelayMs(backoff, retry))).toEqual([500, 500, 500]);
  });

  it("says nothing rests on the assumptions when nothing was throttled and failures did not back off", () => {
    // Prepare + Act
    const report = reportEsmAssumptions(DEFAULT_ESM_BACKOFF, counters({ errors: 4 }), {
      reportBatchItemFailures: true,
      recipientsInDlq: 0,
    });
    // Assess
    expect(report.assumptions).toEqual([]);
    expect(report.settings).toEqual({
      "esm.throttleRetry.initial": "1s",
      "esm.throttleRetry.multiplier": "2",
      "esm.throttleRetry.max": "5m",
      "esm.shrinkPerMinute": "60",
      "esm.recoverPerMinute": "300",
      "esm.floor": "2",
    });
  });

  it("ties the DLQ count to the settings when held batches were dropped, and throughput when errors backed off", () => {
    // Prepare + Act
    const report = reportEsmAssumptions(
      resolveEsmBackoff({ floor: 3 }),
      counters({ throttledBatches: 9, droppedBatches: 2, recordsDropped: 20, errors: 1 }),
      { reportBatchItemFailures: false, recipientsInDlq: 100 },
    );
    // Assess
    expect(report).toMatchObject({ throttledBatches: 9, droppedBatches: 2, messagesDropped: 20 });
    expect(report.assumptions).toEqual([
      "2 throttled batches (20 messages) starved past the visibility timeout and were dropped, each drop " +
        "spending a receive: the DLQ outcome (100 recipients) rests on the assumed retry schedule " +
        "(esm.throttleRetry.initial 1s, esm.throttleRetry.multiplier 2, esm.throttleRetry.max 5m) and backoff " +
        "(esm.shrinkPerMinute 60, esm.recoverPerMinute 300, esm.floor 3), which AWS does not publish.",
      "1 failed invocation backed the mapping off (no ReportBatchItemFailures): throughput while they lasted " +
        "rests on the assumed backoff (esm.shrinkPerMinute 60, esm.recoverPerMinute 300, esm.floor 3).",
    ]);
  });

  it("counts in the singular for one and with thousands separators, every kind of failed invocation included", () => {
    // Prepare + Act
    const report = reportEsmAssumptions(
      DEFAULT_ESM_BACKOFF,
      counters({
        throttledBatches: 1,
        droppedBatches: 1,
        recordsDropped: 1,
        timeouts: 1000,
        invalidResponses: 234,
      }),
      { reportBatchItemFailures: false, recipientsInDlq: 1 },
    );
    // Assess
    expect(report.assumptions[0]).toMatch(
      /^1 throttled batch \(1 message\) starved .* DLQ outcome \(1 recipient\)/,
    );
    expect(report.assumptions[1]).toMatch(/^1,234 failed invocations backed the mapping off/);
  });

  it("says the DLQ outcome does not rest on the settings when every held batch got through", () => {
    // Prepare + Act
    const report = reportEsmAssumptions(DEFAULT_ESM_BACKOFF, counters({ throttledBatches: 1 }), {
      reportBatchItemFailures: true,
      recipientsInDlq: 0,
    });
    // Assess
    expect(report.assumptions).toEqual([
      "1 throttled batch was held and retried, none past its visibility timeout: no recipient's DLQ outcome " +
        "rests on the assumed settings, but delivery times do (esm.throttleRetry.initial 1s, " +
        "esm.throttleRetry.multiplier 2, esm.throttleRetry.max 5m; esm.shrinkPerMinute 60, " +
        "esm.recoverPerMinute 300, esm.floor 2).",
    ]);
  });

  it("says nothing backed the mapping off when no invocation failed, even without ReportBatchItemFailures", () => {
    // Prepare + Act
    const report = reportEsmAssumptions(DEFAULT_ESM_BACKOFF, counters(), {
      reportBatchItemFailures: false,
      recipientsInDlq: 0,
    });
    // Assess
    expect(report.assumptions).toEqual([]);
  });

  it("says several held batches were held, in the plural", () => {
    // Prepare + Act
    const report = reportEsmAssumptions(DEFAULT_ESM_BACKOFF, counters({ throttledBatches: 3 }), {
      reportBatchItemFailures: true,
      recipientsInDlq: 0,
    });
    // Assess
    expect(report.assumptions).toEqual([expect.stringMatching(/^3 throttled batches were held and retried/)]);
  });
});
