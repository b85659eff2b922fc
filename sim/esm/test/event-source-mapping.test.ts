import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { createJsonLogger, type Logger } from "../../../domain/logger";
import { loadPipelineConfig } from "../../../infra/pipeline-config";
import type { EsmBackoff } from "../esm-backoff";
import {
  createEventSourceMapping,
  type EsmConfig,
  type EsmScaling,
  type EventSourceMapping,
  esmConfigOf,
} from "../event-source-mapping";
import { createInProcessFunction, type InProcessHandler } from "../in-process-function";
import type { FunctionPort, QueuePort } from "../ports";
import { esmConfig, fakeQueue, switchableFunction, virtualWorld } from "./fakes";

interface SetupOptions {
  config?: Partial<EsmConfig>;
  scaling?: Partial<EsmScaling>;
  visibilityTimeoutMs?: number;
  reservedConcurrency?: number | null;
  /** Wraps the queue's port, say to fail some calls. */
  queuePort?: (port: QueuePort) => QueuePort;
  /** Replaces the in-process function. */
  fn?: (world: ReturnType<typeof virtualWorld>) => FunctionPort;
  logger?: Logger;
  backoff?: Partial<EsmBackoff>;
  pollWaitSeconds?: number;
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
    queue: options.queuePort ? options.queuePort(queue.port) : queue.port,
    fn: options.fn?.(world) ?? fn,
    clock: world.clock,
    config: esmConfig({
      visibilityTimeoutSeconds: (options.visibilityTimeoutMs ?? 30_000) / 1000,
      ...options.config,
    }),
    scaling: options.scaling,
    onInvocation: world.onInvocation,
    logger: options.logger,
    backoff: options.backoff,
    pollWaitSeconds: options.pollWaitSeconds,
  });
  return { world, queue, esm };
}

/**
 * Reserved concurrency 1 under two pollers, a function that takes 10 s: the second poller's batch
 * is throttled and held until the visibility timeout given.
 */
function throttledSecondPoller(visibilityTimeoutMs: number, logger?: Logger) {
  return setup(sleepingFor(10_000), {
    reservedConcurrency: 1,
    visibilityTimeoutMs,
    config: { maximumConcurrency: 2 },
    scaling: { initialConcurrency: 2, addPerMinute: 0 },
    logger,
  });
}

/** A function that takes `ms` of the virtual clock and succeeds. */
const sleepingFor =
  (ms: number) =>
  ({ clock }: ReturnType<typeof virtualWorld>): InProcessHandler =>
  async () => {
    await clock.sleep(ms);
    return null;
  };

/** A logger keeping the messages of its warnings. */
function warningLog() {
  const warnings: { msg: string; [field: string]: unknown }[] = [];
  const logger = createJsonLogger({ level: "warn", write: (line) => warnings.push(JSON.parse(line)) });
  return { logger, warnings, messages: () => warnings.map((w) => w.msg) };
}

const ids = (event: SQSEvent) => event.Records.map((r) => r.messageId);
const fail = (messageIds: string[]) => ({
  batchItemFailures: messageIds.map((itemIdentifier) => ({ itemIdentifier })),
});

/**
 * Without ReportBatchItemFailures, a function that takes 200 ms and throws "carrier down" until the
 * test sets `carrier.healthy`.
 */
