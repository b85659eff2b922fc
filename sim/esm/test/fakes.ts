import { createHash } from "node:crypto";
import type { Clock } from "../../../domain/clock";
import { createVirtualScheduler, type VirtualScheduler } from "../../virtual/scheduler";
import type { EsmConfig, EventSourceMapping, InvocationEvent } from "../event-source-mapping";
import type { FunctionPort, QueueMessage, QueuePort } from "../ports";

export const QUEUE_ARN = "arn:aws:sqs:ap-northeast-2:123456789012:messaging-queue";

/** A message as ReceiveMessage gives it; override any field. */
export function queueMessage(overrides: Partial<QueueMessage> = {}): QueueMessage {
  const body = overrides.body ?? '{"v":1}';
  return {
    messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
    receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
    body,
    md5OfBody: createHash("md5").update(body).digest("hex"),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "1545082649183",
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: "1545082649185",
    },
    messageAttributes: {},
    ...overrides,
  };
}

interface Stored {
  id: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceiveAt: number;
  visibleAt: number;
  handle: string | null;
}

/**
 * A standard queue reduced to what the mapping sees: visibility timeout, receive counts, long
 * polling in 100 ms steps on the clock, and deletes by the latest receipt handle. No DLQ.
 */
export function fakeQueue(clock: Clock, options: { visibilityTimeoutMs?: number } = {}) {
  const visibilityMs = options.visibilityTimeoutMs ?? 30_000;
  const stored = new Map<string, Stored>();
  let sent = 0;
  let handles = 0;
  const receiveCalls: { max: number; wait: number }[] = [];
  const deleteCalls: string[][] = [];

  const port: QueuePort = {
    arn: QUEUE_ARN,
    region: "ap-northeast-2",
    async receive(max, wait, signal) {
      receiveCalls.push({ max, wait });
      const until = clock.now() + wait * 1000;
      for (;;) {
        if (signal?.aborted) throw new DOMException("receive aborted", "AbortError");
        const now = clock.now();
        const visible = [...stored.values()].filter((m) => m.visibleAt <= now).slice(0, max);
        if (visible.length > 0 || now >= until) return visible.map((m) => deliver(m, now));
        await clock.sleep(Math.min(100, until - now));
      }
    },
    async deleteBatch(receiptHandles) {
      deleteCalls.push([...receiptHandles]);
      const failed: string[] = [];
      for (const handle of receiptHandles) {
        const message = [...stored.values()].find((m) => m.handle === handle);
        if (message) stored.delete(message.id);
        else failed.push(handle);
      }
      return failed;
    },
  };

  function deliver(m: Stored, now: number): QueueMessage {
    m.receiveCount++;
    if (m.receiveCount === 1) m.firstReceiveAt = now;
    m.visibleAt = now + visibilityMs;
    m.handle = `rh-${++handles}`;
    return queueMessage({
      messageId: m.id,
      receiptHandle: m.handle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: "AIDAFAKESENDER",
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt),
      },
    });
  }

  return {
    port,
    receiveCalls,
    deleteCalls,
    send(count: number, body: (n: number) => string = (n) => `body-${n}`): string[] {
      return Array.from({ length: count }, () => {
        const n = ++sent;
        const id = `m-${n}`;
        stored.set(id, {
          id,
          body: body(n),
          sentAt: clock.now(),
          receiveCount: 0,
          firstReceiveAt: 0,
          visibleAt: 0,
          handle: null,
        });
        return id;
      });
    },
    remaining: () => stored.size,
    receiveCountOf: (id: string) => stored.get(id)?.receiveCount ?? null,
  };
}

export function esmConfig(overrides: Partial<EsmConfig> = {}): EsmConfig {
  return {
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maximumConcurrency: 5,
    reportBatchItemFailures: true,
    functionTimeoutSeconds: 20,
    visibilityTimeoutSeconds: 30,
    ...overrides,
  };
}

/** A virtual-time world for one test: run the mapping for a while, then stop it. */
export function virtualWorld() {
  const scheduler: VirtualScheduler = createVirtualScheduler({ startMs: Date.UTC(2026, 0, 1) });
  const events: InvocationEvent[] = [];
  return {
    scheduler,
    clock: scheduler.clock,
    events,
    onInvocation: (event: InvocationEvent) => events.push(event),
    /** Milliseconds since the world began. */
    elapsed: (at: number) => at - Date.UTC(2026, 0, 1),
    runFor: (ms: number) => scheduler.run(scheduler.now() + ms),
    async stop(esm: EventSourceMapping) {
      const stopped = esm.stop();
      await scheduler.run(scheduler.now() + 60_000);
      await stopped;
    },
  };
}

/**
 * A function taking `ms` of the clock per batch whose answer a test switches mid-run: "ok" succeeds,
 * "throttled" is refused at once (as Lambda refuses beyond its concurrency), "error" fails after
 * `ms` with an error from function code. `batches` has the record count of each invocation that ran.
 */
export function switchableFunction(clock: Clock, ms: number) {
  const state = { mode: "ok" as "ok" | "throttled" | "error", batches: [] as number[] };
  const port: FunctionPort = {
    async invoke(event) {
      if (state.mode === "throttled") return { kind: "throttled" };
      state.batches.push(event.Records.length);
      await clock.sleep(ms);
      if (state.mode === "error") return { kind: "error", error: new Error("carrier down") };
      return { kind: "returned", payload: null };
    },
  };
  return { port, state };
}
