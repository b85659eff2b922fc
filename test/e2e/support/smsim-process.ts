import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PipelineStack } from "./pipeline-stack";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface SmsimProcess {
  child: ChildProcess;
  /** Settles when the process has exited, with its code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** SIGKILL unless it has exited already; resolves once it has. */
  kill(): Promise<void>;
}

/** `node bin/smsim.mjs <args>` as a process of its own, pointed at the stack by its environment. */
export function spawnSmsim(stack: PipelineStack, args: readonly string[]): SmsimProcess {
  const child = spawn(process.execPath, [join(REPO, "bin/smsim.mjs"), ...args], {
    cwd: REPO,
    env: {
      ...process.env,
      SQS_ENDPOINT: stack.mq.endpoint,
      QUEUE_URL: stack.mq.queueUrl,
      DLQ_URL: stack.mq.dlqUrl,
      MYSQL_URL: stack.db.url,
      CARRIER_BASE_URL: stack.carrierUrl,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.on("data", (chunk) => out.push(String(chunk)));
  child.stderr?.on("data", (chunk) => err.push(String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  return {
    child,
    exited,
    stdout: () => out.join(""),
    stderr: () => err.join(""),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
