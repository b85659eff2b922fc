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
    [{ shrinkPerMinute: 0 }, "esm.shrinkPerMinute"],
    [{ floor: 0 }, "esm.floor"],
  ])("rejects %j naming the setting", (overrides, field) => {
    // Prepare + Act
    const act = () => resolveEsmBackoff(overrides);
    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(field);
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
    expect(report.assumptions).toHaveLength(2);
    expect(report.assumptions[0]).toMatch(
      /^2 throttled batches \(20 messages\) starved .* DLQ outcome \(100 recipients\)/,
    );
    expect(report.assumptions[0]).toContain("esm.floor 3");
    expect(report.assumptions[1]).toMatch(/^1 failed invocation backed the mapping off/);
  });

  it("says the DLQ outcome does not rest on the settings when every held batch got through", () => {
    // Prepare + Act
    const report = reportEsmAssumptions(DEFAULT_ESM_BACKOFF, counters({ throttledBatches: 1 }), {
      reportBatchItemFailures: true,
      recipientsInDlq: 0,
    });
    // Assess
    expect(report.assumptions).toEqual([
      expect.stringMatching(/^1 throttled batch was held and retried, none past/),
    ]);
  });
});
