/**
 * The worker side of createWorkerMessagingService: a MessagingService of its own (its own MySQL
 * pool and SQS client) whose methods the API's thread calls by message.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createMysqlPool } from "../domain/db/mysql";
import { createJsonLogger } from "../domain/logger";
import { createSqsClient } from "../domain/sqs-client";
import { createMessagingService } from "./messaging-service";
import type { CallMessage, MessagingWorkerData, ReplyMessage } from "./messaging-worker-protocol";
import { serializeError } from "./messaging-worker-protocol";
import { createSqsMessageQueue } from "./sqs-message-queue";

const data = workerData as MessagingWorkerData;
const port = parentPort;
if (port === null) throw new Error("messaging-worker.ts runs as a worker thread");
const pool = createMysqlPool(data.env.mysqlUrl);
const client = createSqsClient(data.env);
const service = createMessagingService({
  pool,
  queue: createSqsMessageQueue(client, data.queueUrl),
  concurrency: data.concurrency,
  logger: createJsonLogger({ level: data.logLevel ?? "info" }),
});
const methods = service as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
const reply = (message: ReplyMessage) => port.postMessage(message);

port.on("message", async (message: CallMessage | { kind: "close" }) => {
  if (message.kind === "close") {
    await pool.end();
    client.destroy();
    port.close();
    return;
  }
  const { id, method, args } = message;
  try {
    const fn = methods[method];
    if (typeof fn !== "function") throw new TypeError(`MessagingService has no method ${method}`);
    const value = await fn(...args);
    const done = (value as { done?: unknown } | null)?.done;
    if (!(done instanceof Promise)) return reply({ kind: "value", id, value, pending: false });
    reply({ kind: "value", id, value: { ...(value as object), done: undefined }, pending: true });
    done.then(
      (result) => reply({ kind: "done", id, value: result }),
      (error) => reply({ kind: "failed", id, error: serializeError(error) }),
    );
  } catch (error) {
    reply({ kind: "threw", id, error: serializeError(error) });
  }
});
