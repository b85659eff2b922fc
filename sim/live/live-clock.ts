import { ValidationError } from "../../domain/errors";
import type { TimerHandle, VirtualClock } from "../virtual/scheduler";

/**
 * The live engine's scenario clock: real time times `timeScale`, plus the idle gaps skipped with
 * jumpTo(). Production code, the ESM, the Lambda model and the producer all wait through it, so a
 * jump wakes every sleep whose scenario deadline it passes, in deadline order.
 */
export interface LiveClock extends VirtualClock {
  readonly timeScale: number;
  sleepUntil(scenarioMs: number): Promise<void>;
  /** Moves the clock forward to `scenarioMs` at once; a target in the past is a no-op. */
  jumpTo(scenarioMs: number): void;
  /** Scenario ms skipped by jumps so far. */
  skippedMs(): number;
  /** The scenario time at real time `realMs` (epoch ms), by the jumps made so far. */
  scenarioAt(realMs: number): number;
  /** Real ms until scenario time `scenarioMs`, if no jump happens before then. */
  realDelayUntil(scenarioMs: number): number;
  /** Cancels every pending timer: nothing it holds fires, so no timer outlives the run. */
  close(): void;
}

export interface LiveClockOptions {
  /** Scenario epoch ms at the real instant of creation. */
  startMs: number;
  /** Scenario ms per real ms (the --time-scale factor); default 1. */
  timeScale?: number;
  /** Real epoch ms; injectable for tests. */
  realNow?: () => number;
}

interface Timer extends TimerHandle {
  deadline: number;
  seq: number;
  fn: (() => void) | null;
  real: NodeJS.Timeout | null;
}

/** A --time-scale factor: scenario ms per real ms, at least 1. */
export function requireTimeScale(timeScale: number): number {
  if (!(Number.isFinite(timeScale) && timeScale >= 1)) {
    throw new ValidationError("timeScale", timeScale, "must be a finite number >= 1");
  }
  return timeScale;
}

export function createLiveClock(options: LiveClockOptions): LiveClock {
  const timeScale = requireTimeScale(options.timeScale ?? 1);
  const realNow = options.realNow ?? Date.now;
  // Each jump starts a new segment: scenario time = scenario + (real - real0) * timeScale.
  const anchors = [{ real: realNow(), scenario: options.startMs }];
  const timers = new Set<Timer>();
  let seq = 0;

  const scenarioAt = (realMs: number): number => {
    let anchor = anchors[0] as (typeof anchors)[number];
    for (let i = anchors.length - 1; i >= 0; i--) {
      const candidate = anchors[i] as (typeof anchors)[number];
      if (candidate.real <= realMs) {
        anchor = candidate;
        break;
      }
    }
    return anchor.scenario + (realMs - anchor.real) * timeScale;
  };
  const now = () => scenarioAt(realNow());

  const arm = (timer: Timer) => {
    const delay = Math.max(0, (timer.deadline - now()) / timeScale);
    timer.real = setTimeout(() => fire(timer), delay);
  };
  const fire = (timer: Timer) => {
    timer.real = null;
    if (timer.fn === null) return;
    // A real timer may fire a hair early; wait out the rest rather than run before the deadline.
    if (now() < timer.deadline) {
      arm(timer);
      return;
    }
    const fn = timer.fn;
    timer.fn = null;
    timers.delete(timer);
    fn();
  };

  const after = (ms: number, fn: () => void): TimerHandle => {
    if (!(ms >= 0) || ms === Number.POSITIVE_INFINITY) {
      throw new ValidationError("ms", ms, "must be a finite number >= 0");
    }
    const timer: Timer = {
      deadline: now() + ms,
      seq: seq++,
      fn,
      real: null,
      cancel() {
        if (timer.real !== null) clearTimeout(timer.real);
        timer.real = null;
        timer.fn = null;
        timers.delete(timer);
      },
    };
    timers.add(timer);
    arm(timer);
    return timer;
  };

  return {
    timeScale,
    now,
    after,
    sleep: (ms) => new Promise((resolve) => after(Math.max(0, ms), resolve)),
    sleepUntil: (scenarioMs) => new Promise((resolve) => after(Math.max(0, scenarioMs - now()), resolve)),
    jumpTo(scenarioMs) {
      const real = realNow();
      if (scenarioMs <= scenarioAt(real)) return;
      anchors.push({ real, scenario: scenarioMs });
      const due: Timer[] = [];
      for (const timer of timers) {
        if (timer.real !== null) clearTimeout(timer.real);
        timer.real = null;
        if (timer.deadline <= scenarioMs) due.push(timer);
        else arm(timer);
      }
      due.sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
      for (const timer of due) fire(timer);
    },
    skippedMs: () => {
      let skipped = 0;
      for (let i = 1; i < anchors.length; i++) {
        const before = anchors[i - 1] as (typeof anchors)[number];
        const anchor = anchors[i] as (typeof anchors)[number];
        skipped += anchor.scenario - (before.scenario + (anchor.real - before.real) * timeScale);
      }
      return skipped;
    },
    scenarioAt,
    realDelayUntil: (scenarioMs) => Math.max(0, (scenarioMs - now()) / timeScale),
    close() {
      for (const timer of timers) {
        if (timer.real !== null) clearTimeout(timer.real);
        timer.fn = null;
      }
      timers.clear();
    },
  };
}
