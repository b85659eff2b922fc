import { type ChildProcess, fork } from "node:child_process";
import { SweepPointError } from "./errors";
import type { PointJob, PointOutcome, PointRunner } from "./point-job";
import type { WorkerRequest } from "./sweep-worker";

const WORKER_ENTRY = new URL("./sweep-worker.mjs", import.meta.url);

type WorkerAnswer = { id: number; outcome: PointOutcome } | { id: number; error: string };

interface Worker {
  child: ChildProcess;
  busy: { id: number; resolve(o: PointOutcome): void; reject(e: Error): void } | null;
}

/**
 * Runs points in `size` long-lived child processes, one point each at a time. A child is a fresh
 * V8 heap per worker (not per point): start-up is paid once, and each point is still the same
 * deterministic function of its job, whichever child runs it.
 */
export function createProcessPool(size: number): PointRunner {
  const workers: Worker[] = [];
  const waiting: { job: PointJob; resolve(o: PointOutcome): void; reject(e: Error): void }[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Worker => {
    // "advanced" serialization: structured clone, so numbers such as Infinity survive the trip.
    const child = fork(WORKER_ENTRY, [], {
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const worker: Worker = { child, busy: null };
    child.on("message", (answer: WorkerAnswer) => {
      const busy = worker.busy;
      if (busy === null || busy.id !== answer.id) return;
      worker.busy = null;
      if ("error" in answer) busy.reject(new SweepPointError(String(answer.id), answer.error));
      else busy.resolve(answer.outcome);
      dispatch();
    });
    child.on("exit", (code, signal) => {
      workers.splice(workers.indexOf(worker), 1);
      if (worker.busy !== null) {
        worker.busy.reject(
          new SweepPointError(String(worker.busy.id), `its worker exited (${signal ?? `code ${code}`})`),
        );
      }
      if (!closed) dispatch();
    });
    workers.push(worker);
    return worker;
  };

  const dispatch = () => {
    while (waiting.length > 0) {
      const idle = workers.find((w) => w.busy === null) ?? (workers.length < size ? spawn() : undefined);
      if (idle === undefined) return;
      const task = waiting.shift() as (typeof waiting)[number];
      const id = nextId++;
      idle.busy = { id, resolve: task.resolve, reject: task.reject };
      idle.child.send({ id, job: task.job } satisfies WorkerRequest);
    }
  };

  return {
    concurrency: size,
    run(job) {
      if (closed) return Promise.reject(new SweepPointError("-", "the pool is closed"));
      return new Promise<PointOutcome>((resolve, reject) => {
        waiting.push({ job, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.child.once("exit", () => resolve());
              w.child.kill();
            }),
        ),
      );
    },
  };
}
