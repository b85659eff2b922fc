import type { SQSClient } from "@aws-sdk/client-sqs";
import { LOCAL_SQS_REGION } from "../../domain/env";
import { createSqsClient } from "../../domain/sqs-client";
import { type ElasticMq, type StartElasticMqOptions, startElasticMq } from "../../infra/local/elasticmq";
import { loadPipelineConfig, type PipelineConfig, type TemplateOverrides } from "../../infra/pipeline-config";

export interface TestElasticMq extends ElasticMq {
  config: PipelineConfig;
  client: SQSClient;
}

/**
 * A fresh ElasticMQ of its own for one test file, on a free port, with the template's queues
 * (after `overrides`, e.g. { "MessagingQueue.VisibilityTimeout": 1 }). Call `stop()` in afterAll.
 */
export async function startTestElasticMq(
  overrides: TemplateOverrides = {},
  options: Pick<StartElasticMqOptions, "dataDir" | "port"> = {},
): Promise<TestElasticMq> {
  const config = loadPipelineConfig({ overrides });
  const server = await startElasticMq({ config, ...options });
  const client = createSqsClient({ sqsEndpoint: server.endpoint, awsRegion: LOCAL_SQS_REGION });
  return {
    ...server,
    config,
    client,
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
