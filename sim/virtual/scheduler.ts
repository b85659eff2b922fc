import type { Clock } from "../../domain/clock";
import { ValidationError } from "../../domain/errors";
import { requireTime } from "./checks";
import { SchedulerError } from "./errors";
import { MinHeap } from "./min-heap";

export interface TimerHandle {
  /** Stops a callback that has not fired yet; harmless after it fired. */
  cancel(): void;
}

/** The Clock production code sees, plus cancellable timers for the models that need them. */
export interface VirtualClock extends Clock {
  /** Calls `fn` at now() + ms, after the events already scheduled for that instant. */
  after(ms: number, fn: () => void): TimerHandle;
}

export interface SchedulerStats {
  /** Callbacks fired (sleeps resolved included). */
  fired: number;
  /** Distinct virtual instants at which something fired: one macrotask drain each. */
  instants: number;
}

/**
 * A discrete-event loop in virtual time. Callbacks of one instant fire in (time, scheduling order);
 * then every async continuation they released runs, and may schedule more work, before the clock
 * moves on. Code driven by it must wait only through this clock: real timers and real I/O are not
 * waited for.
 */
export interface VirtualScheduler {
  readonly clock: VirtualClock;
  now(): number;
  at(timeMs: number, fn: () => void): TimerHandle;
  after(ms: number, fn: () => void): TimerHandle;
  /** Scheduled callbacks that have neither fired nor been cancelled. */
  pending(): number;
  /**
   * Fires events in time order until none is left or the next is later than `untilMs` (events at
   * exactly `untilMs` fire, and the clock then stands at `untilMs`), or until stop().
   */
  run(untilMs?: number): Promise<void>;
  /** Makes a running run() return once the current instant is done. */
  stop(): void;
  stats(): SchedulerStats;
}

export interface VirtualSchedulerOptions {
  /** Virtual epoch milliseconds at which the clock starts. */
  startMs: number;
}

class Timer implements TimerHandle {
  constructor(
    public fn: (() => void) | null,
    private readonly owner: Scheduler,
  ) {}

  cancel(): void {
    if (this.fn === null) return;
    this.fn = null;
    this.owner.onCancel();
  }
}

// Cancelled timers stay in the heap until popped; past this many, and half the heap, drop them.
const COMPACT_AFTER = 4096;

class Scheduler implements VirtualScheduler {
  readonly clock: VirtualClock;
  private current: number;
  private seq = 0;
  private cancelledInHeap = 0;
  // A sleep's resolve function goes in bare: it cannot be cancelled, so it needs no Timer.
  private readonly heap = new MinHeap<Timer | (() => void)>();
  private running = false;
  private stopRequested = false;
  private fired = 0;
  private instants = 0;

  constructor(startMs: number) {
    this.current = startMs;
    this.clock = {
      now: () => this.current,
      sleep: (ms) => this.sleep(ms),
      after: (ms, fn) => this.after(ms, fn),
    };
  }

  now(): number {
    return this.current;
  }

  at(timeMs: number, fn: () => void): TimerHandle {
    if (!(timeMs >= this.current) || timeMs === Number.POSITIVE_INFINITY) {
      throw new ValidationError(
        "timeMs",
        timeMs,
        `must be finite and not before the virtual now ${this.current}`,
      );
    }
    const timer = new Timer(fn, this);
    this.heap.push(timeMs, this.seq++, timer);
    return timer;
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.at(this.current + requireTime("ms", ms, 0), fn);
  }

  pending(): number {
    return this.heap.size - this.cancelledInHeap;
  }

  stop(): void {
    this.stopRequested = true;
  }

  stats(): SchedulerStats {
    return { fired: this.fired, instants: this.instants };
  }

  onCancel(): void {
    this.cancelledInHeap++;
    if (this.cancelledInHeap > COMPACT_AFTER && this.cancelledInHeap * 2 > this.heap.size) {
      this.heap.retain((entry) => typeof entry === "function" || entry.fn !== null);
      this.cancelledInHeap = 0;
    }
  }

  async run(untilMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.running) throw new SchedulerError("run() is already in progress; await it first");
    if (Number.isNaN(untilMs) || untilMs < this.current) {
      throw new ValidationError("untilMs", untilMs, `must not be before the virtual now ${this.current}`);
    }
    this.running = true;
    this.stopRequested = false;
    try {
      // Code started before run() reaches its first wait first.
      await drainContinuations();
      while (!this.stopRequested) {
        const next = this.nextLiveAt();
        if (next > untilMs || next === Number.POSITIVE_INFINITY) break;
        this.current = next;
        if (this.fireInstant()) {
          this.instants++;
          // A macrotask now and then lets I/O (progress output, a worker's messages) through.
          await (this.instants % YIELD_EVERY_INSTANTS === 0 ? drainContinuations() : settleMicrotasks());
        }
      }
      if (!this.stopRequested && untilMs !== Number.POSITIVE_INFINITY) this.current = untilMs;
    } finally {
      this.running = false;
    }
  }

  /** Time of the earliest timer not cancelled: cancelled ones must not move the clock. */
  private nextLiveAt(): number {
    const heap = this.heap;
    for (let entry = heap.peek(); entry !== undefined; entry = heap.peek()) {
      if (typeof entry === "function" || entry.fn !== null) break;
      heap.pop();
      this.cancelledInHeap--;
    }
    return heap.peekAt();
  }

  /** Fires every live timer at the current instant, including ones those callbacks add for it. */
  private fireInstant(): boolean {
    const heap = this.heap;
    const now = this.current;
    let firedAny = false;
    while (heap.peekAt() === now) {
      const entry = heap.pop() as Timer | (() => void);
      let fn: () => void;
      if (typeof entry === "function") fn = entry;
      else if (entry.fn === null) {
        this.cancelledInHeap--;
        continue;
      } else {
        fn = entry.fn;
        entry.fn = null;
      }
      this.fired++;
      firedAny = true;
      fn();
    }
    return firedAny;
  }

  private sleep(ms: number): Promise<void> {
    // Negative waits resolve now, as with systemClock; NaN or Infinity is a caller bug.
    if (!Number.isFinite(ms)) throw new ValidationError("ms", ms, "must be a finite number");
    return new Promise<void>((resolve) => {
      this.heap.push(this.current + Math.max(0, ms), this.seq++, resolve);
    });
  }
}

/**
 * Microtasks (promise continuations) always run to exhaustion before the next macrotask, so one
 * setImmediate round trip lets every continuation released at an instant finish its synchronous
 * part and schedule its next wait.
 */
function drainContinuations(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * The same guarantee for a tenth of the cost: Node runs the nextTick queue only once V8's
 * microtask queue is empty (processTicksAndRejections: ticks, then runMicrotasks() to exhaustion,
 * repeat), so a tick queued from a continuation fires after every continuation released with it,
 * including those they release in turn. Only code that itself defers through process.nextTick
 * could still be running; nothing the virtual engine drives does.
 */
function settleMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => process.nextTick(resolve));
}

/** How many instants may pass on nextTick alone before a setImmediate round trip. */
const YIELD_EVERY_INSTANTS = 256;

export function createVirtualScheduler(options: VirtualSchedulerOptions): VirtualScheduler {
  return new Scheduler(requireTime("startMs", options.startMs, 0));
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** A promise with its settle functions in hand, for waits that something else ends. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
