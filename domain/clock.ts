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
