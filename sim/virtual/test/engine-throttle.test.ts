import { describe, expect, it } from "vitest";
import { runScenario } from "./engine-fixtures";

/** Reserved concurrency 1 under MaximumConcurrency 5 (the template's 20 s function timeout), 1,000 recipients, ~1 s a batch. */
const throttled = (visibilityTimeout: number) =>
  runScenario({
    duration: "1h",
    infra: {
      overrides: {
        "MessagingLambda.ReservedConcurrentExecutions": 1,
        "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency": 5,
        "MessagingQueue.VisibilityTimeout": visibilityTimeout,
      },
    },
  });

describe("the virtual engine over a throttled function", () => {
  it("holds and retries throttled batches: every recipient sent on one receive, the summary says the DLQ does not rest on the assumptions", async () => {
    // Prepare + Act
    const { summary } = await throttled(43_200);
    // Assess
    expect(summary.lambda.throttles).toBeGreaterThan(0);
    expect(summary.recipients).toMatchObject({ sent: 1000, inDlq: 0, pending: 0 });
    expect(summary.queue.received).toBe(summary.queue.sent);
    expect(summary.esm.throttledBatches).toBeGreaterThan(0);
    expect(summary.esm.droppedBatches).toBe(0);
    expect(summary.esm.assumptions).toEqual([expect.stringContaining("none past its visibility timeout")]);
  });

  it("with a window near the function timeout drops starved batches and names the settings the outcome rests on", async () => {
    // Prepare + Act
    const { summary } = await throttled(20);
    // Assess
    expect(summary.esm.droppedBatches).toBeGreaterThan(0);
    expect(summary.queue.received).toBeGreaterThan(summary.queue.sent);
    expect(summary.esm.assumptions[0]).toMatch(
      /starved past the visibility timeout .* rests on the assumed retry schedule/,
    );
    expect(summary.esm.assumptions[0]).toContain(
      `(${summary.recipients.inDlq.toLocaleString("en-US")} recipient`,
    );
    expect(summary.recipients.unaccounted).toBe(0);
  });
});
