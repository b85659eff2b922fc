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

/**
 * Every send of the scenario's traffic in time order (ties in traffic order), generated lazily:
 * a month of arrival-rate traffic is hundreds of thousands of sends. Campaigns arrive at an
 * instant; arrival-rate executors place sends exactly as k6 does (see below). Times are whole milliseconds.
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
    case "constant-arrival-rate":
      for (const ns of constantArrivalOffsetsNs(entry)) yield send(entry.startMs + Math.floor(ns / 1e6));
      return;
    case "ramping-arrival-rate": {
      const totalNs = entry.stages.reduce((sum, s) => sum + s.durationMs, 0) * 1e6;
      for (const ns of rampingArrivalOffsetsNs(entry)) {
        if (ns >= totalNs) return;
        yield send(entry.startMs + Math.floor(ns / 1e6));
      }
    }
  }
}

/**
 * k6's constant-arrival-rate (lib/executor/constant_arrival_rate.go): a ticker of period
 * timeUnit/rate, truncated to whole nanoseconds, fires at 0 and at every tick strictly before the
 * duration ends (the executor's duration context is done at the end). Offsets in nanoseconds.
 */
export function* constantArrivalOffsetsNs(entry: {
  rate: number;
  timeUnitMs: number;
  durationMs: number;
}): Generator<number> {
  const periodNs = Math.max(1, Math.trunc((entry.timeUnitMs * 1e6) / entry.rate));
  const durationNs = entry.durationMs * 1e6;
  for (let tick = 0; tick * periodNs < durationNs; tick++) yield tick * periodNs;
}

/**
 * k6's ramping-arrival-rate schedule, as its `cal()` (lib/executor/ramping_arrival_rate.go)
 * computes it: arrival k (from 0) goes where the integral of the rate reaches k + 1, the rate
 * linear within a stage; float64 arithmetic in nanoseconds, each time truncated to a whole
 * nanosecond. Yields every time cal() yields, including one exactly at the end of the stages;
 * expandTraffic keeps those strictly before the end, as constant-arrival-rate does.
 */
export function* rampingArrivalOffsetsNs(entry: {
  startRate: number;
  timeUnitMs: number;
  stages: readonly { target: number; durationMs: number }[];
}): Generator<number> {
  const timeUnit = entry.timeUnitMs * 1e6;
  let from = entry.startRate / timeUnit;
  let stageStart = 0;
  let doneSoFar = 0;
  let endCount = 0;
  // cal() works with the area under the rate, so the first arrival is at area 1, not 0.
  let i = 1;
  for (const stage of entry.stages) {
    const to = stage.target / timeUnit;
    const dur = stage.durationMs * 1e6;
    if (from !== to) {
      endCount += dur * ((to - from) / 2 + from);
      for (; i <= endCount; i++) {
        const root = dur * (from * from * dur + 2 * (i - doneSoFar) * (to - from));
        const x = (from * dur - (root >= 0 ? Math.sqrt(root) : 0)) / (from - to);
        yield Math.trunc(x) + stageStart;
      }
    } else {
      endCount += dur * to;
      for (; i <= endCount; i++) yield Math.trunc((i - doneSoFar) / to) + stageStart;
    }
    doneSoFar = endCount;
    from = to;
    stageStart += dur;
  }
}
