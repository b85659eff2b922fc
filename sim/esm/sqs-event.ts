import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { QueueMessage, QueuePort } from "./ports";

/** One record as Lambda's SQS event source mapping puts it in the event, fields in AWS's order. */
export function sqsRecordOf(message: QueueMessage, queue: Pick<QueuePort, "arn" | "region">): SQSRecord {
  const { attributes } = message;
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount,
      SentTimestamp: attributes.SentTimestamp,
      SenderId: attributes.SenderId,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp,
    },
    messageAttributes: message.messageAttributes,
    md5OfBody: message.md5OfBody,
    eventSource: "aws:sqs",
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}

export function sqsEventOf(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}

/** A record's share of the invocation payload (Lambda caps a synchronous payload at 6 MB). */
export function recordBytes(record: SQSRecord): number {
  // +1 for the comma between records in the Records array.
  return Buffer.byteLength(JSON.stringify(record)) + 1;
}
