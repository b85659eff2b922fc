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

export function createRateLimiter(ratePerSecond: number | null, _nowMs: number): RateLimiter {
  let rate = ratePerSecond;
  // Rates below 1/s admit one per 1/rate seconds.
  let windowMs = windowOf(rate);
  let capacity = rate === null ? Number.POSITIVE_INFINITY : Math.max(1, rate);
  // Accepted amounts in time order, as a queue: times[head..] with their amounts.
  let times: number[] = [];
  let amounts: number[] = [];
  let head = 0;
  let inWindow = 0;

  const evict = (now: number) => {
    while (head < times.length && (times[head] as number) <= now - windowMs) {
      inWindow -= amounts[head] as number;
      head++;
    }
    if (head > 1024 && head * 2 > times.length) {
      times = times.slice(head);
      amounts = amounts.slice(head);
      head = 0;
    }
  };

  return {
    take(amount, now) {
      if (rate === null) return 0;
      evict(now);
      if (inWindow + amount <= capacity || inWindow === 0) {
        times.push(now);
        amounts.push(amount);
        inWindow += amount;
        return 0;
      }
      // Wait until enough of the oldest acceptances leave the window; at the latest it is empty.
      let freed = inWindow;
      let leaving = head;
      do {
        freed -= amounts[leaving] as number;
        leaving++;
      } while (freed + amount > capacity && freed !== 0);
      return ((times[leaving - 1] as number) + windowMs - now) / 1000;
    },
    setRate(next) {
      rate = next;
      windowMs = windowOf(rate);
      capacity = rate === null ? Number.POSITIVE_INFINITY : Math.max(1, rate);
    },
    reset() {
      times = [];
      amounts = [];
      head = 0;
      inWindow = 0;
    },
  };
}

function windowOf(rate: number | null): number {
  return rate !== null && rate < 1 ? 1000 / rate : 1000;
}
