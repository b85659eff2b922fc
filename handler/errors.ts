import { SmsimError } from "../domain/errors";

/** The carrier answered 429: nothing was sent; try again after `retryAfterSeconds`. */
export class CarrierRateLimitedError extends SmsimError {
  constructor(readonly retryAfterSeconds: number) {
    super("CARRIER_RATE_LIMITED", `carrier rate limited the request; retry after ${retryAfterSeconds} s`);
  }
}

export const TRANSIENT_REASONS = [
  "TIMEOUT",
  "CONNECTION",
  "SERVER_ERROR",
  "BAD_RESPONSE",
  "INCOMPLETE_RESPONSE",
  "CONFLICT",
] as const;
export type TransientReason = (typeof TRANSIENT_REASONS)[number];

/**
 * The request may or may not have reached the carrier (5xx, 408, timeout, connection reset, a
 * response we cannot read, or 409: the same key is still being processed by a duplicate
 * delivery). Sending again is safe: the same Idempotency-Key replays the carrier's
 * first answer instead of sending twice.
 */
export class CarrierTransientError extends SmsimError {
  constructor(
    readonly reason: TransientReason,
    message: string,
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super("CARRIER_TRANSIENT", `carrier ${reason}: ${message}`, options);
  }
}

/**
 * The carrier refused the request itself (400, 413, 422, ...): the same request will never
 * succeed, so its recipients get a final FAILED result instead of retrying until the DLQ.
 */
export class CarrierRejectedRequestError extends SmsimError {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super("CARRIER_REJECTED_REQUEST", `carrier rejected the request with HTTP ${status}: ${detail}`);
  }

  /** The result code stored for every recipient of the refused request. */
  get resultCode(): string {
    return `CARRIER_HTTP_${this.status}`;
  }
}

/**
 * The carrier refused us rather than the request (401, 403, 404, 405): a wrong API key or base URL.
 * Recipients get no result, so the messages reach the DLQ and can be redriven once it is fixed.
 */
export class CarrierMisconfiguredError extends SmsimError {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super("CARRIER_MISCONFIGURED", `carrier refused our credentials or URL with HTTP ${status}: ${detail}`);
  }
}

/** The invocation's event is not an SQS event at all: nothing in it can be reported per record. */
export class InvalidEventError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("INVALID_EVENT", `not an SQS event: ${message}`, options);
  }
}

/** ChangeMessageVisibility failed; the record still comes back, after the queue's visibility timeout. */
export class VisibilityChangeError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("VISIBILITY_CHANGE_FAILED", message, options);
  }
}

/** The results database failed; nothing of the record is lost, SQS delivers it again. */
export class DeliveryStoreError extends SmsimError {
  constructor(operation: string, options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super("DELIVERY_STORE_FAILED", `delivery store ${operation} failed: ${reason}`, options);
  }
}
