import { describe, expect, it } from "vitest";
import { ValidationError } from "../../domain/errors";
import { messageBody, sqsEvent, sqsRecord, TEST_QUEUE_ARN } from "../../test/support/sqs-event";
import { InvalidEventError } from "../errors";
import { parseSqsEvent } from "../parse-sqs-event";

/** An event of one record whose ApproximateReceiveCount is `count` (absent when undefined). */
function eventWithReceiveCount(count: string | undefined) {
  const record = sqsRecord({ messageId: "m-1" });
  const { ApproximateReceiveCount: _, ...attributes } = record.attributes;
  return sqsEvent({
    ...record,
    attributes: (count === undefined
      ? attributes
      : { ...attributes, ApproximateReceiveCount: count }) as never,
  });
}

describe("parseSqsEvent", () => {
  it("keeps what the handler uses of each record, the receive count as a number", () => {
    // Prepare
    const body = messageBody({ logId: 3 });
    const event = sqsEvent(sqsRecord({ messageId: "m-1", body, receiveCount: 12 }));
    // Act
    const records = parseSqsEvent(event);
    // Assess
    expect(records).toEqual([
      {
        messageId: "m-1",
        receiptHandle: "rh-m-1-12",
        body: event.Records[0]?.body,
        receiveCount: 12,
        eventSourceArn: TEST_QUEUE_ARN,
      },
    ]);
  });

  it.each([["1"], ["10"], ["123"]])("reads a receive count of %s", (count) => {
    // Prepare
    const event = eventWithReceiveCount(count);
    // Act
    const [record] = parseSqsEvent(event);
    // Assess
    expect(record?.receiveCount).toBe(Number(count));
  });

  it.each([
    ["missing", undefined],
    ["zero", "0"],
    ["negative", "-1"],
    ["a fraction", "1.5"],
    ["not a number", "many"],
  ])("refuses the whole event when a receive count is %s, naming the field", (_, count) => {
    // Prepare: SQS counts receives from 1, so anything else is not an SQS event.
    const event = eventWithReceiveCount(count);
    // Act
    const parse = () => parseSqsEvent(event);
    // Assess
    expect(parse).toThrow(InvalidEventError);
    expect(parse).toThrow(/event\.Records\.0\.attributes\.ApproximateReceiveCount/);
  });

  it("keeps the validation error behind the invalid event as its cause", () => {
    // Prepare
    const event = { Records: [{ messageId: "m-1" }] };
    // Act
    const parse = () => parseSqsEvent(event);
    // Assess
    expect(parse).toThrow(expect.objectContaining({ cause: expect.any(ValidationError) }));
  });
});
