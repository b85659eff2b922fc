import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { SchedulerError } from "../errors";
import { deferred } from "../scheduler";
import { scheduler, T0 } from "./fixtures";

describe("virtual scheduler", () => {
  it("runs three workers of ten 100 ms sleeps to t0+1000 with 30 wakeups", async () => {
    // Prepare
    const s = scheduler();
    const wakeups: number[] = [];
    const worker = async () => {
      for (let i = 0; i < 10; i++) {
        await s.clock.sleep(100);
        wakeups.push(s.now() - T0);
      }
    };
    const workers = [worker(), worker(), worker()];

    // Act
    await s.run();
    await Promise.all(workers);

    // Assess
    expect(s.now()).toBe(T0 + 1000);
    expect(wakeups).toHaveLength(30);
    expect(wakeups.slice(0, 6)).toEqual([100, 100, 100, 200, 200, 200]);
    expect(s.stats()).toEqual({ fired: 30, instants: 10 });
    expect(s.pending()).toBe(0);
  });

  it("lets a chain of 20 awaits finish before the clock moves on", async () => {
    // Prepare
    const s = scheduler();
    const seen: string[] = [];
    const chain = async (depth: number): Promise<number> => (depth === 0 ? 0 : 1 + (await chain(depth - 1)));
    const chained = async () => {
      for (let i = 0; i < 2; i++) {
        await s.clock.sleep(10);
        for (let j = 0; j < 20; j++) await Promise.resolve(j);
        await chain(20);
        seen.push(`chained@${s.now() - T0}`);
      }
    };
    const neighbour = async () => {
      await s.clock.sleep(15);
      seen.push(`neighbour@${s.now() - T0}`);
    };
    void chained();
    void neighbour();

    // Act
    await s.run();

    // Assess
    expect(seen).toEqual(["chained@10", "neighbour@15", "chained@20"]);
  });

  it("settles every continuation an instant releases, however deep, on the cheap path and the macrotask one", async () => {
    // Prepare: 600 instants (past the one-macrotask-in-256 mark), each releasing a chain of 5,000
    // awaits through nested async functions and a queued microtask before its next sleep
    const s = scheduler();
    const chain = async (depth: number): Promise<number> => (depth === 0 ? 0 : 1 + (await chain(depth - 1)));
    const finished: number[] = [];
    const worker = async () => {
      for (let i = 0; i < 600; i++) {
        await s.clock.sleep(1);
        await chain(5_000);
        await new Promise((resolve) => queueMicrotask(() => resolve(i)));
        finished.push(s.now() - T0);
      }
    };
    void worker();

    // Act
    await s.run();

    // Assess: each chain ended at the instant that released it
    expect(finished).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(s.stats().instants).toBe(600);
  });

  it("runs work a continuation schedules for the same instant before moving on, in order", async () => {
    // Prepare
    const s = scheduler();
    const log: string[] = [];
    s.at(T0 + 100, () => log.push(`a@${s.now() - T0}`));
    const task = (async () => {
      await s.clock.sleep(100);
      log.push(`w1@${s.now() - T0}`);
      s.after(0, () => log.push(`c@${s.now() - T0}`));
      await s.clock.sleep(0);
      log.push(`w2@${s.now() - T0}`);
    })();
    s.at(T0 + 100, () => log.push(`b@${s.now() - T0}`));
    s.at(T0 + 101, () => log.push(`d@${s.now() - T0}`));

    // Act
    await s.run();
    await task;

    // Assess
    expect(log).toEqual(["a@100", "b@100", "w1@100", "c@100", "w2@100", "d@101"]);
  });

  it("fires equal times in scheduling order and earlier times first", async () => {
    // Prepare
    const s = scheduler();
    const log: string[] = [];
    s.at(T0 + 200, () => log.push("x"));
    s.at(T0 + 100, () => log.push("y"));
    s.at(T0 + 100, () => log.push("z"));

    // Act
    await s.run();

    // Assess
    expect(log).toEqual(["y", "z", "x"]);
  });

  it("stops at untilMs with later events still pending, then resumes", async () => {
    // Prepare
    const s = scheduler();
    const log: number[] = [];
    for (const t of [100, 500, 900]) s.after(t, () => log.push(t));
    const cancelled = s.after(700, () => log.push(700));
    cancelled.cancel();

    // Act
    await s.run(T0 + 500);
    const midway = { log: [...log], now: s.now(), pending: s.pending() };
    await s.run();

    // Assess
    expect(midway).toEqual({ log: [100, 500], now: T0 + 500, pending: 1 });
    expect(log).toEqual([100, 500, 900]);
    expect(s.now()).toBe(T0 + 900);
  });

  it("does not move the clock for cancelled timers", async () => {
    // Prepare
    const s = scheduler();
    s.after(100, () => {}).cancel();

    // Act
    await s.run();

    // Assess
    expect(s.now()).toBe(T0);
    expect(s.stats().fired).toBe(0);
  });

  it("advances an idle clock to untilMs", async () => {
    // Prepare
    const s = scheduler();

    // Act
    await s.run(T0 + 60_000);

    // Assess
    expect(s.now()).toBe(T0 + 60_000);
  });

  it("returns from run() after the current instant when stopped", async () => {
    // Prepare
    const s = scheduler();
    const log: number[] = [];
    s.after(10, () => {
      log.push(10);
      s.stop();
    });
    s.after(10, () => log.push(11));
    s.after(20, () => log.push(20));

    // Act
    await s.run();

    // Assess
    expect(log).toEqual([10, 11]);
    expect(s.pending()).toBe(1);
  });

  it("resolves a deferred from a timer, waking its waiter at that instant", async () => {
    // Prepare
    const s = scheduler();
    const gate = deferred<string>();
    s.after(250, () => gate.resolve("open"));
    const waiter = gate.promise.then((value) => `${value}@${s.now() - T0}`);

    // Act
    await s.run();

    // Assess
    expect(await waiter).toBe("open@250");
  });

  it("refuses times in the past, impossible sleeps and overlapping runs", async () => {
    // Prepare
    const s = scheduler();
    s.after(10, () => {});

    // Act
    const first = s.run();
    const second = s.run();

    // Assess
    await expect(second).rejects.toBeInstanceOf(SchedulerError);
    await first;
    expect(() => s.at(T0, () => {})).toThrow(ValidationError);
    expect(() => s.clock.sleep(Number.NaN)).toThrow(/ms: must be a finite number/);
  });

  it("rejects run() with the error a callback throws", async () => {
    // Prepare
    const s = scheduler();
    s.after(5, () => {
      throw new Error("boom");
    });

    // Act
    const running = s.run();

    // Assess
    await expect(running).rejects.toThrow("boom");
    expect(s.now()).toBe(T0 + 5);
  });
});
