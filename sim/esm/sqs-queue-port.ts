import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSMessageAttributes } from "aws-lambda";
import { EsmQueueError } from "./errors";
import type { QueueMessage, QueuePort } from "./ports";

/**
 * The mapping's view of a real SQS queue (AWS or ElasticMQ). Looks up the queue's ARN, which
 * records carry as eventSourceARN; the region is the client's.
 */
export async function createSqsQueuePort(client: SQSClient, queueUrl: string): Promise<QueuePort> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new EsmQueueError(`GetQueueAttributes gave no QueueArn for ${queueUrl}`);
  const region = await client.config.region();

  return {
    arn,
    region,
    async receive(maxMessages, waitSeconds, signal) {
      const { Messages } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ["All"],
          // The pre-2024 name of the same request field: older SQS-compatible servers read only this.
          AttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        { abortSignal: signal },
      );
      return (Messages ?? []).map(queueMessageOf);
    },
    async deleteBatch(receiptHandles) {
      const { Failed } = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: receiptHandles.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })),
        }),
      );
      return (Failed ?? [])
        .map((f) => receiptHandles[Number(f.Id)])
        .filter((h): h is string => h !== undefined);
    },
  };
}

function queueMessageOf(message: Message): QueueMessage {
  const required = (field: keyof Message) => {
    const value = message[field];
    if (typeof value !== "string")
      throw new EsmQueueError(`ReceiveMessage returned a message without ${field}`);
    return value;
  };
  const attribute = (name: string) => message.Attributes?.[name as keyof typeof message.Attributes] ?? "";
  return {
    messageId: required("MessageId"),
    receiptHandle: required("ReceiptHandle"),
    body: required("Body"),
    md5OfBody: required("MD5OfBody"),
    attributes: {
      ApproximateReceiveCount: attribute("ApproximateReceiveCount"),
      SentTimestamp: attribute("SentTimestamp"),
      SenderId: attribute("SenderId"),
      ApproximateFirstReceiveTimestamp: attribute("ApproximateFirstReceiveTimestamp"),
    },
    messageAttributes: lambdaAttributesOf(message.MessageAttributes ?? {}),
  };
}

/** SDK message attributes in the shape Lambda puts in records (camelCase, binary as base64). */
function lambdaAttributesOf(attributes: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  return Object.fromEntries(
    Object.entries(attributes).map(([name, a]) => [
      name,
      {
        ...(a.StringValue === undefined ? {} : { stringValue: a.StringValue }),
        ...(a.BinaryValue === undefined ? {} : { binaryValue: base64(a.BinaryValue) }),
        stringListValues: a.StringListValues ?? [],
        binaryListValues: (a.BinaryListValues ?? []).map(base64),
        dataType: a.DataType ?? "String",
      },
    ]),
  );
}
