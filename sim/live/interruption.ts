import { RunInterruptedError } from "./errors";

/** Resolves when `signal` aborts; never without one. */
export function whenAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/**
 * Throws RunInterruptedError once `signal` has aborted: called between set-up steps, each of which
 * has registered the undoing of what it made, so an interrupted set-up leaves nothing behind.
 */
export function throwIfInterrupted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new RunInterruptedError(`${what} interrupted (${String(signal.reason)})`);
}
