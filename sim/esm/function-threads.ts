import { Worker } from "node:worker_threads";
import type { SQSEvent } from "aws-lambda";
import type { SmsimEnv } from "../../domain/env";
import type { LogLevel } from "../../domain/logger";
import type { PipelineConfig } from "../../infra/pipeline-config";
import { FunctionThreadError } from "./errors";
import { type LocalFunction, storeConnectionsOf } from "./local-consumer";
import type { InvocationOutcome } from "./ports";

export interface FunctionThreadsOptions {
  /** Worker threads to spread the invocations over; 2 or more (1 is createLocalFunction's job). */
  threads: number;
  pipeline: PipelineConfig;
  queueUrl: string;
  /** Each thread opens its own pool: its share of storeConnectionsOf(pipeline). */
  mysqlUrl: string;
  carrier: { baseUrl: string; apiKey?: string };
  /** Where the threads' SQS clients (for visibility changes) connect. */
  sqs: Pick<SmsimEnv, "sqsEndpoint" | "awsRegion">;
  logLevel: LogLevel;
}

/** What a thread is started with (function-thread.ts): its share of the MySQL connections. */
export type FunctionThreadData = Omit<FunctionThreadsOptions, "threads"> & { storeConnections: number };

export type ThreadRequest = { id: number; event: SQSEvent; timeoutMs: number } | "close";
export type ThreadReply = {
  id: number;
  outcome: Exclude<InvocationOutcome, { kind: "error" }> | { kind: "error"; error: PlainError };
};
interface PlainError {
  name: string;
  message: string;
  stack?: string;
}

const THREAD = new URL("./function-thread.ts", import.meta.url);
/** How long a thread may take to close its connections before it is terminated. */
const CLOSE_TIMEOUT_MS = 5000;

interface Thread {
  worker: Worker;
  inFlight: Map<number, (outcome: InvocationOutcome) => void>;
  alive: boolean;
  exited: Promise<void>;
}

/**
 * The production handler on worker threads, each with its own event loop and connections, as
 * Lambda gives each execution environment its own: with every invocation on one event loop, a
 * round trip's answer waits behind the other invocations' work, which leaves cores idle at high
 * concurrency. Each invocation goes to the thread with the fewest running; the function's reserved
 * concurrency is enforced here, across threads.
 */
export async function startFunctionThreads(options: FunctionThreadsOptions): Promise<LocalFunction> {
  const { threads: count, pipeline } = options;
  if (!Number.isInteger(count) || count < 2) {
    throw new FunctionThreadError(`threads must be a whole number >= 2 (got ${count})`);
  }
  const { threads: _, ...shared } = options;
  const data: FunctionThreadData = {
    ...shared,
    storeConnections: Math.ceil(storeConnectionsOf(pipeline) / count),
  };
  const threads = await Promise.all(Array.from({ length: count }, (_, i) => startThread(i, data)));
  const reserved = pipeline.lambda.reservedConcurrency;
  // A thread's in-flight map holds exactly its running invocations (a dead thread's are settled).
  const running = () => threads.reduce((n, t) => n + t.inFlight.size, 0);
  let nextId = 0;

  return {
    fn: {
      async invoke(event, timeoutMs) {
        if (reserved !== null && running() >= reserved) return { kind: "throttled" };
        const live = threads.filter((t) => t.alive);
        const thread = live.reduce<Thread | undefined>(
          (least, t) => (least === undefined || t.inFlight.size < least.inFlight.size ? t : least),
          undefined,
        );
        if (thread === undefined) {
          return { kind: "error", error: new FunctionThreadError("every function thread has stopped") };
        }
        const id = nextId++;
        return new Promise<InvocationOutcome>((resolve) => {
          thread.inFlight.set(id, resolve);
          thread.worker.postMessage({ id, event, timeoutMs } satisfies ThreadRequest);
        });
      },
    },
    async close() {
      await Promise.all(threads.map(closeThread));
    },
  };
}

async function startThread(index: number, data: FunctionThreadData): Promise<Thread> {
  // The thread loads TypeScript as this process does.
  const worker = new Worker(THREAD, { workerData: data, execArgv: ["--import", "tsx"] });
  const thread: Thread = {
    worker,
    inFlight: new Map(),
    alive: true,
    exited: new Promise((resolve) => worker.once("exit", () => resolve())),
  };
  const stopped = (reason: string) => {
    if (!thread.alive) return;
    thread.alive = false;
    const error = new FunctionThreadError(`function thread ${index} stopped (${reason})`);
    for (const resolve of thread.inFlight.values()) resolve({ kind: "error", error });
    thread.inFlight.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", (error) =>
      reject(
        new FunctionThreadError(`function thread ${index} failed to start: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    thread.exited.then(() =>
      reject(new FunctionThreadError(`function thread ${index} exited while starting`)),
    );
  });
  worker.on("error", (error) => stopped(`${error.name}: ${error.message}`));
  thread.exited.then(() => stopped("exited"));
  worker.on("message", (reply: ThreadReply) => {
    const resolve = thread.inFlight.get(reply.id);
    thread.inFlight.delete(reply.id);
    const { outcome } = reply;
    resolve?.(outcome.kind === "error" ? { kind: "error", error: errorOf(outcome.error) } : outcome);
  });
  return thread;
}

async function closeThread(thread: Thread): Promise<void> {
  if (thread.alive) thread.worker.postMessage("close" satisfies ThreadRequest);
  const timer = setTimeout(() => void thread.worker.terminate(), CLOSE_TIMEOUT_MS);
  await thread.exited;
  clearTimeout(timer);
}

function errorOf(plain: PlainError): Error {
  const error = new Error(plain.message);
  error.name = plain.name;
  if (plain.stack !== undefined) error.stack = plain.stack;
  return error;
}
