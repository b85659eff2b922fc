import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SQS_REGION } from "../../domain/env";
import { createSqsClient } from "../../domain/sqs-client";
import { ELASTICMQ_ACCOUNT_ID, type ElasticMq, startElasticMq } from "../../infra/local/elasticmq";
import { loadPipelineConfig } from "../../infra/pipeline-config";
import { VisibilityChangeError } from "../errors";
import { createSqsVisibility } from "../sqs-visibility";

describe("createSqsVisibility on ElasticMQ", () => {
  const config = loadPipelineConfig();
  const arn = `arn:aws:sqs:${LOCAL_SQS_REGION}:${ELASTICMQ_ACCOUNT_ID}:${config.queue.name}`;
  let sqs: ElasticMq;
  let client: SQSClient;
  beforeAll(async () => {
    sqs = await startElasticMq({ config });
    client = createSqsClient({ sqsEndpoint: sqs.endpoint, awsRegion: LOCAL_SQS_REGION });
  });
  afterAll(async () => {
    client?.destroy();
    await sqs?.stop();
  });

  async function receive() {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: sqs.queueUrl,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"],
      }),
    );
    return Messages;
  }

  it.each([
    ["derived from the record's ARN", () => ({ endpoint: sqs.endpoint })],
    ["given as QUEUE_URL", () => ({ queueUrl: sqs.queueUrl })],
  ])("makes a received message visible again early, queue %s", async (_, where) => {
    // Prepare
    await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl, MessageBody: "chunk" }));
    const [first] = await receive();
    const visibility = createSqsVisibility({ client, ...where() });
    // Act
    await visibility.changeVisibility(arn, first?.ReceiptHandle ?? "", 0);
    const [again] = await receive();
    // Assess
    expect(again?.MessageId).toBe(first?.MessageId);
    expect(again?.Attributes?.ApproximateReceiveCount).toBe("2");
    await client.send(
      new DeleteMessageCommand({ QueueUrl: sqs.queueUrl, ReceiptHandle: again?.ReceiptHandle }),
    );
  });

  it("wraps a refused change in a typed error", async () => {
    // Prepare
    const visibility = createSqsVisibility({ client, endpoint: sqs.endpoint });
    // Act
    const change = visibility.changeVisibility(arn, "not-a-receipt-handle", 5);
    // Assess
    await expect(change).rejects.toBeInstanceOf(VisibilityChangeError);
  });
});
