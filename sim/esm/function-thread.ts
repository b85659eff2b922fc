/**
 * One function thread (function-threads.ts): the production handler as an in-process function
 * with its own MySQL pool, carrier client and SQS client, serving the invocations the main thread
 * posts, any number at once. Posts "ready" once built; closes its connections on "close".
 */
import { parentPort, workerData } from "node:worker_threads";
import { unrefClock } from "../../domain/clock";
import { createMysqlPool } from "../../domain/db/mysql";
import { createJsonLogger } from "../../domain/logger";
import { createSqsClient } from "../../domain/sqs-client";
import type { FunctionThreadData, ThreadReply, ThreadRequest } from "./function-threads";
import { createLocalFunction } from "./local-consumer";

const port = parentPort;
if (port === null) throw new Error("function-thread.ts runs as a worker thread");
const data = workerData as FunctionThreadData;
const pool = createMysqlPool(data.mysqlUrl, { connectionLimit: data.storeConnections });
const client = createSqsClient(data.sqs);
const local = createLocalFunction({
  client,
  queueUrl: data.queueUrl,
  pipeline: data.pipeline,
  pool,
  carrier: data.carrier,
  clock: unrefClock,
  logger: createJsonLogger({ level: data.logLevel, write: (line) => process.stderr.write(`${line}\n`) }),
});

port.on("message", async (request: ThreadRequest) => {
  if (request === "close") {
    await local.close();
    await pool.end();
    client.destroy();
    port.close();
    return;
  }
  const outcome = await local.fn.invoke(request.event, request.timeoutMs);
  // An error crosses as its name, message and stack: its class and fields do not survive cloning.
  const reply: ThreadReply =
    outcome.kind === "error"
      ? { id: request.id, outcome: { kind: "error", error: plainError(outcome.error) } }
      : { id: request.id, outcome };
  port.postMessage(reply);
});
port.postMessage("ready");

function plainError(error: unknown) {
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: "Error", message: String(error) };
}
