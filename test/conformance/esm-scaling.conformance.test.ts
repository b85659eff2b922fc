import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { esmWorld } from "./esm-harness";

/**
 * Lambda guide, "Configuring scaling behavior for SQS event source mappings" (services-sqs-scaling):
 * "When messages are available, Lambda starts processing five batches at a time with five
 * concurrent invocations of your function. If messages are still available, Lambda increases the
 * number of processes that are reading batches by up to 300 more instances per minute. The maximum
 * number of batches that an event source mapping can process simultaneously is 1,000. When traffic
 * is low, Lambda scales back the processing to five concurrent batches".
 */
describe("conformance: how an SQS event source mapping scales", () => {
  it("services-sqs-scaling: five batches at first, up to 300 more a minute, at most 1,000 at once, and back to five", async () => {
    // Prepare: no MaximumConcurrency, BatchSize 1, 20 s a batch and a backlog of 16,000 messages.
    const world = esmWorld({
      reservedConcurrency: null,
      maximumConcurrency: null,
      visibilityTimeoutSeconds: 900,
      batchMs: 20_000,
      batchSize: 1,
    });
    world.send(16_000);
    const concurrency: number[] = [];
    // Act
    world.esm.start();
    await world.sampleEverySecond(900, () => concurrency.push(world.esm.stats().concurrency));
    // Assess
    expect(world.events.filter((e) => world.seconds(e.startedAt) === 0)).toHaveLength(5);
    for (const [i, c] of concurrency.entries()) expect(c).toBeLessThanOrEqual(5 + (300 * (i + 1)) / 60);
    expect(concurrency[59]).toBe(305);
    expect(Math.max(...concurrency)).toBe(1000);
    expect(world.fn.stats().maxConcurrent).toBe(1000);
    expect(Math.max(...world.events.map((e) => e.concurrency))).toBeLessThanOrEqual(1000);
    expect(world.queue.counters().deleted).toBe(16_000);
    expect(concurrency.at(-1)).toBe(5);
  });

  it("services-sqs-scaling: MaximumConcurrency limits the concurrent invocations the event source can make", async () => {
    // Prepare
    const world = esmWorld({
      reservedConcurrency: null,
      maximumConcurrency: 50,
      visibilityTimeoutSeconds: 900,
      batchMs: 20_000,
      batchSize: 1,
    });
    world.send(3000);
    // Act
    world.esm.start();
    await world.runFor(1_800_000);
    // Assess
    expect(world.fn.stats().maxConcurrent).toBe(50);
    expect(world.queue.counters().deleted).toBe(3000);
  });

  it("services-sqs-errorhandling: on errors from function code Lambda gradually reduces the mapping's concurrency, and scales again once they stop", async () => {
    // Prepare: without ReportBatchItemFailures, a function failing its first 30 s.
    let failing = true;
    const world = esmWorld({
      reservedConcurrency: null,
      maximumConcurrency: 5,
      visibilityTimeoutSeconds: 30,
      batchMs: 200,
      reportBatchItemFailures: false,
      respond: () => {
        if (failing) throw new Error("downstream unavailable");
        return null;
      },
    });
    world.send(5000);
    const concurrency: number[] = [];
    // Act
    world.esm.start();
    await world.sampleEverySecond(30, () => concurrency.push(world.esm.stats().concurrency));
    failing = false;
    await world.sampleEverySecond(10, () => concurrency.push(world.esm.stats().concurrency));
    // Assess: one batch a second off (5, 4, 3, then the floor 2), back to 5 after the errors.
    expect(concurrency.slice(0, 4)).toEqual([4, 3, 2, 2]);
    expect(Math.min(...concurrency)).toBe(2);
    expect(concurrency.at(-1)).toBe(5);
    expect(world.esm.stats().errors).toBeGreaterThan(10);
  });

  it.each([
    ["the function throws", (): unknown => new Error("downstream unavailable")],
    [
      "it reports every record failed",
      (event: SQSEvent): unknown => ({
        batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
      }),
    ],
  ])(
    "services-sqs-errorhandling: with ReportBatchItemFailures Lambda doesn't scale down message polling when %s",
    async (_, answer) => {
      // Prepare
      const world = esmWorld({
        reservedConcurrency: null,
        maximumConcurrency: 5,
        visibilityTimeoutSeconds: 30,
        batchMs: 200,
        reportBatchItemFailures: true,
        respond: (event) => {
          const value = answer(event);
          if (value instanceof Error) throw value;
          return value;
        },
      });
      world.send(5000);
      const concurrency: number[] = [];
      // Act
      world.esm.start();
      await world.sampleEverySecond(20, () => concurrency.push(world.esm.stats().concurrency));
      // Assess
      expect(new Set(concurrency)).toEqual(new Set([5]));
      expect(world.esm.stats().recordsDeleted).toBe(0);
    },
  );
});
