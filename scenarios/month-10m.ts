import { defineScenario } from "../sim/scenario/define-scenario";
import month1m from "./month-1m";

const SCALE = 10;

/**
 * month-1m at ten times the volume, in the same 30-day month on the same pipeline and carrier:
 * about 10,000,000 recipients. A 1.5M campaign each week (6M), daily campaigns of 80k and 20k
 * (3M) and order notifications at 1,400 an hour (1,008,000). The benchmark of the virtual engine
 * at scale (bench/virtual-engine.bench.ts).
 */
export default defineScenario({
  ...month1m,
  name: "month-10m",
  description:
    "A month of campaigns and order notifications at ten times the seed's volume (~10M recipients)",
  seed: 20_240_310,
  // One user per recipient of the largest campaign, as month-1m has by default.
  users: { count: 150_000 * SCALE },
  // Campaigns grow tenfold; order notifications keep one recipient each and come ten times as often.
  traffic: month1m.traffic.map((entry) =>
    "rate" in entry
      ? { ...entry, rate: entry.rate * SCALE }
      : { ...entry, recipients: (entry.recipients ?? 1) * SCALE },
  ),
  thresholds: {
    ...month1m.thresholds,
    // Five invocations make 60 calls in a sliding second only when 60 calls in a row average under
    // 83 ms (the mean is 127 ms): never in month-1m's 191k calls, once in these 1.9M (seed as here).
    // Such a 429 is waited out or deferred and retried, nothing is lost; a concurrency that no
    // longer fits the limit would give thousands.
    carrier_rate_limited: ["count < 100"],
    "campaign_drain_seconds{campaign:weekly-marketing-w1}": ["value < 5400"],
  },
});
