import { setTimeout as sleep } from "node:timers/promises";
import { createJsonLogger } from "../../../handler/logger";
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

export interface RunningConsumer {
  invocations: InvocationEvent[];
  /**
   * Resolves once the source queue has stayed empty for `quietMs`, then stops the mapping
   * gracefully. A queue that does not answer (restarting) counts as not drained yet.
   */
  drained(options: ConsumeOptions): Promise<ConsumeResult>;
  /** Stops the mapping; safe after drained(). */
  close(): Promise<void>;
}

/**
 * The production handler under the event source mapping emulator, in this process, wired the
 * way `smsim consume` wires it but with the stack's template settings, already polling.
 */
export async function startInProcessConsumer(
  stack: PipelineStack,
  options: { quiet?: boolean } = {},
): Promise<RunningConsumer> {
  const { config, client, queueUrl } = stack.mq;
  const invocations: InvocationEvent[] = [];
  const consumer = await createLocalConsumer({
    client,
    queueUrl,
    pipeline: config,
    pool: stack.db.pool,
    carrier: { baseUrl: stack.carrierUrl },
    // Warnings would be one line per failed record; errors still show unless a fault makes them expected.
    logger: createJsonLogger({ level: options.quiet ? "silent" : "error" }),
    onInvocation: (event) => invocations.push(event),
  });
  const { esm } = consumer;
  esm.start();
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= consumer.close();
    return closing;
  };
  const isEmpty = async () => {
    const depth = await stack.depth(queueUrl).catch(() => null);
    return (
      depth !== null && depth.visible + depth.inFlight + depth.delayed === 0 && esm.stats().inFlight === 0
    );
  };
  return {
    invocations,
    close,
    async drained(options) {
      const quietMs = options.quietMs ?? 1_000;
      const deadline = Date.now() + options.timeoutMs;
      try {
        let quietSince: number | null = null;
        for (;;) {
          const empty = await isEmpty();
          const now = Date.now();
          quietSince = empty ? (quietSince ?? now) : null;
          if (quietSince !== null && now - quietSince >= quietMs) break;
          if (now > deadline) {
            const depth = await stack.depth(queueUrl).catch((error: Error) => error.message);
            throw new Error(`queue not drained within ${options.timeoutMs} ms: ${JSON.stringify(depth)}`);
          }
          await sleep(200);
        }
      } finally {
        await close();
      }
      return { esm: esm.stats(), invocations };
    },
  };
}

/** Starts the consumer and runs it until the source queue is drained. */
export async function consumeUntilDrained(
  stack: PipelineStack,
  options: ConsumeOptions,
): Promise<ConsumeResult> {
  const consumer = await startInProcessConsumer(stack);
  return consumer.drained(options);
}
