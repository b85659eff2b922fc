import { createHash } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { encodeMessageBody, type MessageBody } from "../../domain/message-body";

export const TEST_QUEUE_ARN = "arn:aws:sqs:ap-northeast-2:000000000000:messaging-queue";

/** A valid v1 message body; override any field. */
export function messageBody(overrides: Partial<MessageBody> = {}): MessageBody {
  return {
    v: 1,
    logId: 1,
    chunkId: 0,
    userIds: [1, 2, 3],
    content: "Spring sale starts today",
    ...overrides,
  };
}

export interface SqsRecordOptions {
  /** Defaults to `msg-<n>`, numbered per call within the test file. */
  messageId?: string;
  /** A MessageBody is encoded as the producer would; a string is used as is (for malformed bodies). */
  body?: MessageBody | string;
  receiveCount?: number;
  eventSourceARN?: string;
  sentTimestamp?: number;
}

let sequence = 0;

/** One record as Lambda's SQS event source mapping delivers it. */
export function sqsRecord(options: SqsRecordOptions = {}): SQSRecord {
  const messageId = options.messageId ?? `msg-${++sequence}`;
  const body =
    typeof options.body === "string" ? options.body : encodeMessageBody(options.body ?? messageBody());
  const arn = options.eventSourceARN ?? TEST_QUEUE_ARN;
  const sent = String(options.sentTimestamp ?? 1_700_000_000_000);
  return {
    messageId,
    receiptHandle: `rh-${messageId}-${options.receiveCount ?? 1}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sent,
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: sent,
    },
    messageAttributes: {},
    md5OfBody: createHash("md5").update(body).digest("hex"),
    eventSource: "aws:sqs",
    eventSourceARN: arn,
    awsRegion: arn.split(":")[3] ?? "ap-northeast-2",
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}
