import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface LambdaServeProcess {
  url: string;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  /** Settles with the exit code. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

/** `smsim lambda serve --port 0 <args>` in a process of its own; resolves once it is listening. */
export async function startLambdaServe(
  args: string[],
  env: Record<string, string>,
): Promise<LambdaServeProcess> {
  const child = spawn(
    process.execPath,
    [join(REPO, "bin/smsim.mjs"), "lambda", "serve", "--port", "0", ...args],
    {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    stdout += String(chunk);
  });
  try {
    const url = await vi.waitFor(
      () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (!match?.[1]) throw new Error(`not listening yet: ${stdout}`);
        return match[1];
      },
      { timeout: 30_000, interval: 100 },
    );
    return { url, stdout: () => stdout, exited, kill: (signal) => child.kill(signal) };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}
