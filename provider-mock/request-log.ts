export type RequestOutcome =
  | "accepted"
  | "replayed"
  | "rate-limited"
  | "bad-request"
  | "conflict"
  | "transient"
  | "outage"
  | "timeout"
  | "reset";

export interface RequestSummary {
  requestId: string;
  atMs: number;
  idempotencyKey: string | null;
  /** Recipients in the body; 0 when the body was not readable. */
  recipients: number;
  /** Recipients the carrier accepted (delivered) for this request. */
  accepted: number;
  outcome: RequestOutcome;
  /** HTTP status answered; null for timeouts and connection resets. */
  status: number | null;
  /** How long the answer was held back; null for timeouts. */
  delayMs: number | null;
}

/** The most recent requests, in a fixed-size ring. */
export interface RequestLog {
  add(entry: RequestSummary): void;
  /** Newest first, at most `limit`. */
  recent(limit: number): RequestSummary[];
}

export function createRequestLog(capacity: number): RequestLog {
  const ring: RequestSummary[] = [];
  let next = 0;

  return {
    add(entry) {
      ring[next] = entry;
      next = (next + 1) % capacity;
    },
    recent(limit) {
      const newestFirst = [...ring.slice(0, next).reverse(), ...ring.slice(next).reverse()];
      return newestFirst.slice(0, Math.max(0, limit));
    },
  };
}
