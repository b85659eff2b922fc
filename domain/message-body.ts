import { z } from "zod";
import { SmsimError } from "./errors";
import { parseWith } from "./validation";

/** The seed splits recipients into SQS messages of 10 user IDs; producer and simulator share this. */
export const RECIPIENTS_PER_MESSAGE = 10;

/** SMS/LMS bodies longer than this are rejected by every Korean carrier we model. */
export const MAX_CONTENT_LENGTH = 2000;

export const messageBodySchema = z
  .object({
    v: z.literal(1),
    logId: z.number().int().positive(),
    chunkId: z.number().int().nonnegative(),
    userIds: z.array(z.number().int().positive()).min(1).max(RECIPIENTS_PER_MESSAGE),
    content: z.string().min(1).max(MAX_CONTENT_LENGTH),
    templateId: z.string().min(1).max(64).optional(),
  })
  .strict();

/** Version 1 of the SQS message body, shared by producer and consumer. */
export type MessageBody = z.infer<typeof messageBodySchema>;

export class MalformedMessageError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("MALFORMED_MESSAGE", message, options);
  }
}

export function encodeMessageBody(body: MessageBody): string {
  return JSON.stringify(body);
}

/** Parses an SQS body; anything but a valid v1 body is a MalformedMessageError naming the field. */
export function parseMessageBody(raw: string): MessageBody {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new MalformedMessageError(`body: not JSON (${(error as Error).message})`, { cause: error });
  }
  try {
    return parseWith(messageBodySchema, json, "body");
  } catch (error) {
    throw new MalformedMessageError((error as Error).message, { cause: error });
  }
}
