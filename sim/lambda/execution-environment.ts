import { Worker } from "node:worker_threads";
import { LambdaInitError } from "./errors";
import type { FunctionErrorPayload } from "./invoke-api";

export interface ExecutionEnvironmentOptions {
  /** file: URL of the function's index.mjs, unpacked from the artifact. */
  indexUrl: string;
  /** The function's whole environment: it sees these variables and no others. */
  env: Readonly<Record<string, string>>;
  functionName: string;
  functionVersion: string;
  memoryMb: number;
  region: string;
}

/** How one invocation ended inside an environment. */
export type EnvironmentResult =
  | { kind: "returned"; payload: string }
  | { kind: "error"; error: FunctionErrorPayload }
  | { kind: "timeout" };

export interface ExecutionEnvironment {
  /** One at a time: an environment serves a single invocation, as in Lambda. */
  invoke(requestId: string, payload: string, timeoutMs: number): Promise<EnvironmentResult>;
  /** False once it has timed out, died or been terminated: it takes no more invocations. */
  readonly alive: boolean;
  terminate(): Promise<void>;
}

type RuntimeMessage =
  | { ready: true }
  | { initError: FunctionErrorPayload }
  | { requestId: string; payload: string }
  | { requestId: string; error: FunctionErrorPayload };

const RUNTIME = new URL("./lambda-runtime.mjs", import.meta.url);
/** Lambda's limit on the init phase of an on-demand environment. */
const INIT_TIMEOUT_MS = 10_000;

/**
 * Cold-starts one execution environment: a worker thread with the function's own environment
 * variables and a heap capped at the function's memory, which imports index.mjs natively (the
 * init phase) and then serves invocations one at a time. A timeout resets the environment as
 * Lambda does: the worker is terminated, the handler with it. Rejects with LambdaInitError when
 * the init phase fails.
 */
export async function startExecutionEnvironment(
  options: ExecutionEnvironmentOptions,
): Promise<ExecutionEnvironment> {
  const worker = new Worker(RUNTIME, {
    workerData: {
      indexUrl: options.indexUrl,
      functionName: options.functionName,
      functionVersion: options.functionVersion,
      memoryMb: options.memoryMb,
      region: options.region,
    },
    env: { ...options.env },
    // The runtime's own flags only, not the test runner's or tsx's.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
  });
  let alive = true;
  // Why the worker stopped, for an invocation that was running then.
  let died: ((reason: string) => void) | null = null;
  worker.on("error", (error) => died?.(`${error.name}: ${error.message}`));
  worker.on("exit", (code) => {
    alive = false;
    died?.(`exit code ${code}`);
  });

  type InitOutcome = { ready: true } | { failed: FunctionErrorPayload };
  const init = await new Promise<InitOutcome>((resolve) => {
    const settle = (outcome: InitOutcome) => {
      clearTimeout(timer);
      died = null;
      resolve(outcome);
    };
    const seconds = (INIT_TIMEOUT_MS / 1000).toFixed(2);
    const timer = setTimeout(
      () =>
        settle({
          failed: { errorType: "Sandbox.Timedout", errorMessage: `Init timed out after ${seconds} seconds` },
        }),
      INIT_TIMEOUT_MS,
    );
    died = (reason) =>
      settle({
        failed: { errorType: "Runtime.ExitError", errorMessage: `Runtime exited during init (${reason})` },
      });
    worker.once("message", (message: RuntimeMessage) =>
      settle("initError" in message ? { failed: message.initError } : { ready: true }),
    );
  });
  if ("failed" in init) {
    await worker.terminate();
    throw new LambdaInitError(init.failed);
  }

  const terminate = async () => {
    alive = false;
    await worker.terminate();
  };
  return {
    get alive() {
      return alive;
    },
    terminate,
    invoke(requestId, payload, timeoutMs) {
      return new Promise<EnvironmentResult>((resolve) => {
        const timer = setTimeout(() => {
          settle({ kind: "timeout" });
          void terminate();
        }, timeoutMs);
        const settle = (result: EnvironmentResult) => {
          clearTimeout(timer);
          died = null;
          worker.off("message", onMessage);
          resolve(result);
        };
        const onMessage = (message: RuntimeMessage) => {
          if (!("requestId" in message) || message.requestId !== requestId) return;
          settle(
            "error" in message
              ? { kind: "error", error: message.error }
              : { kind: "returned", payload: message.payload },
          );
        };
        died = (reason) => {
          alive = false;
          settle({
            kind: "error",
            error: {
              errorType: "Runtime.ExitError",
              errorMessage: `RequestId: ${requestId} Error: Runtime exited (${reason})`,
            },
          });
        };
        worker.on("message", onMessage);
        worker.postMessage({ requestId, payload, deadline: Date.now() + timeoutMs });
      });
    },
  };
}
