/**
 * The live engine's own mock carrier, in a worker thread: its HTTP server answers the handler's
 * calls off the engine's event loop. Posts its port once listening; closes on "close".
 */
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { createCarrierServer } from "../../provider-mock/server";

const port = parentPort;
if (port === null) throw new Error("carrier-worker.ts runs as a worker thread");
const server = createCarrierServer({ seed: (workerData as { seed: number }).seed });
await server.listen({ port: 0, host: "127.0.0.1" });
port.postMessage((server.server.address() as AddressInfo).port);
port.once("message", async () => {
  await server.close();
  port.close();
});
