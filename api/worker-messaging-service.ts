import { Worker } from "node:worker_threads";
import type { MessagingService } from "./messaging-service";
import {
  type CallMessage,
  type MessagingWorkerData,
  type ReplyMessage,
  reviveError,
} from "./messaging-worker-protocol";

export interface WorkerMessagingService extends MessagingService {
  /** Waits for nothing: close after the campaigns in flight are done (the admin server's close does). */
  close(): Promise<void>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** Settles a pending value's `done`. */
  done?: { resolve(value: unknown): void; reject(error: Error): void };
}

/**
 * The MessagingService in a worker thread of its own, so enqueueing a large campaign (streaming
 * users from MySQL, building bodies, SendMessageBatch calls and their answers) never holds the API's
 * event loop. Same API, same behaviour: the worker runs createMessagingService with its own pool
 * and SQS client; methods are called by message and their values (a StartedCampaign's `done`
 * included) and typed errors come back.
 */
export function createWorkerMessagingService(data: MessagingWorkerData): WorkerMessagingService {
  // The worker loads TypeScript as this process does.
  const worker = new Worker(new URL("./messaging-worker.ts", import.meta.url), {
    workerData: data,
    execArgv: ["--import", "tsx"],
  });
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let gone: Error | null = null;

  worker.on("message", (message: ReplyMessage) => {
    const call = pending.get(message.id);
    if (call === undefined) return;
    switch (message.kind) {
      case "value": {
        if (!message.pending) {
          pending.delete(message.id);
          return call.resolve(message.value);
        }
        const done = new Promise((resolve, reject) => {
          call.done = { resolve, reject };
        });
        // A caller that never awaits `done` must not see an unhandled rejection for it.
        done.catch(() => {});
        return call.resolve({ ...(message.value as object), done });
      }
      case "threw":
        pending.delete(message.id);
        return call.reject(reviveError(message.error));
      case "done":
        pending.delete(message.id);
        return call.done?.resolve(message.value);
      case "failed":
        pending.delete(message.id);
        return call.done?.reject(reviveError(message.error));
    }
  });
  const failAll = (error: Error) => {
    gone = error;
    for (const call of pending.values()) (call.done ?? call).reject(error);
    pending.clear();
  };
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`the messaging worker exited (code ${code})`)));

  const call = (method: string, args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      if (gone !== null) return reject(gone);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ kind: "call", id, method, args } satisfies CallMessage);
    });

  const closed = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const close = async () => {
    if (gone === null) worker.postMessage({ kind: "close" });
    await closed;
  };
  // Every MessagingService method, present and future, is forwarded by name.
  return new Proxy({} as WorkerMessagingService, {
    get: (_target, method) => {
      if (method === "close") return close;
      // Not a thenable, whatever awaits it.
      if (method === "then" || typeof method === "symbol") return undefined;
      return (...args: unknown[]) => call(method, args);
    },
  });
}
