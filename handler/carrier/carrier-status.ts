import {
  CarrierMisconfiguredError,
  CarrierRateLimitedError,
  CarrierRejectedRequestError,
  CarrierTransientError,
} from "../errors";
import { parseRetryAfter } from "./retry-after";

/** Statuses that say our credentials or URL are wrong, not the request: see CarrierMisconfiguredError. */
const MISCONFIGURED = new Set([401, 403, 404, 405]);

/**
 * The carrier's error body as one line: `CODE: message` when it is the usual JSON error shape
 * ({ code, message }), else the text itself. Failed attempts and results keep this, so an outage
 * reads "SERVICE_UNAVAILABLE: carrier outage" rather than a status alone.
 */
export function carrierErrorDetail(text: string, maxLength: number): string {
  let detail = text.trim();
  try {
    const body = JSON.parse(detail) as { code?: unknown; message?: unknown; error?: unknown };
    const message = typeof body.message === "string" ? body.message : body.error;
    if (typeof body.code === "string" && typeof message === "string") detail = `${body.code}: ${message}`;
    else if (typeof message === "string") detail = message;
  } catch {
    // Not JSON: the text as it came.
  }
  return detail.slice(0, maxLength);
}

/**
 * The error the handler branches on for a non-2xx answer of the bulk API. One mapping serves the
 * HTTP client and the simulator's in-process carrier, so both engines classify answers alike.
 */
export function carrierErrorForStatus(
  status: number,
  detail: string,
  retryAfter: string | string[] | undefined,
  nowMs: number,
): Error {
  if (status === 429) return new CarrierRateLimitedError(parseRetryAfter(retryAfter, nowMs));
  if (status === 408 || status >= 500) {
    return new CarrierTransientError("SERVER_ERROR", `HTTP ${status}: ${detail}`, status);
  }
  // Reusing a key while a duplicate delivery's request is still in flight; the replay will answer.
  if (status === 409) return new CarrierTransientError("CONFLICT", `HTTP 409: ${detail}`, status);
  if (status >= 400) {
    if (MISCONFIGURED.has(status)) return new CarrierMisconfiguredError(status, detail);
    return new CarrierRejectedRequestError(status, detail);
  }
  // A redirect or 1xx means the base URL points somewhere other than the bulk API.
  return new CarrierMisconfiguredError(status, detail);
}