function failingCarrier(options: SetupOptions = {}) {
  const carrier = { healthy: false };
  const parts = setup(
    ({ clock }) =>
      async () => {
        await clock.sleep(200);
        if (!carrier.healthy) throw new Error("carrier down");
        return null;
      },
    { ...options, config: { reportBatchItemFailures: false, ...options.config } },
  );
  return { ...parts, carrier };
}

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
    const { world, queue, esm } = setup(sleepingFor(1000), { config: { maximumConcurrency: 3 } });
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
    const { world, queue, esm } = setup(sleepingFor(2000), { config: { maximumConcurrency: null } });
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
    const { world, queue, esm, carrier } = failingCarrier({ visibilityTimeoutMs: 2000 });
    queue.send(400);
    // Act
    esm.start();
    await world.runFor(1500);
    const afterOneTick = esm.stats();
    await world.runFor(8500);
    const whileFailing = esm.stats();
    carrier.healthy = true;
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
    const { world, queue, esm } = setup(sleepingFor(1000), {
      reservedConcurrency: 2,
      visibilityTimeoutMs: 3_600_000,
    });
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
    expect(stats.heldBatches).toBe(0);
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

  it("falls back to five concurrent batches, five a second, once polls come back empty", async () => {
    // Prepare: no MaximumConcurrency, a 2 s function and a backlog that drains in seconds.
    const { world, queue, esm } = setup(sleepingFor(2000), { config: { maximumConcurrency: null } });
    queue.send(600);
    const concurrency: number[] = [];
    // Act
    esm.start();
    for (let second = 0; second < 180; second++) {
      await world.runFor(1000);
      concurrency.push(esm.stats().concurrency);
    }
    await world.stop(esm);
    // Assess: up while the backlog lasts, then down by at most 5 a second, to 5 and no lower.
    const peak = Math.max(...concurrency);
    expect(queue.remaining()).toBe(0);
    expect(peak).toBeGreaterThan(20);
    const fromPeak = concurrency.slice(concurrency.lastIndexOf(peak));
    const drops = fromPeak.slice(1).map((c, i) => (fromPeak[i] ?? c) - c);
    for (const drop of drops) expect(drop).toBeGreaterThanOrEqual(0);
    for (const drop of drops) expect(drop).toBeLessThanOrEqual(5);
    expect(concurrency.at(-1)).toBe(5);
    expect(Math.min(...concurrency)).toBe(5);
  });

  it("deletes what succeeded in DeleteMessageBatch calls of at most 10", async () => {
    // Prepare: one poller, BatchSize 25 within 2 s; the first batch reports 3 records failed.
    const { world, queue, esm } = setup(
      () => async (event) => (event.Records.length === 25 ? fail(ids(event).slice(0, 3)) : null),
      {
        config: { batchSize: 25, maxBatchingWindowSeconds: 2 },
        scaling: { initialConcurrency: 1, addPerMinute: 0 },
      },
    );
    queue.send(25);
    // Act
    esm.start();
    await world.runFor(3000);
    await world.stop(esm);
    // Assess: 22 deleted as 10 + 10 + 2; the 3 failed stay on the queue.
    expect(queue.deleteCalls.map((handles) => handles.length)).toEqual([10, 10, 2]);
    expect(new Set(queue.deleteCalls.flat()).size).toBe(22);
    expect(queue.remaining()).toBe(3);
    expect(world.events[0]).toMatchObject({ records: 25, result: "partial", failed: 3, deleted: 22 });
  });

  it("counts records whose delete failed: they stay on the queue to come back as duplicates", async () => {
    // Prepare: every second DeleteMessageBatch call fails outright, the others lose one handle.
    const log = warningLog();
    let deletes = 0;
    const { world, queue, esm } = setup(() => async () => null, {
      config: { batchSize: 20, maxBatchingWindowSeconds: 1 },
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
      logger: log.logger,
      queuePort: (port) => ({
        ...port,
        async deleteBatch(handles) {
          deletes++;
          if (deletes % 2 === 0) throw new Error("SQS unavailable");
          await port.deleteBatch(handles.slice(1));
          return handles.slice(0, 1);
        },
      }),
    });
    queue.send(20);
    // Act
    esm.start();
    await world.runFor(1500);
    await world.stop(esm);
    // Assess: of 20, 9 deleted; 1 + 10 stay.
    expect(world.events[0]).toMatchObject({ records: 20, result: "succeeded", deleted: 9, deleteFailed: 11 });
    expect(esm.stats()).toMatchObject({ recordsDeleted: 9, deleteFailures: 11, recordsFailed: 0 });
    expect(queue.remaining()).toBe(11);
    expect(log.warnings).toContainEqual(
      expect.objectContaining({ msg: "DeleteMessageBatch failed", records: 10 }),
    );
  });

  it("stop() resolves only once the batch in flight has been invoked and deleted", async () => {
    // Prepare: a 5 s function, stopped 1 s into its batch.
    const { world, queue, esm } = setup(({ clock }) => async () => {
      await clock.sleep(5000);
      return null;
    });
    queue.send(10);
    esm.start();
    await world.runFor(1000);
    let whenStopped: { at: number; remaining: number } | null = null;
    // Act
    const stopped = esm.stop().then(() => {
      whenStopped = { at: world.elapsed(world.clock.now()), remaining: queue.remaining() };
    });
    await world.runFor(60_000);
    await stopped;
    // Assess
    expect(whenStopped).toEqual({ at: 5000, remaining: 0 });
    expect(queue.deleteCalls.map((handles) => handles.length)).toEqual([10]);
    expect(esm.stats().batches).toBe(1);
    expect(esm.stats()).toMatchObject({ pollers: 0, inFlight: 0, recordsDeleted: 10 });
  });

  it("stop() lets a held throttled batch go at once, its records left to come back", async () => {
    // Prepare: reserved concurrency 1 under two pollers, a 1 h visibility timeout.
    const { world, queue, esm } = throttledSecondPoller(3_600_000);
    queue.send(20);
    esm.start();
    await world.runFor(2500);
    const whileHeld = esm.stats();
    // Act
    const stopped = esm.stop();
    await world.runFor(60_000);
    await stopped;
    // Assess: the running batch finished and was deleted; the held one was dropped on the stop.
    expect(whileHeld).toMatchObject({ heldBatches: 1, inFlight: 1 });
    const dropped = world.events.find((e) => e.result === "dropped");
    expect(dropped).toMatchObject({ records: 10, failed: 10, deleted: 0, reason: "the mapping stopped" });
    expect(world.elapsed(dropped?.startedAt ?? 0)).toBe(2500);
    expect(esm.stats()).toMatchObject({
      heldBatches: 0,
      droppedBatches: 1,
      recordsDropped: 10,
      recordsDeleted: 10,
      recordsFailed: 10,
    });
    expect(queue.remaining()).toBe(10);
  });

  it("backs off a failing ReceiveMessage 1 s, 2 s, 4 s... up to 20 s, and starts again from 1 s after a success", async () => {
    // Prepare: one poller; receive calls 1-8 and 10-11 fail.
    const log = warningLog();
    const calls: number[] = [];
    const failing = new Set([1, 2, 3, 4, 5, 6, 7, 8, 10, 11]);
    const { world, queue, esm } = setup(() => async () => null, {
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
      logger: log.logger,
      queuePort: (port) => ({
        ...port,
        async receive(max, wait, signal) {
          calls.push(world.elapsed(world.clock.now()));
          if (failing.has(calls.length)) throw new Error("ReceiveMessage: service unavailable");
          return port.receive(max, wait, signal);
        },
      }),
    });
    queue.send(10);
    // Act
    esm.start();
    await world.runFor(120_000);
    await world.stop(esm);
    // Assess
    const gaps = calls.slice(1, 12).map((at, i) => at - (calls[i] ?? 0));
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 16_000, 20_000, 20_000, 20_000, 0, 1000, 2000]);
    expect(world.events.map((e) => [e.records, world.elapsed(e.startedAt)])).toEqual([[10, 91_000]]);
    expect(esm.stats()).toMatchObject({ receiveErrors: 10, recordsDeleted: 10 });
    expect(log.messages().filter((m) => m === "ReceiveMessage failed")).toHaveLength(10);
    expect(log.warnings[0]).toMatchObject({
      msg: "ReceiveMessage failed",
      error: expect.objectContaining({ message: "ReceiveMessage: service unavailable" }),
    });
  });

  it("stop() ends a ReceiveMessage back-off at once", async () => {
    // Prepare: every receive fails; the poller is in its 20 s back-off.
    const { world, esm } = setup(() => async () => null, {
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
      queuePort: (port) => ({
        ...port,
        receive: async () => {
          throw new Error("ReceiveMessage: service unavailable");
        },
      }),
    });
    esm.start();
    await world.runFor(40_000);
    let stoppedAt: number | null = null;
    // Act
    const stopped = esm.stop().then(() => {
      stoppedAt = world.elapsed(world.clock.now());
    });
    await world.runFor(60_000);
    await stopped;
    // Assess
    expect(stoppedAt).toBe(40_000);
    expect(esm.stats()).toMatchObject({ pollers: 0, receiveErrors: 6 });
  });

  it("invokes the records it holds when a ReceiveMessage fails while it gathers a batch", async () => {
    // Prepare: BatchSize 25 within 2 s; the second receive of the batch fails.
    let receives = 0;
    const { world, queue, esm } = setup(() => async () => null, {
      config: { batchSize: 25, maxBatchingWindowSeconds: 2 },
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
      queuePort: (port) => ({
        ...port,
        async receive(max, wait, signal) {
          if (++receives === 2) throw new Error("ReceiveMessage: service unavailable");
          return port.receive(max, wait, signal);
        },
      }),
    });
    queue.send(25);
    // Act
    esm.start();
    await world.runFor(5000);
    await world.stop(esm);
    // Assess: the 10 in hand are invoked at once, the other 15 in the next batch.
    expect(world.events.map((e) => [e.records, world.elapsed(e.startedAt)])).toEqual([
      [10, 0],
      [15, 2000],
    ]);
    expect(queue.remaining()).toBe(0);
  });

  it("waits no longer in each receive than the batching window has left", async () => {
    // Prepare: BatchSize 100 within 3 s; 5 messages now, 5 more after 1.5 s.
    const { world, queue, esm } = setup(() => async () => null, {
      config: { batchSize: 100, maxBatchingWindowSeconds: 3 },
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
    });
    queue.send(5);
    // Act
    esm.start();
    await world.runFor(1500);
    queue.send(5);
    await world.runFor(3000);
    await world.stop(esm);
    // Assess: the first receive waits the default 20 s; then 3 s, then what is left (1.5 s rounded
    // up: WaitTimeSeconds is whole seconds).
    expect(queue.receiveCalls.slice(0, 3).map((c) => c.wait)).toEqual([20, 3, 2]);
    expect(world.events.map((e) => e.records)).toEqual([10]);
    expect(world.elapsed(world.events[0]?.startedAt ?? 0)).toBeLessThan(4000);
  });

  it("stop() invokes what a poller has gathered without waiting out the batching window", async () => {
    // Prepare: BatchSize 100 within 10 s; 5 messages, stopped after 1 s.
    const { world, queue, esm } = setup(() => async () => null, {
      config: { batchSize: 100, maxBatchingWindowSeconds: 10 },
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
    });
    queue.send(5);
    esm.start();
    await world.runFor(1000);
    // Act
    await world.stop(esm);
    // Assess: invoked at the stop (the fake queue notices it within its 100 ms step), not at 10 s.
    expect(world.events.map((e) => [e.records, e.result])).toEqual([[5, "succeeded"]]);
    expect(world.elapsed(world.events[0]?.startedAt ?? 0)).toBeLessThanOrEqual(1100);
    expect(queue.remaining()).toBe(0);
  });

  it("after an empty poll at the idle floor waits for messages in one call when the queue offers it", async () => {
    // Prepare: a queue that can wait for messages in one call (as the virtual queue does); one poller.
    const calls: string[] = [];
    const { world, queue, esm } = setup(() => async () => null, {
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
      queuePort: (port) => ({
        ...port,
        receive(max, wait, signal) {
          calls.push(`receive ${max}`);
          return port.receive(max, wait, signal);
        },
        async receiveWhenAvailable(max, wait) {
          calls.push(`receiveWhenAvailable ${max}`);
          for (;;) {
            const messages = await port.receive(max, wait);
            if (messages.length > 0) return messages;
          }
        },
      }),
    });
    esm.start();
    await world.runFor(45_000);
    // Act
    queue.send(10);
    await world.runFor(1000);
    await world.stop(esm);
    // Assess: one long poll came back empty, the next call waited until the messages came.
    expect(calls).toEqual(["receive 10", "receiveWhenAvailable 10", "receive 10"]);
    expect(world.events.map((e) => e.records)).toEqual([10]);
    expect(world.elapsed(world.events[0]?.startedAt ?? 0)).toBeLessThanOrEqual(45_100);
  });

  it("runs one set of pollers, scaling at 300 a minute, however often start() is called", async () => {
    // Prepare: a deep backlog and a 2 s function.
    const { world, queue, esm } = setup(sleepingFor(2000), { config: { maximumConcurrency: null } });
    queue.send(1000);
    // Act
    esm.start();
    esm.start();
    await world.runFor(1500);
    const running = esm.stats();
    await world.stop(esm);
    // Assess: one scaling tick has added 5.
    expect(running).toMatchObject({ concurrency: 10, pollers: 10 });
  });

  it("keeps the queue's order when the payload limit carries a record: the ones after it wait too", async () => {
    // Prepare: five 1 MiB bodies, a 2 MiB one that does not fit beside them, then a small one.
    const { world, queue, esm } = setup(() => async () => null, {
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
    });
    queue.send(7, (n) => (n <= 5 ? "a".repeat(1024 * 1024) : n === 6 ? "b".repeat(2 * 1024 * 1024) : "c"));
    // Act
    esm.start();
    await world.runFor(1000);
    await world.stop(esm);
    // Assess
    expect(world.events.map((e) => e.records)).toEqual([5, 2]);
  });

  it("says why a whole batch failed: the timeout, the error thrown, or the failed Invoke", async () => {
    // Prepare: the first batch times out, the second throws, the third throws a string, then Invoke fails.
    const log = warningLog();
    const world = virtualWorld();
    const queue = fakeQueue(world.clock);
    let invocations = 0;
    const fn: FunctionPort = {
      async invoke() {
        invocations++;
        if (invocations === 1) return { kind: "timeout" };
        if (invocations === 2) return { kind: "error", error: new TypeError("no carrier") };
        if (invocations === 3) return { kind: "error", error: "carrier said no" };
        if (invocations === 4) throw new Error("connect ECONNREFUSED");
        return { kind: "returned", payload: "null" };
      },
    };
    const esm = createEventSourceMapping({
      queue: queue.port,
      fn,
      clock: world.clock,
      config: esmConfig({ functionTimeoutSeconds: 7, batchSize: 1 }),
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
      onInvocation: world.onInvocation,
      logger: log.logger,
    });
    queue.send(5);
    // Act
    esm.start();
    await world.runFor(1000);
    await world.stop(esm);
    // Assess
    expect(world.events.map((e) => [e.result, e.reason])).toEqual([
      ["timeout", "timed out after 7 s"],
      ["error", "TypeError: no carrier"],
      ["error", "carrier said no"],
      ["invoke-failed", "invoke failed: Error: connect ECONNREFUSED"],
      ["succeeded", undefined],
    ]);
    expect(world.events.at(-1)).not.toHaveProperty("reason");
    expect(esm.stats()).toMatchObject({ timeouts: 1, errors: 3, invocations: 5, recordsFailed: 4 });
    expect(log.warnings.filter((w) => w.msg === "batch failed").map((w) => [w.result, w.records])).toEqual([
      ["timeout", 1],
      ["error", 1],
      ["error", 1],
      ["invoke-failed", 1],
    ]);
  });
  it("regains concurrency at esm.recoverPerMinute once errors stop, then scales on at 300 a minute", async () => {
    // Prepare: no ReportBatchItemFailures, recovery at one batch a second, errors for the first 5 s.
    const { world, queue, esm, carrier } = failingCarrier({
      visibilityTimeoutMs: 1000,
      config: { maximumConcurrency: 20 },
      backoff: { recoverPerMinute: 60 },
    });
    queue.send(5000);
    esm.start();
    await world.runFor(5000);
    carrier.healthy = true;
    const concurrency: number[] = [];
    // Act
    for (let second = 0; second < 8; second++) {
      await world.runFor(1000);
      concurrency.push(esm.stats().concurrency);
    }
    await world.stop(esm);
    // Assess: the first second still sees the last errors; then from the floor of 2 back to 5 a
    // batch a second, where the backing off began, and on 5 a second up to MaximumConcurrency 20.
    expect(concurrency).toEqual([2, 3, 4, 5, 10, 15, 20, 20]);
  });

  it("stays backed off while one batch keeps failing, however many polls come back empty between its failures", async () => {
    // Prepare: no ReportBatchItemFailures; one batch of 10 that always fails, back every 3 s; the
    // idle pollers' long polls last 1 s, so most seconds see empty polls and no failure.
    const { world, queue, esm } = setup(
      () => async () => {
        throw new Error("carrier down");
      },
      { visibilityTimeoutMs: 3000, pollWaitSeconds: 1, config: { reportBatchItemFailures: false } },
    );
    queue.send(10);
    // Act
    esm.start();
    const concurrency: number[] = [];
    for (let second = 0; second < 30; second++) {
      await world.runFor(1000);
      concurrency.push(esm.stats().concurrency);
    }
    await world.stop(esm);
    // Assess: down a batch at each failure to the floor of 2, never back up while failures go on.
    expect(concurrency.every((c, i) => i === 0 || c <= (concurrency[i - 1] ?? c))).toBe(true);
    expect(concurrency.slice(10)).toEqual(Array(20).fill(2));
  });

  it("with esm.floor at the initial five, errors leave nothing to regain: it scales on at 300 a minute once they stop", async () => {
    // Prepare: no ReportBatchItemFailures, a backoff floor of 5, errors for the first 5 s.
    const { world, queue, esm, carrier } = failingCarrier({
      visibilityTimeoutMs: 1000,
      config: { maximumConcurrency: 20 },
      backoff: { floor: 5, recoverPerMinute: 60 },
    });
    queue.send(5000);
    esm.start();
    await world.runFor(5000);
    const whileFailing = esm.stats().concurrency;
    carrier.healthy = true;
    const concurrency: number[] = [];
    // Act
    for (let second = 0; second < 5; second++) {
      await world.runFor(1000);
      concurrency.push(esm.stats().concurrency);
    }
    await world.stop(esm);
    // Assess: the first second still sees the last errors; then 5 a second up to 20.
    expect(whileFailing).toBe(5);
    expect(concurrency).toEqual([5, 10, 15, 20, 20]);
  });

  it("runs without a logger or an invocation listener, counting a throttle and a failed delete all the same", async () => {
    // Prepare: a function throttled on its first attempt; every DeleteMessageBatch fails.
    const world = virtualWorld();
    const queue = fakeQueue(world.clock);
    let attempts = 0;
    const esm = createEventSourceMapping({
      queue: {
        ...queue.port,
        deleteBatch: async () => {
          throw new Error("SQS unavailable");
        },
      },
      fn: {
        invoke: async () => (++attempts === 1 ? { kind: "throttled" } : { kind: "returned", payload: null }),
      },
      clock: world.clock,
      config: esmConfig(),
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
    });
    queue.send(10);
    // Act
    esm.start();
    await world.runFor(5000);
    await world.stop(esm);
    // Assess
    expect(esm.stats()).toMatchObject({
      throttled: 1,
      invocations: 1,
      recordsDeleted: 0,
      deleteFailures: 10,
    });
  });

  it("backs off again from where it stands after a recovery, and regains up to there at esm.recoverPerMinute", async () => {
    // Prepare: no ReportBatchItemFailures, recovery at one batch a second; errors for the first 5 s
    // back the mapping off from 5 to 2; 6 s later it has recovered and scaled on to 15.
    const { world, queue, esm, carrier } = failingCarrier({
      visibilityTimeoutMs: 1000,
      config: { maximumConcurrency: 20 },
      backoff: { recoverPerMinute: 60 },
    });
    queue.send(20_000);
    esm.start();
    await world.runFor(5000);
    carrier.healthy = true;
    await world.runFor(6000);
    const recovered = esm.stats().concurrency;
    // Act: errors for 3 s more (down to 11 after the last of them), then none.
    carrier.healthy = false;
    await world.runFor(3000);
    carrier.healthy = true;
    const concurrency: number[] = [];
    for (let second = 0; second < 6; second++) {
      await world.runFor(1000);
      concurrency.push(esm.stats().concurrency);
    }
    await world.stop(esm);
    // Assess: from 15 down a batch a second, then back a batch a second to 15, where this backing
    // off began (not at 300 a minute from 5, where the first one began), then on at 300 a minute.
    expect(recovered).toBe(15);
    expect(concurrency).toEqual([11, 12, 13, 14, 15, 20]);
  });

  it("drops a held batch at its first retry after the visibility timeout, saying how many attempts it made", async () => {
    // Prepare: reserved concurrency 1 under two pollers; the running batch takes 10 s, the window is 5 s.
    const { world, queue, esm } = throttledSecondPoller(5000);
    queue.send(20);
    // Act
    esm.start();
    await world.runFor(7500);
    const afterDrop = esm.stats();
    await world.stop(esm);
    // Assess: attempts at 0, 1 and 3 s; the retry due at 7 s finds the 5 s window gone.
    const held = world.events.filter((e) => e.result === "throttled" || e.result === "dropped");
    expect(held.slice(0, 4).map((e) => [e.result, world.elapsed(e.startedAt), e.failed])).toEqual([
      ["throttled", 0, 0],
      ["throttled", 1000, 0],
      ["throttled", 3000, 0],
      ["dropped", 7000, 10],
    ]);
    expect(held[3]?.reason).toBe("3 throttled attempts, then the visibility timeout (5 s) passed");
    // The poller receives again at once (the window has passed for every message) and is throttled again.
    expect(afterDrop).toMatchObject({ throttled: 4, throttledBatches: 2, droppedBatches: 1, heldBatches: 1 });
  });

  it("makes no retry due the moment the visibility timeout ends: the messages are visible on the queue again", async () => {
    // Prepare: as above with a 3 s window, which ends just as the second retry is due.
    const log = warningLog();
    const { world, queue, esm } = throttledSecondPoller(3000, log.logger);
    queue.send(20);
    // Act
    esm.start();
    await world.runFor(3500);
    await world.stop(esm);
    // Assess
    const dropped = world.events.find((e) => e.result === "dropped");
    expect(dropped && world.elapsed(dropped.startedAt)).toBe(3000);
    expect(dropped?.reason).toBe("2 throttled attempts, then the visibility timeout (3 s) passed");
    expect(log.warnings).toContainEqual(
      expect.objectContaining({ msg: "throttled batch dropped", records: 10, reason: dropped?.reason }),
    );
  });
});

