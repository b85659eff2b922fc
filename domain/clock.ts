/** Time as every component sees it: wall time in production, virtual time in the simulator. */
export interface Clock {
  /** Milliseconds since the Unix epoch (virtual epoch in the simulator). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * Wall time whose timers do not hold the process (or thread) open: for harnesses that race each
 * invocation against its timeout, where a finished invocation's timer must not keep it alive for up
 * to the function timeout.
 */
export const unrefClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref()),
};
