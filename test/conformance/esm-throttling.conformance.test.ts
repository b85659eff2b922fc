import { describe, expect, it } from "vitest";
import { esmWorld } from "./esm-harness";

/**
 * Lambda guide, "Handling errors for an SQS event source in Lambda" (services-sqs-errorhandling;
 * the operator guide's sqs-retries), "Backoff strategy for failed invocations": "If the invocation
 * fails due to throttling, Lambda gradually backs off retries by reducing the amount of concurrency
 * allocated to your Amazon SQS event source mapping. Lambda continues to retry the message until
 * the message's timestamp exceeds your queue's visibility timeout, at which point Lambda drops the
 * message."
 */
describe("conformance: throttled invocations of an SQS event source mapping", () => {
  it("services-sqs-errorhandling: a throttled batch is retried, so with a 12 h window every message is processed on its first receive", async () => {
    // Prepare: reserved concurrency 1 under MaximumConcurrency 5, 2 s a batch, 2,000 messages.
    const world = esmWorld({
      reservedConcurrency: 1,
      maximumConcurrency: 5,
      visibilityTimeoutSeconds: 43_200,
      batchMs: 2000,
    });
    world.send(2000);
    // Act
    world.esm.start();
    await world.runFor(3_600_000);
    // Assess: throttles happen, yet no message spent a second receive and none reached the DLQ.
    const queue = world.queue.counters();
    expect(world.fn.stats().throttles).toBeGreaterThan(0);
    expect(queue).toMatchObject({ sent: 2000, received: 2000, deleted: 2000, movedToDlq: 0 });
    expect(queue.maxReceiveCountSeen).toBe(1);
    const lastEnd = Math.max(...world.events.map((e) => e.endedAt));
    expect(world.seconds(lastEnd)).toBeLessThan(3600);
  });

  it("services-sqs-errorhandling: messages still on the queue spend no receives while pollers hold throttled batches", async () => {
    // Prepare: every invocation is throttled (reserved concurrency 0) and the window is an hour.
    const world = esmWorld({
      reservedConcurrency: 0,
      maximumConcurrency: 5,
      visibilityTimeoutSeconds: 3600,
      batchMs: 100,
    });
    world.send(200);
    // Act: ten minutes of throttling.
    world.esm.start();
    await world.runFor(600_000);
    // Assess: only the five first batches were ever received; the other 150 messages wait untouched.
    expect(world.queue.counters().received).toBe(50);
    expect(world.queue.attributes().ApproximateNumberOfMessages).toBe(150);
    expect(world.esm.stats().heldBatches).toBe(5);
  });

  it("services-sqs-errorhandling: Lambda drops a held batch once its visibility timeout passes; its messages come back with the one receive spent", async () => {
    // Prepare: one poller, every invocation throttled, a 30 s window, maxReceiveCount 3.
    const world = esmWorld({
      reservedConcurrency: 0,
      maximumConcurrency: 2,
      visibilityTimeoutSeconds: 30,
      batchMs: 100,
      backoff: { floor: 1 },
    });
    world.send(10);
    // Act
    world.esm.start();
    await world.runFor(29_000);
    const inWindow = world.queue.counters();
    await world.runFor(300_000);
    // Assess: retried (not re-received) inside the window; re-received only after it, with
    // ApproximateReceiveCount 2 and 3; after the third window the messages go to the DLQ unprocessed.
    expect(inWindow.received).toBe(10);
    const attempts = world.events.filter((e) => e.records > 0 && e.result === "throttled");
    expect(attempts.length).toBeGreaterThan(3);
    expect(world.events.filter((e) => e.result === "dropped").length).toBe(3);
    expect(world.queue.counters()).toMatchObject({ received: 30, deleted: 0, movedToDlq: 10 });
    expect(world.dlq.attributes().ApproximateNumberOfMessages).toBe(10);
    const drops = world.events.filter((e) => e.result === "dropped").map((e) => world.seconds(e.startedAt));
    for (const [i, at] of drops.entries()) expect(at).toBeGreaterThanOrEqual(30 * (i + 1));
  });

  it("services-sqs-errorhandling: while batches are held throttled, the mapping's concurrency shrinks gradually, not at once", async () => {
    // Prepare
    const world = esmWorld({
      reservedConcurrency: 1,
      maximumConcurrency: 5,
      visibilityTimeoutSeconds: 43_200,
      batchMs: 2000,
    });
    world.send(2000);
    const concurrency: number[] = [world.esm.stats().concurrency];
    // Act
    world.esm.start();
    await world.sampleEverySecond(10, () => concurrency.push(world.esm.stats().concurrency));
    // Assess: 5 at first, then at most one batch less each second, down to a floor above 1.
    expect(concurrency[0]).toBe(5);
    for (let i = 1; i < concurrency.length; i++) {
      expect((concurrency[i - 1] ?? 0) - (concurrency[i] ?? 0)).toBeLessThanOrEqual(1);
    }
    expect(concurrency.at(-1)).toBe(2);
    expect(world.esm.stats().throttled).toBeGreaterThan(0);
  });

  it("services-sqs-configure: six times the function timeout lets Lambda retry a batch throttled behind a previous one; a window near the timeout does not", async () => {
    // Prepare: reserved concurrency 1, two batches, the first running 19 s of a 20 s timeout.
    // "The extra time allows Lambda to retry if your function is throttled while processing a
    // previous batch."
    const run = async (visibilityTimeoutSeconds: number) => {
      const world = esmWorld({
        reservedConcurrency: 1,
        maximumConcurrency: 5,
        visibilityTimeoutSeconds,
        functionTimeoutSeconds: 20,
        batchMs: 19_000,
      });
      world.send(20);
      world.esm.start();
      await world.runFor(600_000);
      return { queue: world.queue.counters(), esm: world.esm.stats() };
    };
    // Act
    const advised = await run(120);
    const short = await run(20);
    // Assess: with 120 s the held batch gets in on a retry; with 20 s its window passes first and
    // its 10 messages are received again.
    expect(advised.esm).toMatchObject({ throttledBatches: 1, droppedBatches: 0 });
    expect(advised.queue).toMatchObject({ received: 20, deleted: 20 });
    expect(short.esm).toMatchObject({ throttledBatches: 1, droppedBatches: 1 });
    expect(short.queue).toMatchObject({ received: 30, deleted: 20, maxReceiveCountSeen: 2 });
  });
});
