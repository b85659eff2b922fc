import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SQS_REGION } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { createSqsClient } from "../../domain/sqs-client";
import { ELASTICMQ_ACCOUNT_ID, type ElasticMq, startElasticMq } from "../../infra/local/elasticmq";
import { loadPipelineConfig } from "../../infra/pipeline-config";
import { VisibilityChangeError } from "../errors";
import { createSqsVisibility, queueUrlFromArn } from "../sqs-visibility";

describe("queueUrlFromArn", () => {
  it("names an AWS queue by its regional endpoint", () => {
    // Prepare
    const arn = "arn:aws:sqs:ap-northeast-2:123456789012:messaging-queue";
    // Act
    const url = queueUrlFromArn(arn);
    // Assess
    expect(url).toBe("https://sqs.ap-northeast-2.amazonaws.com/123456789012/messaging-queue");
  });

  it("names a queue under a custom endpoint as ElasticMQ does", () => {
    // Prepare
    const arn = "arn:aws:sqs:elasticmq:000000000000:messaging-queue";
    // Act
    const url = queueUrlFromArn(arn, "http://127.0.0.1:9324/");
    // Assess
    expect(url).toBe("http://127.0.0.1:9324/000000000000/messaging-queue");
  });

  it("refuses an ARN that is not an SQS queue's, naming it", () => {
    // Prepare
    const arn = "arn:aws:sns:ap-northeast-2:123456789012:alarms";
    // Act
    const derive = () => queueUrlFromArn(arn);
    // Assess
    expect(derive).toThrow(ValidationError);
    expect(derive).toThrow(/eventSourceARN: not an SQS queue ARN \(got "arn:aws:sns/);
  });
});

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
