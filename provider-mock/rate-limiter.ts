/**
 * The carrier's "N per second": at most `ratePerSecond` (requests or recipients) accepted in any
 * sliding 1-second window (t - 1000 ms, t]. A sliding window, not a token bucket: a bucket with a
 * one-second burst lets up to twice the rate through some 1-second window, and the carrier's
 * published limit is a promise about every window.
 */
export interface RateLimiter {
  /**
   * Accepts `amount` at `nowMs` and returns 0, or returns the seconds until it would fit. An amount
   * above the whole limit is accepted only into an empty window, so it is delayed, never refused
   * forever.
   */
  take(amount: number, nowMs: number): number;
  /** null means unlimited; what the window holds is kept. */
  setRate(ratePerSecond: number | null, nowMs: number): void;
  /** Empties the window. */
  reset(nowMs: number): void;
}

interface Acceptance {
  at: number;
  amount: number;
}

export function createRateLimiter(ratePerSecond: number | null, _nowMs: number): RateLimiter {
  let rate = ratePerSecond;
  // Accepted amounts in time order, oldest first; what has left the window is dropped on the next take.
  let accepted: Acceptance[] = [];
  let inWindow = 0;

  return {
    take(amount, now) {
      if (rate === null) return 0;
      // Rates below 1/s admit one per 1/rate seconds.
      const windowMs = rate < 1 ? 1000 / rate : 1000;
      const capacity = Math.max(1, rate);
      while (accepted.length > 0 && (accepted[0] as Acceptance).at <= now - windowMs) {
        inWindow -= (accepted.shift() as Acceptance).amount;
      }
      if (inWindow + amount <= capacity || inWindow === 0) {
        accepted.push({ at: now, amount });
        inWindow += amount;
        return 0;
      }
      // Wait until enough of the oldest acceptances leave the window; at the latest it is empty.
      let freed = inWindow;
      let leaving = 0;
      do {
        freed -= (accepted[leaving] as Acceptance).amount;
        leaving++;
      } while (freed + amount > capacity && freed !== 0);
      return ((accepted[leaving - 1] as Acceptance).at + windowMs - now) / 1000;
    },
    setRate(next) {
      rate = next;
    },
    reset() {
      accepted = [];
      inWindow = 0;
    },
  };
}
