import type { SmsimEnv } from "../domain/env";
import { SmsimError, ValidationError } from "../domain/errors";

/** What the worker needs to build its own MessagingService: its own pool and SQS client. */
export interface MessagingWorkerData {
  env: Pick<SmsimEnv, "mysqlUrl" | "sqsEndpoint" | "awsRegion">;
  queueUrl: string;
  /** SendMessageBatch calls in flight (MessagingServiceOptions.concurrency). */
  concurrency?: number;
  /** The worker's JSON log lines, at this level and above ("silent": none). */
  logLevel?: "silent" | "error" | "warn" | "info";
}

/** main -> worker: call a MessagingService method. */
export interface CallMessage {
  kind: "call";
  id: number;
  method: string;
  args: unknown[];
}

/**
 * worker -> main: the method's value ("pending" when it carries a `done` promise, answered later
 * by "done" or "failed"), or the error it threw.
 */
export type ReplyMessage =
  | { kind: "value"; id: number; value: unknown; pending: boolean }
  | { kind: "threw"; id: number; error: SerializedError }
  | { kind: "done"; id: number; value: unknown }
  | { kind: "failed"; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** A typed error's own fields: code, field, value, logId... */
  fields: Record<string, unknown>;
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== "cause" && isCloneable(value)) fields[key] = value;
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/**
 * The error again on this side of the thread, of the class callers branch on: a ValidationError
 * stays one (a 400 naming its field), any other typed error an SmsimError with its code.
 */
export function reviveError(serialized: SerializedError): Error {
  const prototype =
    serialized.name === "ValidationError"
      ? ValidationError.prototype
      : typeof serialized.fields.code === "string"
        ? SmsimError.prototype
        : Error.prototype;
  const error = Object.create(prototype) as Error;
  Object.assign(error, serialized.fields);
  Object.defineProperties(error, {
    name: { value: serialized.name, writable: true, configurable: true },
    message: { value: serialized.message, writable: true, configurable: true },
    stack: { value: serialized.stack, writable: true, configurable: true },
  });
  return error;
}

function isCloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