describe("createEventSourceMapping when a throttle or an error lands while scaling is settled", () => {
  /** MaximumConcurrency 5 over a deep backlog and a 1 s function: busy at the cap after a few seconds. */
  function busyAtTheCap(config: Partial<EsmConfig> = {}) {
    let fn: ReturnType<typeof switchableFunction> | undefined;
    const { world, queue, esm } = setup(() => async () => null, {
      visibilityTimeoutMs: 3_600_000,
      config,
      fn: ({ clock }) => {
        fn = switchableFunction(clock, 1000);
        return fn.port;
      },
    });
    if (!fn) throw new Error("setup did not build the function");
    return { world, queue, esm, fn: fn.state };
  }

  /** Concurrency after each of `seconds` seconds. */
  async function concurrencyFor(
    world: ReturnType<typeof virtualWorld>,
    esm: EventSourceMapping,
    seconds: number,
  ) {
    const concurrency: number[] = [];
    for (let second = 0; second < seconds; second++) {
      await world.runFor(1000);
      concurrency.push(esm.stats().concurrency);
    }
    return concurrency;
  }

  it("backs off one batch a second while a single batch is held, between its retries too", async () => {
    // Prepare: one batch of 10 and the function throttling; the other four pollers wait in their
    // long polls and see nothing.
    const { world, queue, esm, fn } = busyAtTheCap();
    fn.mode = "throttled";
    queue.send(10);
    // Act: attempts at 0, 1, 3 and 7 s.
    esm.start();
    const whileHeld = await concurrencyFor(world, esm, 5);
    fn.mode = "ok";
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess
    expect(whileHeld).toEqual([4, 3, 2, 2, 2]);
    expect(esm.stats()).toMatchObject({ throttledBatches: 1, recordsDeleted: 10 });
  });

  it("backs off one batch a second from MaximumConcurrency when throttles start, and every record is still invoked once", async () => {
    // Prepare: 10 s at the cap of 5.
    const { world, queue, esm, fn } = busyAtTheCap();
    queue.send(1000);
    esm.start();
    await world.runFor(10_000);
    const atTheCap = esm.stats().concurrency;
    // Act: throttled for 5 s, then healthy again.
    fn.mode = "throttled";
    const whileThrottled = await concurrencyFor(world, esm, 5);
    fn.mode = "ok";
    await world.runFor(600_000);
    await world.stop(esm);
    // Assess: the batches started at 10 s run; those invoked at 11 s are throttled, the tick at 12 s
    // sees them, and the mapping comes down to the floor of 2.
    expect(atTheCap).toBe(5);
    expect(whileThrottled).toEqual([5, 4, 3, 2, 2]);
    expect(esm.stats()).toMatchObject({ recordsReceived: 1000, recordsDeleted: 1000, droppedBatches: 0 });
    expect(fn.batches.reduce((sum, n) => sum + n, 0)).toBe(1000);
    expect(queue.remaining()).toBe(0);
  });

  it("without ReportBatchItemFailures backs off one batch a second from MaximumConcurrency when errors start", async () => {
    // Prepare: 10 s at the cap of 5.
    const { world, queue, esm, fn } = busyAtTheCap({ reportBatchItemFailures: false });
    queue.send(1000);
    esm.start();
    await world.runFor(10_000);
    const atTheCap = esm.stats().concurrency;
    // Act
    fn.mode = "error";
    const whileFailing = await concurrencyFor(world, esm, 5);
    await world.stop(esm);
    // Assess: the batches invoked at 10 s fail at 11 s, and the tick at 12 s sees them.
    expect(atTheCap).toBe(5);
    expect(whileFailing).toEqual([5, 4, 3, 2, 2]);
  });
});

