import { z } from "zod";
import { MAX_CONTENT_LENGTH } from "../../domain/message-body";

/** Wire format of the carrier's bulk API (shaped like NHN Cloud / Aligo bulk sends). */
export const MAX_RECIPIENTS_PER_REQUEST = 1000;
export const BULK_SEND_PATH = "/v1/messages/bulk";
export const IDEMPOTENCY_HEADER = "idempotency-key";

export const REJECTION_CODES = ["INVALID_NUMBER", "REJECTED"] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export const bulkSendRequestSchema = z
  .object({
    content: z.string().min(1).max(MAX_CONTENT_LENGTH),
    templateId: z.string().min(1).max(64).optional(),
    recipients: z
      .array(z.object({ to: z.string().min(1).max(32), ref: z.string().min(1).max(128) }).strict())
      .min(1)
      .max(MAX_RECIPIENTS_PER_REQUEST),
  })
  .strict();
export type BulkSendRequest = z.infer<typeof bulkSendRequestSchema>;

export const recipientResultSchema = z.object({
  ref: z.string(),
  to: z.string(),
  status: z.enum(["ACCEPTED", "REJECTED"]),
  carrierMessageId: z.string().optional(),
  errorCode: z.string().optional(),
});
export type CarrierRecipientResult = z.infer<typeof recipientResultSchema>;

export const bulkSendResponseSchema = z.object({
  requestId: z.string(),
  results: z.array(recipientResultSchema),
});
export type BulkSendResponse = z.infer<typeof bulkSendResponseSchema>;

/** The carrier's recipient reference for one user of one campaign: stable across retries. */
export function recipientRef(logId: number, userId: number): string {
  return `${logId}:${userId}`;
}

/** One key per SQS message: the same chunk always carries the same key, however often it is redelivered. */
export function idempotencyKey(logId: number, chunkId: number): string {
  return `log-${logId}-chunk-${chunkId}`;
}
