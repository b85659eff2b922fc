import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createEventSourceMapping, type EsmConfig, type EsmScaling } from "../event-source-mapping";
import { createInProcessFunction, type InProcessHandler } from "../in-process-function";
import { esmConfig, fakeQueue, virtualWorld } from "./fakes";

interface SetupOptions {
  config?: Partial<EsmConfig>;
  scaling?: Partial<EsmScaling>;
  visibilityTimeoutMs?: number;
  reservedConcurrency?: number | null;
}

function setup(
  handler: (world: ReturnType<typeof virtualWorld>) => InProcessHandler,
  options: SetupOptions = {},
) {
  const world = virtualWorld();
  const queue = fakeQueue(world.clock, { visibilityTimeoutMs: options.visibilityTimeoutMs });
  const fn = createInProcessFunction({
    handler: handler(world),
    clock: world.clock,
    functionName: "messaging-lambda",
    reservedConcurrency: options.reservedConcurrency ?? null,
  });
  const esm = createEventSourceMapping({
    queue: queue.port,
    fn,
    clock: world.clock,
    config: esmConfig({
      visibilityTimeoutSeconds: (options.visibilityTimeoutMs ?? 30_000) / 1000,
      ...options.config,
    }),
    scaling: options.scaling,
    onInvocation: world.onInvocation,
  });
  return { world, queue, esm };
}

const ids = (event: SQSEvent) => event.Records.map((r) => r.messageId);
const fail = (messageIds: string[]) => ({
  batchItemFailures: messageIds.map((itemIdentifier) => ({ itemIdentifier })),
});

