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

/**
 * An event's bytes besides its records' shares (recordBytes): `{"Records":[` and `]}`, less the
 * comma the first record does not need.
 */
export const EVENT_ENVELOPE_BYTES = JSON.stringify(sqsEventOf([])).length - 1;

/** A record's share of the invocation payload (Lambda caps a synchronous payload at 6 MB). */
export function recordBytes(record: SQSRecord): number {
  // +1 for the comma between records in the Records array.
  return plainRecordBytes(record) ?? Buffer.byteLength(JSON.stringify(record)) + 1;
}

/** JSON of a record whose strings are all empty and which has no message attributes. */
const SKELETON_BYTES = JSON.stringify(
  sqsRecordOf(
    {
      messageId: "",
      receiptHandle: "",
      body: "",
      md5OfBody: "",
      attributes: {
        ApproximateReceiveCount: "",
        SentTimestamp: "",
        SenderId: "",
        ApproximateFirstReceiveTimestamp: "",
      },
      messageAttributes: {},
    },
    { arn: "", region: "" },
  ),
).length;

/**
 * The same count without serialising, for the common record: no message attributes and printable
 * ASCII strings, where JSON adds one byte per quote or backslash. Null when that does not hold.
 */
function plainRecordBytes(record: SQSRecord): number | null {
  for (const _ in record.messageAttributes) return null;
  const a = record.attributes;
  let bytes = SKELETON_BYTES + 1;
  for (const text of [
    record.messageId,
    record.receiptHandle,
    record.body,
    record.md5OfBody,
    record.eventSourceARN,
    record.awsRegion,
    a.ApproximateReceiveCount,
    a.SentTimestamp,
    a.SenderId,
    a.ApproximateFirstReceiveTimestamp,
  ]) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code > 0x7e) return null;
      if (code === 0x22 || code === 0x5c) bytes++;
    }
    bytes += text.length;
  }
  return bytes;
}