describe("createEventSourceMapping scaling when some polls come back empty", () => {
  /** Concurrency after each second, calling `each(second)` before it. */
  async function concurrencyEachSecond(
    world: ReturnType<typeof virtualWorld>,
    esm: EventSourceMapping,
    seconds: number,
    each: (second: number) => void = () => {},
  ) {
    const concurrency: number[] = [];
    for (let second = 0; second < seconds; second++) {
      each(second);
      await world.runFor(1000);
      concurrency.push(esm.stats().concurrency);
    }
    return concurrency;
  }
  const drops = (series: number[]) => series.slice(1).map((c, i) => (series[i] ?? c) - c);

  it("stays within MaximumConcurrency, comes down at most five a second through a trickle and after it, and scales up again for a backlog", async () => {
    // Prepare: MaximumConcurrency 20, 5 s a batch, a 2 min visibility timeout.
    const { world, queue, esm } = setup(sleepingFor(5000), {
      config: { maximumConcurrency: 20 },
      visibilityTimeoutMs: 120_000,
    });
    esm.start();
    // Act: a backlog of 600 at 0 s, a message every 2 s from 20 s to 60 s (in some seconds a poll
    // finds one while others come back empty), nothing until a second backlog of 600 at 120 s.
    const concurrency = await concurrencyEachSecond(world, esm, 180, (second) => {
      if (second === 0 || second === 120) queue.send(600);
      else if (second >= 20 && second < 60 && second % 2 === 0) queue.send(1);
    });
    await world.stop(esm);
    // Assess: never above 20; down at most 5 a second, to 5 and no lower; up again 5 a second.
    expect(esm.stats().maxConcurrent).toBe(20);
    expect(world.events.every((e) => e.concurrency <= 20)).toBe(true);
    expect(Math.max(...concurrency)).toBe(20);
    for (const drop of drops(concurrency)) expect(drop).toBeLessThanOrEqual(5);
    expect(Math.min(...concurrency)).toBe(5);
    expect(concurrency[110]).toBe(5);
    expect(concurrency.slice(119, 124)).toEqual([5, 5, 10, 15, 20]);
    expect(concurrency.at(-1)).toBe(5);
    expect(esm.stats()).toMatchObject({ recordsReceived: 1220, recordsDeleted: 1220 });
    expect(queue.remaining()).toBe(0);
  });

  it("scales up a second after messages come, however recently polls came back empty", async () => {
    // Prepare: MaximumConcurrency 20; the five idle pollers' first long polls come back empty at 20 s.
    const { world, queue, esm } = setup(sleepingFor(5000), {
      config: { maximumConcurrency: 20 },
      visibilityTimeoutMs: 120_000,
    });
    esm.start();
    await world.runFor(20_500);
    // Act: a backlog at 20.5 s.
    queue.send(600);
    await world.runFor(1200);
    const aSecondLater = esm.stats().concurrency;
    await world.runFor(1000);
    const twoSecondsLater = esm.stats().concurrency;
    await world.stop(esm);
    // Assess: the empty polls before the backlog do not hold back the first step up.
    expect([aSecondLater, twoSecondsLater]).toEqual([10, 15]);
  });

  it("holds its concurrency while pollers are busy or still in their 20 s long polls after a backlog drains", async () => {
    // Prepare: no MaximumConcurrency, 5 s a batch; 600 messages drain within 10 s.
    const { world, queue, esm } = setup(sleepingFor(5000), {
      config: { maximumConcurrency: null },
      visibilityTimeoutMs: 120_000,
    });
    queue.send(600);
    esm.start();
    // Act
    const concurrency = await concurrencyEachSecond(world, esm, 60);
    await world.stop(esm);
    // Assess: the peak holds until the first long polls come back empty, 20 s after the last
    // receive, then falls at most 5 a second to 5.
    const peak = Math.max(...concurrency);
    expect(peak).toBeGreaterThan(20);
    expect(concurrency[9]).toBe(peak);
    expect(concurrency[27]).toBe(peak);
    for (const drop of drops(concurrency)) expect(drop).toBeLessThanOrEqual(5);
    expect(concurrency.at(-1)).toBe(5);
  });
});