describe("createEventSourceMapping", () => {
  it("deletes the records that succeeded and lets the failed ones come back with ApproximateReceiveCount 2", async () => {
    // Prepare: m-3 and m-7 fail on their first delivery.
    const receiveCounts = new Map<string, string[]>();
    const { world, queue, esm } = setup(
      () => async (event) => {
        for (const r of event.Records) {
          receiveCounts.set(r.messageId, [
            ...(receiveCounts.get(r.messageId) ?? []),
            r.attributes.ApproximateReceiveCount,
          ]);
        }
        return fail(
          event.Records.filter((r) => r.attributes.ApproximateReceiveCount === "1")
            .map((r) => r.messageId)
            .filter((id) => id === "m-3" || id === "m-7"),
        );
      },
      { visibilityTimeoutMs: 5000 },
    );
    queue.send(10);
    // Act
    esm.start();
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess
    expect(queue.remaining()).toBe(0);
    expect(receiveCounts.get("m-3")).toEqual(["1", "2"]);
    expect(receiveCounts.get("m-7")).toEqual(["1", "2"]);
    expect(receiveCounts.get("m-1")).toEqual(["1"]);
    expect(esm.stats()).toMatchObject({
      recordsReceived: 12,
      recordsDeleted: 10,
      recordsFailed: 2,
      partialBatches: 1,
      errors: 0,
    });
    const redelivery = world.events.find((e) => e.records === 2);
    expect(redelivery && world.elapsed(redelivery.startedAt)).toBeGreaterThanOrEqual(5000);
  });

  it("keeps at most MaximumConcurrency invocations in flight", async () => {
    // Prepare
    const { world, queue, esm } = setup(
      ({ clock }) =>
        async () => {
          await clock.sleep(1000);
          return null;
        },
      { config: { maximumConcurrency: 3 } },
    );
    queue.send(100);
    // Act
    esm.start();
    await world.runFor(30_000);
    await world.stop(esm);
    // Assess
    expect(queue.remaining()).toBe(0);
    expect(esm.stats().maxConcurrent).toBe(3);
    expect(world.events.every((e) => e.concurrency <= 3)).toBe(true);
    expect(world.events).toHaveLength(10);
  });

  it("starts at 5 concurrent batches and adds at most 300 a minute while messages keep coming", async () => {
    // Prepare: no MaximumConcurrency, a 2 s function and a deep backlog.
    const { world, queue, esm } = setup(
      ({ clock }) =>
        async () => {
          await clock.sleep(2000);
          return null;
        },
      { config: { maximumConcurrency: null } },
    );
    queue.send(3000);
    // Act
    esm.start();
    await world.runFor(60_000);
    await world.stop(esm);
    // Assess: 5 per second on top of the first 5.
    expect(queue.remaining()).toBe(0);
    for (const e of world.events) {
      expect(e.concurrency).toBeLessThanOrEqual(5 + 5 * Math.floor(world.elapsed(e.startedAt) / 1000));
    }
    expect(world.events.filter((e) => world.elapsed(e.startedAt) === 0)).toHaveLength(5);
    expect(esm.stats().maxConcurrent).toBeGreaterThan(20);
  });

  it("without ReportBatchItemFailures backs off one batch a second to 2 while errors go on, then recovers", async () => {
    // Prepare
    let healthy = false;
    const { world, queue, esm } = setup(
      ({ clock }) =>
        async () => {
          await clock.sleep(200);
          if (!healthy) throw new Error("carrier down");
          return null;
        },
      { visibilityTimeoutMs: 2000, config: { reportBatchItemFailures: false } },
    );
    queue.send(400);
    // Act
    esm.start();
    await world.runFor(1500);
    const afterOneTick = esm.stats();
    await world.runFor(8500);
    const whileFailing = esm.stats();
    healthy = true;
    await world.runFor(60_000);
    await world.stop(esm);
    // Assess: 5 -> 4 after the first second, the floor of 2 by the tenth.
    expect(afterOneTick.concurrency).toBe(4);
    expect(whileFailing).toMatchObject({ concurrency: 2, pollers: 2, recordsDeleted: 0 });
    expect(whileFailing.errors).toBeGreaterThan(3);
    expect(queue.remaining()).toBe(0);
    const recovered = world.events.filter((e) => e.result === "succeeded");
    expect(Math.max(...recovered.map((e) => e.concurrency))).toBe(5);
  });

  it("with ReportBatchItemFailures does not back off even when the function throws", async () => {
    // Prepare
    const { world, queue, esm } = setup(
      ({ clock }) =>
        async () => {
          await clock.sleep(200);
          throw new Error("carrier down");
        },
      { visibilityTimeoutMs: 2000 },
    );
    queue.send(400);
    // Act
    esm.start();
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess
    expect(esm.stats()).toMatchObject({ concurrency: 5, recordsDeleted: 0 });
    expect(esm.stats().errors).toBeGreaterThan(3);
  });

  it("does not back off when ReportBatchItemFailures reports every record failed", async () => {
    // Prepare
    const { world, queue, esm } = setup(
      ({ clock }) =>
        async (event) => {
          await clock.sleep(200);
          return fail(ids(event));
        },
      { visibilityTimeoutMs: 2000 },
    );
    queue.send(400);
    // Act
    esm.start();
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess
    expect(esm.stats()).toMatchObject({ concurrency: 5, errors: 0, recordsDeleted: 0 });
    expect(esm.stats().partialBatches).toBeGreaterThan(3);
  });

  it("without ReportBatchItemFailures deletes the whole batch whatever the function returns", async () => {
    // Prepare
    const { world, queue, esm } = setup(() => async (event) => fail(ids(event)), {
      config: { reportBatchItemFailures: false },
    });
    queue.send(30);
    // Act
    esm.start();
    await world.runFor(5000);
    await world.stop(esm);
    // Assess
    expect(queue.remaining()).toBe(0);
    expect(esm.stats()).toMatchObject({ recordsReceived: 30, recordsDeleted: 30, recordsFailed: 0 });
  });

  it("fails the whole batch of an invalid response or a timed-out invocation", async () => {
    // Prepare: the first delivery of m-1..m-10 answers with an unknown id, of m-11..m-20 times out.
    const { world, queue, esm } = setup(
      ({ clock }) =>
        async (event) => {
          const first = event.Records[0];
          if (first?.attributes.ApproximateReceiveCount !== "1") return null;
          if (first.messageId === "m-1") return fail(["not-in-batch"]);
          await clock.sleep(5000);
          return null;
        },
      {
        config: { functionTimeoutSeconds: 1, maximumConcurrency: 2 },
        scaling: { initialConcurrency: 2 },
        visibilityTimeoutMs: 3000,
      },
    );
    queue.send(20);
    // Act
    esm.start();
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess
    expect(queue.remaining()).toBe(0);
    expect(world.events.map((e) => [e.result, e.records, e.failed])).toEqual([
      ["invalid-response", 10, 10],
      ["timeout", 10, 10],
      ["succeeded", 10, 0],
      ["succeeded", 10, 0],
    ]);
    expect(esm.stats()).toMatchObject({ invalidResponses: 1, timeouts: 1, recordsDeleted: 20 });
  });

  it("holds a throttled batch and retries it, spending no receive, while concurrency shrinks", async () => {
    // Prepare: MaximumConcurrency 5 over a function with reserved concurrency 2; a 1 h window.
    const { world, queue, esm } = setup(
      ({ clock }) =>
        async () => {
          await clock.sleep(1000);
          return null;
        },
      { reservedConcurrency: 2, visibilityTimeoutMs: 3_600_000 },
    );
    queue.send(100);
    // Act
    esm.start();
    await world.runFor(3500);
    const whileHeld = esm.stats();
    await world.runFor(600_000);
    await world.stop(esm);
    // Assess: 3 of the first 5 batches throttled and held; every record received exactly once.
    const stats = esm.stats();
    expect(whileHeld.heldBatches).toBeGreaterThan(0);
    expect(whileHeld.concurrency).toBeLessThan(5);
    expect(queue.remaining()).toBe(0);
    expect(stats).toMatchObject({
      recordsReceived: 100,
      recordsDeleted: 100,
      invocations: 10,
      droppedBatches: 0,
    });
    expect(stats.throttledBatches).toBeGreaterThanOrEqual(3);
    expect(stats.throttled).toBeGreaterThan(stats.throttledBatches);
    expect(world.events.filter((e) => e.result === "throttled").every((e) => e.failed === 0)).toBe(true);
  });

  it("gathers up to BatchSize in receives of 10 and waits out the batching window for the rest", async () => {
    // Prepare: one poller, 30 messages, BatchSize 25 within 2 s.
    const { world, queue, esm } = setup(() => async () => null, {
      config: { batchSize: 25, maxBatchingWindowSeconds: 2 },
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
    });
    queue.send(30);
    // Act
    esm.start();
    await world.runFor(5000);
    await world.stop(esm);
    // Assess
    expect(world.events.map((e) => [e.records, world.elapsed(e.startedAt)])).toEqual([
      [25, 0],
      [5, 2000],
    ]);
    expect(queue.receiveCalls.slice(0, 4).map((c) => c.max)).toEqual([10, 10, 5, 10]);
  });

  it("keeps an invocation's payload under 6 MB, carrying the rest into the next batch", async () => {
    // Prepare: ten 1 MiB bodies; six would pass 6 MB.
    const { world, queue, esm } = setup(() => async () => null, {
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
    });
    queue.send(10, (n) => String(n % 10).repeat(1024 * 1024));
    // Act
    esm.start();
    await world.runFor(1000);
    await world.stop(esm);
    // Assess
    expect(world.events.map((e) => e.records)).toEqual([5, 5]);
    expect(queue.remaining()).toBe(0);
  });

  it("stop() waits for the batch in flight to finish and be deleted", async () => {
    // Prepare
    const { world, queue, esm } = setup(({ clock }) => async () => {
      await clock.sleep(5000);
      return null;
    });
    queue.send(10);
    esm.start();
    await world.runFor(1000);
    // Act
    await world.stop(esm);
    // Assess
    expect(world.events).toHaveLength(1);
    expect(world.elapsed(world.events[0]?.endedAt ?? 0)).toBe(5000);
    expect(queue.remaining()).toBe(0);
    expect(esm.stats()).toMatchObject({ pollers: 0, inFlight: 0, recordsDeleted: 10 });
  });
});
