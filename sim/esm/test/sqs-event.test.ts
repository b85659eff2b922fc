import { describe, expect, it } from "vitest";
import { EVENT_ENVELOPE_BYTES, recordBytes, sqsEventOf, sqsRecordOf } from "../sqs-event";
import { QUEUE_ARN, queueMessage } from "./fakes";

describe("sqsRecordOf", () => {
  it("shapes a received message exactly as Lambda's SQS records, keys in AWS's order", () => {
    // Prepare
    const message = queueMessage({
      body: "Test message.",
      messageAttributes: {
        trace: { stringValue: "abc", stringListValues: [], binaryListValues: [], dataType: "String" },
      },
    });
    // Act
    const record = sqsRecordOf(message, { arn: QUEUE_ARN, region: "ap-northeast-2" });
    // Assess
    expect(Object.keys(record)).toEqual([
      "messageId",
      "receiptHandle",
      "body",
      "attributes",
      "messageAttributes",
      "md5OfBody",
      "eventSource",
      "eventSourceARN",
      "awsRegion",
    ]);
    expect(record).toEqual({
      messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
      receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
      body: "Test message.",
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "1545082649183",
        SenderId: "AIDAIENQZJOLO23YVJ4VO",
        ApproximateFirstReceiveTimestamp: "1545082649185",
      },
      messageAttributes: {
        trace: { stringValue: "abc", stringListValues: [], binaryListValues: [], dataType: "String" },
      },
      md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3", // as in the Lambda guide's example event
      eventSource: "aws:sqs",
      eventSourceARN: QUEUE_ARN,
      awsRegion: "ap-northeast-2",
    });
  });

  it("counts a record's UTF-8 bytes in the event payload", () => {
    // Prepare: "문자" is 6 bytes in UTF-8.
    const record = sqsRecordOf(queueMessage({ body: "문자" }), { arn: QUEUE_ARN, region: "ap-northeast-2" });
    // Act
    const bytes = recordBytes(record);
    // Assess
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(sqsEventOf([record]))) - '{"Records":[]}'.length + 1);
  });

  it("counts ASCII records with quotes and backslashes exactly as their JSON", () => {
    // Prepare: a v1 body is JSON, so every quote is escaped inside the record.
    const bodies = ['{"v":1,"logId":7,"userIds":[1,2]}', "back\\slash", "plain", ""];
    for (const body of bodies) {
      const record = sqsRecordOf(queueMessage({ body }), { arn: QUEUE_ARN, region: "us-east-1" });
      // Act
      const bytes = recordBytes(record);
      // Assess
      expect(bytes).toBe(Buffer.byteLength(JSON.stringify(record)) + 1);
    }
  });

  it.each([
    ["a space and a tilde, the ends of printable ASCII", " ~ "],
    ["a tab, escaped in JSON", "a\tb"],
    ["a newline, escaped in JSON", "line\nline"],
    ["DEL, kept raw in JSON", "a\u007fb"],
    ["an accented letter", "café"],
    ["a control character escaped as \\u", "a\u0001b"],
  ])("counts a body with %s exactly as its JSON", (_label, body) => {
    // Prepare
    const record = sqsRecordOf(queueMessage({ body }), { arn: QUEUE_ARN, region: "us-east-1" });
    // Act
    const bytes = recordBytes(record);
    // Assess
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify(record)) + 1);
  });

  it("counts every field of a record, message attributes and quoted system attributes included", () => {
    // Prepare
    const plain = queueMessage({ body: "b" });
    const records = [
      sqsRecordOf(
        queueMessage({
          messageAttributes: {
            trace: { stringValue: "abc", stringListValues: [], binaryListValues: [], dataType: "String" },
          },
        }),
        { arn: QUEUE_ARN, region: "us-east-1" },
      ),
      sqsRecordOf(
        { ...plain, attributes: { ...plain.attributes, SenderId: 'AIDA"quoted"\\', SentTimestamp: "1" } },
        { arn: 'arn:"q"', region: "eu-west-1" },
      ),
    ];
    // Act
    const bytes = records.map(recordBytes);
    // Assess
    expect(bytes).toEqual(records.map((r) => Buffer.byteLength(JSON.stringify(r)) + 1));
  });
});

describe("sqsEventOf", () => {
  it("makes an event of exactly EVENT_ENVELOPE_BYTES plus its records' recordBytes", () => {
    // Prepare: one to three records, one of them in Hangul.
    const records = ["a", "문자", '{"v":1}'].map((body) =>
      sqsRecordOf(queueMessage({ body }), { arn: QUEUE_ARN, region: "us-east-1" }),
    );
    for (let n = 1; n <= records.length; n++) {
      const some = records.slice(0, n);
      // Act
      const event = sqsEventOf(some);
      // Assess
      const shares = some.reduce((sum, r) => sum + recordBytes(r), 0);
      expect(Buffer.byteLength(JSON.stringify(event))).toBe(EVENT_ENVELOPE_BYTES + shares);
    }
  });

  it("puts the records in an event of their own, in order", () => {
    // Prepare
    const records = ["a", "b"].map((body) =>
      sqsRecordOf(queueMessage({ body }), { arn: QUEUE_ARN, region: "us-east-1" }),
    );
    // Act
    const event = sqsEventOf(records);
    records.pop();
    // Assess
    expect(event.Records.map((r) => r.body)).toEqual(["a", "b"]);
  });
});
