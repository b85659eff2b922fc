import { SmsimError } from "../domain/errors";
import { CarrierTransientError } from "./errors";

/** What a failed attempt row says: a stable code and the words behind it. */
export interface AttemptFailure {
  code: string;
  detail: string;
}

/** Detail columns are VARCHAR(500); the carrier's part of a message comes first. */
export const MAX_DETAIL_LENGTH = 500;

/**
 * Names why a record's delivery failed. HTTP answers keep their status in the code
 * (CARRIER_HTTP_503) and the carrier's own code and message in the detail; failures without an
 * answer name what happened instead (CARRIER_TIMEOUT, CARRIER_CONNECTION, CARRIER_BAD_RESPONSE); other
 * errors of ours keep their own code (CARRIER_RATE_LIMITED, DELIVERY_STORE_FAILED), anything else is
 * UNEXPECTED.
 */
export function describeFailure(error: unknown): AttemptFailure {
  const message = error instanceof Error ? error.message : String(error);
  let code = error instanceof SmsimError ? error.code : "UNEXPECTED";
  if (error instanceof CarrierTransientError) {
    // SERVER_ERROR and CONFLICT are HTTP answers, always made with their status.
    const answered = error.reason === "SERVER_ERROR" || error.reason === "CONFLICT";
    code = answered ? `CARRIER_HTTP_${error.status}` : `CARRIER_${error.reason}`;
  }
  return { code, detail: message.slice(0, MAX_DETAIL_LENGTH) };
}
