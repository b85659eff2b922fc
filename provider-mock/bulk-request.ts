import { ValidationError } from "../domain/errors";
import { MAX_CONTENT_LENGTH } from "../domain/message-body";
import { normalizeKoreanMobile } from "../domain/phone";
import { parseWith } from "../domain/validation";
import {
  type BulkSendRequest,
  bulkSendRequestSchema,
  MAX_RECIPIENTS_PER_REQUEST,
} from "../handler/carrier/carrier-api";

const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * Validates a bulk send body against the carrier-api schema, which stays the authority: zod takes
 * microseconds a body and the virtual engine sends a million, so the common well-formed shape is
 * recognised by hand first and anything else goes through zod for its error naming the field.
 */
export function parseBulkRequest(body: unknown): BulkSendRequest {
  return isWellFormed(body) ? body : parseWith(bulkSendRequestSchema, body, "body");
}

export function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ValidationError(
      "Idempotency-Key",
      key,
      `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
    );
  }
}

/**
 * `to` normalised (see domain/phone.ts), or null when it is not a Korean mobile number. Numbers
 * already in the normalised 010 form, nearly all of them, skip the regular expressions.
 */
export function mobileNumberOf(to: string): string | null {
  return isNormalized010(to) ? to : normalizeKoreanMobile(to);
}

function isNormalized010(to: string): boolean {
  if (to.length !== 11 || to.charCodeAt(0) !== 48 || to.charCodeAt(1) !== 49 || to.charCodeAt(2) !== 48) {
    return false;
  }
  for (let i = 3; i < 11; i++) {
    const digit = to.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
  }
  return true;
}

/** True only for bodies the schema certainly accepts; false sends the body through zod. */
function isWellFormed(body: unknown): body is BulkSendRequest {
  if (!isObject(body)) return false;
  for (const key in body) {
    if (key !== "content" && key !== "recipients" && key !== "templateId") return false;
  }
  const { content, templateId, recipients } = body;
  if (!isString(content, MAX_CONTENT_LENGTH)) return false;
  if (templateId !== undefined && !isString(templateId, 64)) return false;
  if (!Array.isArray(recipients) || recipients.length === 0) return false;
  if (recipients.length > MAX_RECIPIENTS_PER_REQUEST) return false;
  for (const recipient of recipients) {
    if (!isObject(recipient)) return false;
    for (const key in recipient) if (key !== "to" && key !== "ref") return false;
    if (!isString(recipient.to, 32) || !isString(recipient.ref, 128)) return false;
  }
  return true;
}

/** Like zod, any non-array object will do; for-in also sees inherited keys, which zod refuses. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isString(value: unknown, maxLength: number): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= maxLength;
}