describe("createEventSourceMapping with records carried over or gathered over a window", () => {
  /** One poller over a function the test switches; a 1 MiB body per message unless told. */
  function onePoller(
    options: { config?: Partial<EsmConfig>; visibilityTimeoutMs?: number; ms?: number } = {},
  ) {
    let fn: ReturnType<typeof switchableFunction> | undefined;
    const { world, queue, esm } = setup(() => async () => null, {
      config: options.config,
      visibilityTimeoutMs: options.visibilityTimeoutMs,
      scaling: { initialConcurrency: 1, addPerMinute: 0 },
      fn: ({ clock }) => {
        fn = switchableFunction(clock, options.ms ?? 0);
        return fn.port;
      },
    });
    if (!fn) throw new Error("setup did not build the function");
    return { world, queue, esm, fn: fn.state };
  }
  const mib = () => "m".repeat(1024 * 1024);

  it("stop() during a batch still invokes and deletes the records the payload limit carried over", async () => {
    // Prepare: ten 1 MiB messages, 5 s a batch: the first five are invoked, the other five carried.
    const { world, queue, esm, fn } = onePoller({ ms: 5000 });
    queue.send(10, mib);
    esm.start();
    await world.runFor(1000);
    // Act
    await world.stop(esm);
    // Assess: every record received is invoked exactly once and deleted.
    expect(fn.batches).toEqual([5, 5]);
    expect(esm.stats()).toMatchObject({ recordsReceived: 10, recordsDeleted: 10, recordsFailed: 0 });
    expect(queue.remaining()).toBe(0);
  });

  it("holds a carried-over batch that is throttled and invokes it once the function takes it again", async () => {
    // Prepare: the first five 1 MiB records take 5 s; the carried five are throttled from 5 s.
    const { world, queue, esm, fn } = onePoller({ ms: 5000, visibilityTimeoutMs: 60_000 });
    queue.send(10, mib);
    esm.start();
    await world.runFor(4000);
    fn.mode = "throttled";
    // Act: throttled at 5, 6 and 8 s; the retry at 12 s gets in.
    await world.runFor(6000);
    fn.mode = "ok";
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess
    expect(fn.batches).toEqual([5, 5]);
    expect(world.events.map((e) => [e.result, world.elapsed(e.startedAt)])).toEqual([
      ["succeeded", 0],
      ["throttled", 5000],
      ["throttled", 6000],
      ["throttled", 8000],
      ["succeeded", 12_000],
    ]);
    expect(esm.stats()).toMatchObject({ recordsDeleted: 10, droppedBatches: 0 });
  });

  it("times a held batch's visibility timeout from its first record, not from records gathered later", async () => {
    // Prepare: a 5 s window; 5 messages at 0 s and 5 received at 4 s (the fake queue looks every
    // 100 ms); every invocation throttled; a 10 s visibility timeout.
    const { world, queue, esm, fn } = onePoller({
      config: { batchSize: 100, maxBatchingWindowSeconds: 5 },
      visibilityTimeoutMs: 10_000,
    });
    fn.mode = "throttled";
    queue.send(5);
    esm.start();
    await world.runFor(3950);
    queue.send(5);
    // Act
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess: attempts at 5, 6 and 8 s; the retry due at 12 s finds the first records' 10 s gone.
    const held = world.events.filter((e) => e.records === 10);
    expect(held.map((e) => [e.result, world.elapsed(e.startedAt)])).toEqual([
      ["throttled", 5000],
      ["throttled", 6000],
      ["throttled", 8000],
      ["dropped", 12_000],
    ]);
  });

  it("invokes a batch as soon as its payload is full, without waiting out the batching window", async () => {
    // Prepare: BatchSize 100 within 10 s; ten 1 MiB messages, of which five fill the payload.
    const { world, queue, esm, fn } = onePoller({ config: { batchSize: 100, maxBatchingWindowSeconds: 10 } });
    queue.send(10, mib);
    // Act
    esm.start();
    await world.runFor(1000);
    await world.stop(esm);
    // Assess: Lambda invokes when the window ends, the batch size is met or the payload reaches 6 MB.
    expect(fn.batches).toEqual([5, 5]);
    expect(world.elapsed(world.events[0]?.startedAt ?? -1)).toBe(0);
  });

  it("ends a batch with its batching window even when the queue can wait for messages in one call", async () => {
    // Prepare: BatchSize 100 within 3 s over a queue offering receiveWhenAvailable; idle 30 s first.
    const { world, queue, esm, fn } = onePoller({ config: { batchSize: 100, maxBatchingWindowSeconds: 3 } });
    const port = queue.port;
    port.receiveWhenAvailable = async (max, wait) => {
      for (;;) {
        const messages = await port.receive(max, wait);
        if (messages.length > 0) return messages;
      }
    };
    esm.start();
    await world.runFor(29_950);
    // Act: 5 messages at 30 s, none after them.
    queue.send(5);
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess
    expect(fn.batches).toEqual([5]);
    expect(world.elapsed(world.events[0]?.startedAt ?? -1)).toBe(33_000);
  });

  it("gathers for the whole batching window from its first record, through empty long polls before and inside it", async () => {
    // Prepare: BatchSize 100 within 30 s; the queue is empty for 25 s, then 5 messages, 5 more at
    // 50 s (each received at the fake queue's next 100 ms step).
    const { world, queue, esm, fn } = onePoller({
      config: { batchSize: 100, maxBatchingWindowSeconds: 30 },
      visibilityTimeoutMs: 120_000,
    });
    esm.start();
    await world.runFor(24_950);
    queue.send(5);
    // Act
    await world.runFor(25_000);
    queue.send(5);
    await world.runFor(10_000);
    await world.stop(esm);
    // Assess: one batch of 10, invoked when the window that began at 25 s ends at 55 s (the long
    // poll that came back empty at 45 s did not end it).
    expect(fn.batches).toEqual([10]);
    expect(world.events.map((e) => [e.records, world.elapsed(e.startedAt)])).toEqual([[10, 55_000]]);
  });
});

