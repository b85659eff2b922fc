import { describe, expect, it } from "vitest";
import type { QueueDepth } from "../../../domain/sqs-client";
import { loadPipelineConfig } from "../../../infra/pipeline-config";
import { createLocalAlarmSource } from "../local-alarm-source";
import { MINUTE_MS } from "../metric-store";
import { T0 } from "./fixtures";

const depth = (visible: number): QueueDepth => ({ visible, inFlight: 0, delayed: 0 });

/** The console's alarm source over queues whose DLQ holds `dlqVisible[i]` messages in minute i. */
async function watch(dlqVisible: number[]) {
  let minute = 0;
  const source = createLocalAlarmSource({
    pipeline: loadPipelineConfig(),
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
});
