import { vi } from "vitest";
import { main } from "../../main";

export interface SmsimRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `smsim <args>` in process; returns its exit code and what it printed. */
export async function smsim(...args: string[]): Promise<SmsimRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  try {
    const code = await main(["node", "smsim", ...args]);
    return { code, stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}
