import { z } from "zod";
import { parseWith } from "../domain/validation";
import { InvalidEventError } from "./errors";

/** The parts of an SQS record the handler uses. */
export interface ReceivedRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  receiveCount: number;
  eventSourceArn: string;
}

const recordSchema = z.looseObject({
  messageId: z.string().min(1),
  receiptHandle: z.string().min(1),
  body: z.string(),
  attributes: z.looseObject({ ApproximateReceiveCount: z.string().regex(/^[1-9]\d*$/) }),
  eventSourceARN: z.string().min(1),
});

const eventSchema = z.looseObject({ Records: z.array(recordSchema) });

/**
 * Checks the event's shape. A record without a usable messageId cannot be reported on its own, so
 * any structural defect makes the whole event unusable.
 */
export function parseSqsEvent(event: unknown): ReceivedRecord[] {
  let parsed: z.output<typeof eventSchema>;
  try {
    parsed = parseWith(eventSchema, event, "event");
  } catch (error) {
    throw new InvalidEventError((error as Error).message, { cause: error });
  }
  return parsed.Records.map((record) => ({
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
    eventSourceArn: record.eventSourceARN,
  }));
}
