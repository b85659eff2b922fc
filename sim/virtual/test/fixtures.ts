import type { Context, SQSEvent } from "aws-lambda";
import type { PipelineConfig, QueueConfig } from "../../../infra/pipeline-config";
import { createLambdaModel, type LambdaModelOptions } from "../lambda-model";
import { createVirtualScheduler, type VirtualScheduler } from "../scheduler";
import {
  createSqsQueueModel,
  createVirtualQueuePair,
  type SendEntry,
  type SqsQueueModelOptions,
} from "../sqs-queue-model";

/** 2026-11-01T00:00:00Z: a virtual epoch far from 0, as real timestamps are. */
export const T0 = Date.UTC(2026, 10, 1);

export function scheduler(startMs = T0): VirtualScheduler {
  return createVirtualScheduler({ startMs });
}

export function queueConfig(overrides: Partial<QueueConfig> = {}): QueueConfig {
  return {
    logicalId: "TestQueue",
    name: "test-queue",
    visibilityTimeoutSeconds: 30,
    retentionSeconds: 345_600,
    delaySeconds: 0,
    receiveWaitSeconds: 0,
    ...overrides,
  };
}

/** A source queue and its DLQ as the template would configure them. */
export function queuePairConfig(
  queue: Partial<PipelineConfig["queue"]> = {},
  dlq: Partial<QueueConfig> = {},
): Pick<PipelineConfig, "queue" | "dlq"> {
  return {
    queue: { ...queueConfig(), maxReceiveCount: 3, ...queue },
    dlq: queueConfig({ logicalId: "TestDLQ", name: "test-dlq", retentionSeconds: 1_209_600, ...dlq }),
  };
}

export function queuePair(
  s: VirtualScheduler,
  queue: Partial<PipelineConfig["queue"]> = {},
  dlq: Partial<QueueConfig> = {},
) {
  return createVirtualQueuePair(queuePairConfig(queue, dlq), s.clock);
}

export function singleQueue(
  s: VirtualScheduler,
  overrides: Partial<Omit<SqsQueueModelOptions, "clock">> = {},
) {
  return createSqsQueueModel({
    name: "single-queue",
    visibilityTimeoutSeconds: 30,
    retentionSeconds: 345_600,
    ...overrides,
    clock: s.clock,
  });
}

/** SendMessageBatch entries for `bodies`, with Ids "0", "1", ... in order. */
export function entries(bodies: readonly string[]): SendEntry[] {
  return bodies.map((body, i) => ({ id: String(i), body }));
}

/** What `act` throws, or null: for asserting several refusals side by side. */
export function catchError(act: () => void): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return null;
}

/** A handler that waits `ms` of virtual time, then reports no failures. */
export function sleepingHandler(s: VirtualScheduler, ms: number) {
  return async (_event: SQSEvent, _context: Context) => {
    await s.clock.sleep(ms);
    return { batchItemFailures: [] };
  };
}

export function lambda(s: VirtualScheduler, overrides: Partial<LambdaModelOptions> = {}) {
  return createLambdaModel({
    functionName: "test-lambda",
    handler: sleepingHandler(s, 100),
    clock: s.clock,
    memoryMb: 512,
    architecture: "arm64",
    reservedConcurrency: 5,
    coldStartMs: 250,
    ...overrides,
  });
}

/** Runs `work` to completion in virtual time and returns its result. */
export async function inVirtualTime<T>(
  s: VirtualScheduler,
  work: () => Promise<T>,
  untilMs?: number,
): Promise<T> {
  const result = work();
  // Handled here so a rejection during run() is not "unhandled"; the caller still gets it.
  result.catch(() => {});
  await s.run(untilMs);
  return result;
}
