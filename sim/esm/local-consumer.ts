import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Pool } from "mysql2/promise";
import { type Clock, systemClock } from "../../domain/clock";
import { createJsonLogger, type Logger } from "../../domain/logger";
import { createHttpCarrierClient } from "../../handler/carrier/http-carrier-client";
import { createMessagingHandler } from "../../handler/create-messaging-handler";
import { createMysqlDeliveryStore } from "../../handler/mysql-delivery-store";
import { createSqsVisibility } from "../../handler/sqs-visibility";
import type { PipelineConfig } from "../../infra/pipeline-config";
import { handlerSettingsOf } from "../run/handler-settings";
import {
  createEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
  esmConfigOf,
} from "./event-source-mapping";
import { createInProcessFunction } from "./in-process-function";
import type { FunctionPort } from "./ports";
import { createSqsQueuePort } from "./sqs-queue-port";

/** Invocations the mapping can have running at once: its MaximumConcurrency, else the function's reserve. */
export function invocationsInFlightOf(pipeline: PipelineConfig): number {
  return pipeline.esm.maximumConcurrency ?? pipeline.lambda.reservedConcurrency ?? 10;
}

/**
 * Calls a consumer can have in flight to the store or the carrier: each of the mapping's concurrent
 * invocations works RECORD_PARALLELISM records at a time. Sized to this, no invocation waits for a
 * socket that a separate execution environment on AWS would have had to itself.
 */
export function callsInFlightOf(pipeline: PipelineConfig): number {
  return invocationsInFlightOf(pipeline) * pipeline.lambda.recordParallelism;
}

/** A consumer's MySQL pool: one connection per call in flight and a few for everything else. */
export function storeConnectionsOf(pipeline: PipelineConfig): number {
  return Math.min(100, callsInFlightOf(pipeline) + 5);
}

export interface LocalFunctionOptions {
  client: SQSClient;
  queueUrl: string;
  pipeline: PipelineConfig;
  /** Sized by storeConnectionsOf(pipeline), or invocations queue for connections. */
  pool: Pool;
  carrier: { baseUrl: string; apiKey?: string };
  clock?: Clock;
  logger?: Logger;
}

/** The production handler behind a function port, on this thread or on worker threads. */
export interface LocalFunction {
  fn: FunctionPort;
  /** Closes its connections (the carrier client; a thread's pools too). */
  close(): Promise<void>;
}

export interface LocalConsumerOptions extends LocalFunctionOptions {
  pollWaitSeconds?: number;
  onInvocation?: EventSourceMappingOptions["onInvocation"];
}

export interface QueueConsumerOptions
  extends Pick<
    LocalConsumerOptions,
    "client" | "queueUrl" | "pipeline" | "clock" | "logger" | "pollWaitSeconds" | "onInvocation"
  > {
  /** Closed with the consumer. */
  local: LocalFunction;
}

export interface LocalConsumer {
  esm: EventSourceMapping;
  /** Stops the mapping (waiting for batches in flight) and closes the function's connections. */
  close(): Promise<void>;
}

/**
 * The production handler as an in-process function, with the adapters a deployed function has:
 * the HTTP carrier client, the MySQL store and SQS visibility.
 */
export function createLocalFunction(options: LocalFunctionOptions): LocalFunction {
  const { client, queueUrl, pipeline } = options;
  const { lambda } = pipeline;
  const clock = options.clock ?? systemClock;
  const carrier = createHttpCarrierClient({
    baseUrl: options.carrier.baseUrl,
    apiKey: options.carrier.apiKey,
    timeoutMs: lambda.carrierTimeoutMs,
    connections: callsInFlightOf(pipeline),
  });
  const handler = createMessagingHandler({
    carrier,
    store: createMysqlDeliveryStore(options.pool),
    visibility: createSqsVisibility({ client, queueUrl }),
    clock,
    settings: handlerSettingsOf(lambda),
    logger: options.logger ?? createJsonLogger({ level: "silent" }),
  });
  const fn = createInProcessFunction({
    handler,
    clock,
    functionName: lambda.functionName,
    memoryMb: lambda.memoryMb,
    reservedConcurrency: lambda.reservedConcurrency,
  });
  return { fn, close: () => carrier.close() };
}

/**
 * The production handler (createLocalFunction) under the event source mapping emulator, in this
 * process. The rehearsal and the end-to-end tests run it; the caller starts it.
 */
export async function createLocalConsumer(options: LocalConsumerOptions): Promise<LocalConsumer> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createJsonLogger({ level: "silent" });
  return createQueueConsumer({
    ...options,
    clock,
    logger,
    local: createLocalFunction({ ...options, clock, logger }),
  });
}

/** The event source mapping emulator over a queue, invoking a local function; the caller starts it. */
export async function createQueueConsumer(options: QueueConsumerOptions): Promise<LocalConsumer> {
  const { client, queueUrl, pipeline, local } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createJsonLogger({ level: "silent" });
  const esm = createEventSourceMapping({
    queue: await createSqsQueuePort(client, queueUrl),
    fn: local.fn,
    clock,
    config: esmConfigOf(pipeline),
    logger,
    pollWaitSeconds: options.pollWaitSeconds,
    onInvocation: options.onInvocation,
  });
  return {
    esm,
    async close() {
      await esm.stop();
      await local.close();
    },
  };
}
