import { DAY_MS } from "./durations";
import type { ParsedScenario, TrafficEntry } from "./schema";

/** One enqueue of the admin API: `recipients` users at `atMs` after the scenario's start. */
export interface SendRequest {
  atMs: number;
  trafficName: string;
  recipients: number;
  /** Malformed bodies enqueued alongside (poison messages); 0 for well-formed traffic. */
  malformed: number;
}

// Counts of sends come from floating-point products: 0.29/s for 100 s must be 29 sends, not 28.
const EPSILON = 1e-9;

/**
 * Every send of the scenario's traffic in time order (ties in traffic order), generated lazily:
 * a month of arrival-rate traffic is hundreds of thousands of sends. Campaigns arrive at an
 * instant; arrival-rate executors space sends evenly by their rate, k6-style, with the first send
 * at the entry's start. Times are whole milliseconds.
 */
export function* expandTraffic(scenario: Pick<ParsedScenario, "traffic">): Generator<SendRequest> {
  const heads = scenario.traffic.map((entry) => {
    const sends = entrySends(entry);
    return { sends, next: sends.next() };
  });
  for (;;) {
    let earliest: (typeof heads)[number] | undefined;
    for (const head of heads) {
      if (head.next.done) continue;
      if (earliest === undefined || head.next.value.atMs < (earliest.next.value as SendRequest).atMs)
        earliest = head;
    }
    if (earliest === undefined) return;
    yield earliest.next.value as SendRequest;
    earliest.next = earliest.sends.next();
  }
}

function* entrySends(entry: TrafficEntry): Generator<SendRequest> {
  const send = (atMs: number, malformed = 0): SendRequest => ({
    atMs,
    trafficName: entry.name,
    recipients: entry.recipients,
    malformed,
  });
  switch (entry.executor) {
    case "campaign":
      yield send(entry.startMs, entry.malformed);
      return;
    case "daily":
      for (let day = 0; day < entry.days; day++) yield send(day * DAY_MS + entry.atMs);
      return;
    case "constant-arrival-rate": {
      const count = Math.floor((entry.rate * entry.durationMs) / entry.timeUnitMs + EPSILON);
      for (let i = 0; i < count; i++)
        yield send(entry.startMs + Math.floor((i * entry.timeUnitMs) / entry.rate));
      return;
    }
    case "ramping-arrival-rate": {
      // Send k goes where the integral of the rate reaches k; within a stage the rate is linear.
      let stageStartMs = entry.startMs;
      let rate = entry.startRate / entry.timeUnitMs;
      let cumulative = 0;
      let k = 0;
      for (const stage of entry.stages) {
        const target = stage.target / entry.timeUnitMs;
        const slope = stage.durationMs === 0 ? 0 : (target - rate) / (2 * stage.durationMs);
        const stageTotal = ((rate + target) / 2) * stage.durationMs;
        for (; k + EPSILON < cumulative + stageTotal; k++) {
          const due = Math.max(0, k - cumulative);
          // t solving rate*t + slope*t^2 = due, in the form that stays exact as slope -> 0.
          const t = due === 0 ? 0 : (2 * due) / (rate + Math.sqrt(rate * rate + 4 * slope * due));
          yield send(stageStartMs + Math.min(Math.floor(t), stage.durationMs - 1));
        }
        cumulative += stageTotal;
        stageStartMs += stage.durationMs;
        rate = target;
      }
    }
  }
}
