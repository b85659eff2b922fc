import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { extractZip } from "../../infra/build/zip-reader";
import { LambdaHostError, LambdaInitError } from "./errors";
import {
  type EnvironmentResult,
  type ExecutionEnvironment,
  startExecutionEnvironment,
} from "./execution-environment";
import { LATEST } from "./invoke-api";

export interface FunctionHostOptions {
  /** The deployable artifact: a zip with index.mjs exporting `handler` (Handler: index.handler). */
  zipPath: string;
  /** The function's environment variables; unset (undefined) ones are left out. */
  env: Readonly<Record<string, string | undefined>>;
  functionName: string;
  timeoutMs: number;
  memoryMb: number;
  /** ReservedConcurrentExecutions; null = no limit of its own. */
  reservedConcurrency: number | null;
}

export type HostResult = EnvironmentResult | { kind: "throttled" };

export interface FunctionHost {
  /** Runs one invocation of the function on `payload` (JSON text). */
  invoke(requestId: string, payload: string): Promise<HostResult>;
  /** Ends every execution environment and removes the unpacked artifact. */
  close(): Promise<void>;
}

/**
 * Lambda's side of one function: the artifact unpacked to a task root, and execution
 * environments started on demand, each serving one invocation at a time and kept warm for the
 * next. Invocations beyond the reserved concurrency are throttled; a timed-out environment is
 * discarded, so the next invocation there is a cold start. One environment is started before
 * this resolves, so a broken artifact or a bad setting fails here, naming the cause.
 */
export async function startFunctionHost(options: FunctionHostOptions): Promise<FunctionHost> {
  const { functionName, timeoutMs, memoryMb, reservedConcurrency } = options;
  const taskRoot = await mkdtemp(join(tmpdir(), "smsim-lambda-task-"));
  const environments = new Set<ExecutionEnvironment>();
  const idle: ExecutionEnvironment[] = [];
  let inFlight = 0;
  let closed = false;

  const close = async () => {
    closed = true;
    await Promise.all([...environments].map((e) => e.terminate()));
    environments.clear();
    await rm(taskRoot, { recursive: true, force: true });
  };

  const env: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(options.env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    // Lambda sets these in every function's environment.
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: LATEST,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    LAMBDA_TASK_ROOT: taskRoot,
  };
  const coldStart = async () => {
    const environment = await startExecutionEnvironment({
      indexUrl: pathToFileURL(join(taskRoot, "index.mjs")).href,
      env,
      functionName,
      functionVersion: LATEST,
      memoryMb,
      region: env.AWS_REGION ?? "us-east-1",
    });
    if (closed) {
      await environment.terminate();
      throw new LambdaHostError(`${functionName}: the host closed during a cold start`);
    }
    environments.add(environment);
    return environment;
  };

  try {
    await unpack(options.zipPath, taskRoot);
    idle.push(await coldStart());
  } catch (error) {
    await close();
    if (error instanceof LambdaInitError) {
      throw new LambdaHostError(`${options.zipPath}: ${error.message}`, { cause: error });
    }
    throw error;
  }

  return {
    close,
    async invoke(requestId, payload) {
      if (reservedConcurrency !== null && inFlight >= reservedConcurrency) return { kind: "throttled" };
      inFlight++;
      try {
        let environment = idle.pop();
        // An environment can die while idle (an unhandled rejection in the background).
        while (environment !== undefined && !environment.alive) {
          environments.delete(environment);
          environment = idle.pop();
        }
        if (environment === undefined) {
          try {
            environment = await coldStart();
          } catch (error) {
            // A failed init fails the invocation, as in Lambda.
            if (error instanceof LambdaInitError) return { kind: "error", error: error.payload };
            throw error;
          }
        }
        const result = await environment.invoke(requestId, payload, timeoutMs);
        if (environment.alive && !closed) idle.push(environment);
        else environments.delete(environment);
        return result;
      } finally {
        inFlight--;
      }
    },
  };
}

async function unpack(zipPath: string, taskRoot: string): Promise<void> {
  let files: string[];
  try {
    files = await extractZip(await readFile(zipPath), taskRoot);
  } catch (error) {
    throw new LambdaHostError(`${zipPath}: ${(error as Error).message}`, { cause: error });
  }
  if (!files.includes("index.mjs")) {
    throw new LambdaHostError(`${zipPath}: no index.mjs at the root (files: ${files.join(", ") || "none"})`);
  }
}
