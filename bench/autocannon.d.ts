/** The part of autocannon's programmatic API the benchmarks use (the package ships no types). */
declare module "autocannon" {
  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Requests per second across all connections. */
    overallRate?: number;
    headers?: Record<string, string>;
    /** Record each response's own latency, without autocannon's coordinated-omission correction. */
    ignoreCoordinatedOmission?: boolean;
  }

  /** Milliseconds for latency; the percentile keys are p<percentile> with "_" for the dot. */
  interface Histogram {
    average: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
  }

  interface Result {
    /** Seconds the run lasted. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    "2xx": number;
    /** Only 2xx responses are in it. */
    latency: Histogram & { totalCount: number };
    requests: Histogram & { total: number; sent: number };
  }

  /** Resolves when the run ends: after `duration`, or once stopped. */
  function autocannon(options: Options): Promise<Result> & { stop(): void };
  export default autocannon;
}
