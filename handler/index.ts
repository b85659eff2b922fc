import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { systemClock } from "../domain/clock";
import { createMysqlPool } from "../domain/db/mysql";
import { createJsonLogger } from "../domain/logger";
import { createSqsClient } from "../domain/sqs-client";
import { createHttpCarrierClient } from "./carrier/http-carrier-client";
import { createMessagingHandler } from "./create-messaging-handler";
import { readLambdaConfig } from "./lambda-config";
import { createMysqlDeliveryStore } from "./mysql-delivery-store";
import { createSqsVisibility } from "./sqs-visibility";

// Built once per container at cold start, so warm invocations reuse the pools; a bad setting fails
// the init phase with the variable's name.
const config = readLambdaConfig();
const { env } = config;

const messagingHandler = createMessagingHandler({
  carrier: createHttpCarrierClient({
    baseUrl: config.carrierBaseUrl,
    apiKey: env.carrierApiKey,
    timeoutMs: config.carrierTimeoutMs,
  }),
  store: createMysqlDeliveryStore(createMysqlPool(env.mysqlUrl)),
  visibility: createSqsVisibility({
    client: createSqsClient(env),
    queueUrl: env.queueUrl,
    endpoint: env.sqsEndpoint,
  }),
  clock: systemClock,
  settings: {
    recordParallelism: config.recordParallelism,
    carrierRetries: config.carrierRetries,
    carrierTimeoutMs: config.carrierTimeoutMs,
    rateLimitMaxWaitMs: config.rateLimitMaxWaitMs,
  },
  logger: createJsonLogger({ level: config.logLevel }),
});

/** The Lambda entry point (Handler: index.handler in infra/template.yaml). */
export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return messagingHandler(event, context);
}
