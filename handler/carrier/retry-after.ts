/** Used when a 429 carries no Retry-After, or one we cannot read. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

/**
 * Seconds to wait from a Retry-After header: delay-seconds ("3") or an HTTP-date
 * ("Wed, 21 Oct 2015 07:28:00 GMT", counted from `nowMs`, never negative).
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return DEFAULT_RETRY_AFTER_SECONDS;
  if (/^\d+$/.test(value)) return Number(value);
  // Only the HTTP-date form starts with a day name; Date.parse would take other strings too.
  if (!/^[A-Za-z]{3},/.test(value)) return DEFAULT_RETRY_AFTER_SECONDS;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
