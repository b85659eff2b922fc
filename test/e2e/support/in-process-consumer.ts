import { setTimeout as sleep } from "node:timers/promises";
import { systemClock } from "../../../domain/clock";
import { createHttpCarrierClient } from "../../../handler/carrier/http-carrier-client";
import { createMessagingHandler } from "../../../handler/create-messaging-handler";
import { createJsonLogger } from "../../../handler/logger";
import { createMysqlDeliveryStore } from "../../../handler/mysql-delivery-store";
import { createSqsVisibility } from "../../../handler/sqs-visibility";
import {
  createEventSourceMapping,
  type EsmStats,
  esmConfigOf,
  type InvocationEvent,
} from "../../../sim/esm/event-source-mapping";
import { createInProcessFunction } from "../../../sim/esm/in-process-function";
import { createSqsQueuePort } from "../../../sim/esm/sqs-queue-port";
import { handlerSettingsOf } from "../../../sim/run/handler-settings";
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
  const { lambda } = config;
  const carrier = createHttpCarrierClient({ baseUrl: stack.carrierUrl, timeoutMs: lambda.carrierTimeoutMs });
  // Warnings would be one line per failed record; errors still show.
  const logger = createJsonLogger({ level: "error" });
  const handler = createMessagingHandler({
    carrier,
    store: createMysqlDeliveryStore(stack.db.pool),
    visibility: createSqsVisibility({ client, queueUrl }),
    clock: systemClock,
    settings: handlerSettingsOf(lambda),
    logger,
  });
  const invocations: InvocationEvent[] = [];
  const esm = createEventSourceMapping({
    queue: await createSqsQueuePort(client, queueUrl),
    fn: createInProcessFunction({
      handler,
      clock: systemClock,
      functionName: lambda.functionName,
      memoryMb: lambda.memoryMb,
      reservedConcurrency: lambda.reservedConcurrency,
    }),
    clock: systemClock,
    config: esmConfigOf(config),
    logger,
    onInvocation: (event) => invocations.push(event),
  });
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
    await esm.stop();
    await carrier.close();
  }
  return { esm: esm.stats(), invocations };
}
