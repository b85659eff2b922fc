/**
 * A token bucket refilled continuously at `ratePerSecond`, holding at most one second's worth
 * (and at least one token, so rates below 1/s still admit something).
 */
export interface TokenBucket {
  /**
   * Takes `amount` tokens at `nowMs`. Returns 0 when taken, otherwise the seconds until enough
   * tokens will be there. An amount larger than the burst needs a full bucket and leaves it in
   * debt, so a big request is delayed rather than refused forever and the long-run rate holds.
   */
  take(amount: number, nowMs: number): number;
  /** null means unlimited. Tokens refilled so far at the old rate are kept, up to the new burst. */
  setRate(ratePerSecond: number | null, nowMs: number): void;
  /** Refills the bucket to its burst. */
  reset(nowMs: number): void;
}

export function createTokenBucket(ratePerSecond: number | null, nowMs: number): TokenBucket {
  let rate = ratePerSecond;
  let capacity = burstOf(rate);
  let tokens = capacity;
  let refilledAt = nowMs;

  const refill = (now: number): void => {
    if (rate === null || now <= refilledAt) return;
    tokens = Math.min(capacity, tokens + ((now - refilledAt) / 1000) * rate);
    refilledAt = now;
  };

  return {
    take(amount, now) {
      if (rate === null) return 0;
      refill(now);
      const needed = Math.min(amount, capacity);
      if (tokens >= needed) {
        tokens -= amount;
        return 0;
      }
      return (needed - tokens) / rate;
    },
    setRate(next, now) {
      refill(now);
      const wasUnlimited = rate === null;
      rate = next;
      capacity = burstOf(rate);
      tokens = wasUnlimited ? capacity : Math.min(tokens, capacity);
      refilledAt = Math.max(refilledAt, now);
    },
    reset(now) {
      tokens = capacity;
      refilledAt = now;
    },
  };
}

function burstOf(rate: number | null): number {
  return rate === null ? Number.POSITIVE_INFINITY : Math.max(1, rate);
}
