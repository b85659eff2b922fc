import type { ChangeMessageVisibilityCommandInput, SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../domain/errors";
import { VisibilityChangeError } from "../errors";
import { createSqsVisibility, queueUrlFromArn } from "../sqs-visibility";

/** An SQS client that keeps each ChangeMessageVisibility it is sent, or refuses them all. */
function recordingSqsClient(options: { refuse?: Error } = {}) {
  const inputs: ChangeMessageVisibilityCommandInput[] = [];
  const client = {
    async send(command: { input: ChangeMessageVisibilityCommandInput }) {
      if (options.refuse) throw options.refuse;
      inputs.push(command.input);
      return {};
    },
  } as unknown as SQSClient;
  return { client, inputs };
}

describe("queueUrlFromArn", () => {
  it.each([
    [
      "an AWS queue by its regional endpoint",
      "arn:aws:sqs:ap-northeast-2:123456789012:messaging-queue",
      "https://sqs.ap-northeast-2.amazonaws.com/123456789012/messaging-queue",
    ],
    [
      "a FIFO queue with its .fifo suffix",
      "arn:aws:sqs:us-east-1:123456789012:orders.fifo",
      "https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo",
    ],
    [
      "a Beijing queue under the China regions' domain amazonaws.com.cn",
      "arn:aws-cn:sqs:cn-north-1:123456789012:messaging-queue",
      "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/messaging-queue",
    ],
    [
      "a Ningxia queue under amazonaws.com.cn too",
      "arn:aws-cn:sqs:cn-northwest-1:123456789012:messaging_dlq",
      "https://sqs.cn-northwest-1.amazonaws.com.cn/123456789012/messaging_dlq",
    ],
    [
      "a GovCloud queue under amazonaws.com",
      "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:messaging-queue",
      "https://sqs.us-gov-west-1.amazonaws.com/123456789012/messaging-queue",
    ],
  ])("names %s", (_, arn, expected) => {
    // Prepare: the ARN above.
    // Act
    const url = queueUrlFromArn(arn);
    // Assess
    expect(url).toBe(expected);
  });

  it("names a queue under a custom endpoint as ElasticMQ does, whatever the partition", () => {
    // Prepare
    const arns = [
      "arn:aws:sqs:elasticmq:000000000000:messaging-queue",
      "arn:aws-cn:sqs:cn-north-1:000000000000:messaging-queue",
    ];
    // Act
    const urls = arns.map((arn) => queueUrlFromArn(arn, "http://127.0.0.1:9324//"));
    // Assess
    expect(urls).toEqual([
      "http://127.0.0.1:9324/000000000000/messaging-queue",
      "http://127.0.0.1:9324/000000000000/messaging-queue",
    ]);
  });

  it.each([
    ["another service's ARN", "arn:aws:sns:ap-northeast-2:123456789012:alarms"],
    ["an account of 11 digits", "arn:aws:sqs:ap-northeast-2:12345678901:messaging-queue"],
    ["a name with a path", "arn:aws:sqs:ap-northeast-2:123456789012:messaging-queue/extra"],
    ["a prefixed ARN", "xarn:aws:sqs:ap-northeast-2:123456789012:messaging-queue"],
  ])("refuses %s as not an SQS queue ARN, naming it", (_, arn) => {
    // Prepare: the ARN above.
    // Act
    const derive = () => queueUrlFromArn(arn);
    // Assess
    expect(derive).toThrow(ValidationError);
    expect(derive).toThrow(`eventSourceARN: not an SQS queue ARN (got ${JSON.stringify(arn)})`);
  });

  it("refuses a partition whose SQS domain it does not know, pointing at QUEUE_URL", () => {
    // Prepare
    const arn = "arn:aws-iso:sqs:us-iso-east-1:123456789012:messaging-queue";
    // Act
    const derive = () => queueUrlFromArn(arn);
    // Assess
    expect(derive).toThrow(ValidationError);
    expect(derive).toThrow(/^eventSourceARN: no known SQS endpoint for partition aws-iso; set QUEUE_URL/);
  });
});

describe("createSqsVisibility", () => {
  const arn = "arn:aws-cn:sqs:cn-north-1:123456789012:messaging-queue";

  it.each([
    [
      "derived from the record's ARN",
      {},
      "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/messaging-queue",
    ],
    [
      "under the SQS endpoint",
      { endpoint: "http://127.0.0.1:9324" },
      "http://127.0.0.1:9324/123456789012/messaging-queue",
    ],
    [
      "given as QUEUE_URL, which wins over the endpoint",
      { queueUrl: "https://sqs.example/q", endpoint: "http://127.0.0.1:9324" },
      "https://sqs.example/q",
    ],
  ])("changes the record's visibility on the queue %s", async (_, where, queueUrl) => {
    // Prepare
    const { client, inputs } = recordingSqsClient();
    const visibility = createSqsVisibility({ client, ...where });
    // Act
    await visibility.changeVisibility(arn, "receipt-1", 30);
    // Assess
    expect(inputs).toEqual([{ QueueUrl: queueUrl, ReceiptHandle: "receipt-1", VisibilityTimeout: 30 }]);
  });

  it("wraps a refused change in a typed error naming the timeout, the queue and SQS's reason", async () => {
    // Prepare
    const refusal = new Error("ReceiptHandleIsInvalid");
    const { client } = recordingSqsClient({ refuse: refusal });
    const visibility = createSqsVisibility({ client });
    // Act
    const change = visibility.changeVisibility(arn, "receipt-1", 5);
    // Assess
    await expect(change).rejects.toBeInstanceOf(VisibilityChangeError);
    await expect(change).rejects.toThrow(
      `ChangeMessageVisibility to 5 s failed for ${arn}: ReceiptHandleIsInvalid`,
    );
    await expect(change).rejects.toMatchObject({ cause: refusal });
  });
});
