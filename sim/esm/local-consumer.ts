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
import { createSqsQueuePort } from "./sqs-queue-port";

export interface LocalConsumerOptions {
  client: SQSClient;
  queueUrl: string;
  pipeline: PipelineConfig;
  pool: Pool;
  carrier: { baseUrl: string; apiKey?: string };
  clock?: Clock;
  logger?: Logger;
  pollWaitSeconds?: number;
  onInvocation?: EventSourceMappingOptions["onInvocation"];
}

export interface LocalConsumer {
  esm: EventSourceMapping;
  /** Stops the mapping (waiting for batches in flight) and closes the carrier client. */
  close(): Promise<void>;
}

/**
 * The production handler under the event source mapping emulator, in this process, with the
 * adapters a deployed function has: the HTTP carrier client, the MySQL store and SQS visibility.
 * `smsim consume`, the rehearsal and the end-to-end tests all run it; the caller starts it.
 */
export async function createLocalConsumer(options: LocalConsumerOptions): Promise<LocalConsumer> {
  const { client, queueUrl, pipeline } = options;
  const { lambda } = pipeline;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createJsonLogger({ level: "silent" });
  const carrier = createHttpCarrierClient({
    baseUrl: options.carrier.baseUrl,
    apiKey: options.carrier.apiKey,
    timeoutMs: lambda.carrierTimeoutMs,
  });
  const handler = createMessagingHandler({
    carrier,
    store: createMysqlDeliveryStore(options.pool),
    visibility: createSqsVisibility({ client, queueUrl }),
    clock,
    settings: handlerSettingsOf(lambda),
    logger,
  });
  const esm = createEventSourceMapping({
    queue: await createSqsQueuePort(client, queueUrl),
    fn: createInProcessFunction({
      handler,
      clock,
      functionName: lambda.functionName,
      memoryMb: lambda.memoryMb,
      reservedConcurrency: lambda.reservedConcurrency,
    }),
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
      await carrier.close();
    },
  };
}