describe("esmConfigOf", () => {
  it("takes the mapping's settings from the template: its own, the function's timeout and the queue's visibility timeout", () => {
    // Prepare
    const pipeline = loadPipelineConfig({
      overrides: {
        "LambdaEventSourceMapping.BatchSize": 25,
        "LambdaEventSourceMapping.MaximumBatchingWindowInSeconds": 3,
      },
    });
    // Act
    const config = esmConfigOf(pipeline);
    // Assess
    expect(config).toEqual({
      batchSize: 25,
      maxBatchingWindowSeconds: 3,
      maximumConcurrency: 5,
      reportBatchItemFailures: true,
      functionTimeoutSeconds: 20,
      visibilityTimeoutSeconds: 120,
    });
  });
});

describe("createEventSourceMapping's settings", () => {
  const world = virtualWorld();
  const create =
    (config: Partial<EsmConfig>, scaling: Partial<EsmScaling> = {}) =>
    () =>
      createEventSourceMapping({
        queue: fakeQueue(world.clock).port,
        fn: { invoke: async () => ({ kind: "returned", payload: "null" }) },
        clock: world.clock,
        config: esmConfig(config),
        scaling,
      });

  it.each<[string, Partial<EsmConfig>, Partial<EsmScaling>, string]>([
    ["BatchSize 0", { batchSize: 0 }, {}, "config.batchSize: expected an integer from 1 to 10000 (got 0)"],
    [
      "BatchSize 10,001",
      { batchSize: 10_001, maxBatchingWindowSeconds: 1 },
      {},
      "config.batchSize: expected an integer from 1 to 10000 (got 10001)",
    ],
    [
      "BatchSize 2.5",
      { batchSize: 2.5 },
      {},
      "config.batchSize: expected an integer from 1 to 10000 (got 2.5)",
    ],
    [
      "a function timeout of 0 s",
      { functionTimeoutSeconds: 0 },
      {},
      "config.functionTimeoutSeconds: expected an integer from 1 to 900 (got 0)",
    ],
    [
      "a function timeout of 901 s",
      { functionTimeoutSeconds: 901 },
      {},
      "config.functionTimeoutSeconds: expected an integer from 1 to 900 (got 901)",
    ],
    // Lambda API reference, ScalingConfig: MaximumConcurrency from 2 to 1,000.
    [
      "MaximumConcurrency 1",
      { maximumConcurrency: 1 },
      {},
      "config.maximumConcurrency: expected an integer from 2 to 1000 (got 1)",
    ],
    [
      "MaximumConcurrency 1,001",
      { maximumConcurrency: 1001 },
      {},
      "config.maximumConcurrency: expected an integer from 2 to 1000 (got 1001)",
    ],
    [
      "a visibility timeout of -1 s",
      { visibilityTimeoutSeconds: -1 },
      {},
      "config.visibilityTimeoutSeconds: expected an integer from 0 to 43200 (got -1)",
    ],
    [
      "a visibility timeout of 43,201 s",
      { visibilityTimeoutSeconds: 43_201 },
      {},
      "config.visibilityTimeoutSeconds: expected an integer from 0 to 43200 (got 43201)",
    ],
    [
      "a visibility timeout of 1.5 s",
      { visibilityTimeoutSeconds: 1.5 },
      {},
      "config.visibilityTimeoutSeconds: expected an integer from 0 to 43200 (got 1.5)",
    ],
    [
      "a batching window of -1 s",
      { maxBatchingWindowSeconds: -1 },
      {},
      "config.maxBatchingWindowSeconds: expected 0 to 300 (got -1)",
    ],
    [
      "a batching window of 301 s",
      { maxBatchingWindowSeconds: 301 },
      {},
      "config.maxBatchingWindowSeconds: expected 0 to 300 (got 301)",
    ],
    [
      "BatchSize 11 without a batching window",
      { batchSize: 11, maxBatchingWindowSeconds: 0.5 },
      {},
      "config.maxBatchingWindowSeconds: must be >= 1 when batchSize > 10 (got 0.5)",
    ],
    [
      "an initial concurrency of 0",
      {},
      { initialConcurrency: 0 },
      `scaling.initialConcurrency: expected an integer from 1 to ${Number.MAX_SAFE_INTEGER} (got 0)`,
    ],
    [
      "a scaling maximum of 0",
      {},
      { max: 0 },
      `scaling.max: expected an integer from 1 to ${Number.MAX_SAFE_INTEGER} (got 0)`,
    ],
    ["a negative scale-up rate", {}, { addPerMinute: -1 }, "scaling.addPerMinute: expected >= 0 (got -1)"],
  ])("rejects %s, naming the field, the allowed range and the value", (_label, config, scaling, message) => {
    // Prepare / Act / Assess
    expect(create(config, scaling)).toThrow(ValidationError);
    expect(create(config, scaling)).toThrow(message);
  });

  it.each<[string, Partial<EsmConfig>, Partial<EsmScaling>]>([
    [
      "the least of every range",
      {
        batchSize: 1,
        functionTimeoutSeconds: 1,
        maximumConcurrency: 2,
        visibilityTimeoutSeconds: 0,
        maxBatchingWindowSeconds: 0,
      },
      { initialConcurrency: 1, max: 1, addPerMinute: 0 },
    ],
    [
      "the most of every range",
      {
        batchSize: 10_000,
        functionTimeoutSeconds: 900,
        maximumConcurrency: 1000,
        visibilityTimeoutSeconds: 43_200,
        maxBatchingWindowSeconds: 300,
      },
      {},
    ],
    ["BatchSize 10 without a batching window", { batchSize: 10, maxBatchingWindowSeconds: 0 }, {}],
    ["BatchSize 11 with a 1 s window", { batchSize: 11, maxBatchingWindowSeconds: 1 }, {}],
    ["no MaximumConcurrency", { maximumConcurrency: null }, {}],
  ])("accepts %s", (_label, config, scaling) => {
    // Prepare / Act / Assess
    expect(create(config, scaling)).not.toThrow();
  });
});
