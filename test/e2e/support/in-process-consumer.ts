import { setTimeout as sleep } from "node:timers/promises";
import { createJsonLogger } from "../../../domain/logger";
import type { EsmStats, InvocationEvent } from "../../../sim/esm/event-source-mapping";
import { createLocalConsumer } from "../../../sim/esm/local-consumer";
import type { PipelineStack } from "./pipeline-stack";

export interface ConsumeOptions {
  /** Give up (and fail) after this long. */
  timeoutMs: number;
  /** The queue must stay empty, nothing in flight, this long to count as drained. */
  quietMs?: number;
}

export interface ConsumeResult {
  esm: EsmStats;
  invocations: InvocationEvent[];
}

/**
 * The production handler under the event source mapping emulator, in this process, wired the
 * way `smsim consume` wires it but with the stack's template settings. Runs until the source queue
 * is drained, then stops the mapping gracefully.
 */
export async function consumeUntilDrained(
  stack: PipelineStack,
  options: ConsumeOptions,
): Promise<ConsumeResult> {
  const { config, client, queueUrl } = stack.mq;
  const invocations: InvocationEvent[] = [];
  const consumer = await createLocalConsumer({
    client,
    queueUrl,
    pipeline: config,
    pool: stack.db.pool,
    carrier: { baseUrl: stack.carrierUrl },
    // Warnings would be one line per failed record; errors still show.
    logger: createJsonLogger({ level: "error" }),
    onInvocation: (event) => invocations.push(event),
  });
  const { esm } = consumer;
  const quietMs = options.quietMs ?? 1_000;
  const deadline = Date.now() + options.timeoutMs;
  esm.start();
  try {
    let quietSince: number | null = null;
    for (;;) {
      const depth = await stack.depth(queueUrl);
      const empty = depth.visible + depth.inFlight + depth.delayed === 0 && esm.stats().inFlight === 0;
      const now = Date.now();
      quietSince = empty ? (quietSince ?? now) : null;
      if (quietSince !== null && now - quietSince >= quietMs) break;
      if (now > deadline) {
        throw new Error(`queue not drained within ${options.timeoutMs} ms: ${JSON.stringify(depth)}`);
      }
      await sleep(200);
    }
  } finally {
    await consumer.close();
  }
  return { esm: esm.stats(), invocations };
}
