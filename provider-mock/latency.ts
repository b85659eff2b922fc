import type { LatencyDistribution } from "./config";
import type { Random } from "./random";

/** z-score of the 99th percentile of the standard normal distribution. */
const Z_99 = 2.3263478740408408;

/** A sampler of response latencies in ms; lognormal is fitted to its p50 and p99. */
export function createLatencySampler(dist: LatencyDistribution, random: Random): () => number {
  switch (dist.dist) {
    case "fixed":
      return () => dist.value;
    case "uniform":
      return () => dist.min + (dist.max - dist.min) * random.next();
    case "lognormal": {
      const mu = Math.log(dist.p50);
      const sigma = (Math.log(dist.p99) - mu) / Z_99;
      return () => Math.exp(mu + sigma * random.normal());
    }
  }
}
