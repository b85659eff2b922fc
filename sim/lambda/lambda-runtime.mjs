// One Lambda execution environment: a worker thread that loads the function's index.mjs with
// Node's own loader (plain JavaScript, so no TypeScript or test transform touches the artifact),
// then runs one invocation at a time, as Lambda's Node runtime does. See execution-environment.ts.
import { parentPort, workerData } from "node:worker_threads";

const { indexUrl, functionName, functionVersion, memoryMb, region } = workerData;

/** What the Node runtime makes of a thrown value (aws-lambda-nodejs-runtime-interface-client). */
function errorPayload(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: String(error.stack ?? "").split("\n"),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function contextFor(requestId, deadline) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion,
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `smsim/[${functionVersion}]${requestId.replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function init() {
  const module = await import(indexUrl);
  if (typeof module.handler !== "function") {
    const error = new Error("index.handler is undefined or not exported");
    error.name = "Runtime.HandlerNotFound";
    throw error;
  }
  return module.handler;
}

async function invoke(handler, { requestId, payload, deadline }) {
  try {
    const result = await handler(JSON.parse(payload), contextFor(requestId, deadline));
    // The runtime serialises the result; undefined becomes null.
    return { requestId, payload: JSON.stringify(result) ?? "null" };
  } catch (error) {
    return { requestId, error: errorPayload(error) };
  }
}

try {
  const handler = await init();
  parentPort.on("message", async (request) => parentPort.postMessage(await invoke(handler, request)));
  parentPort.postMessage({ ready: true });
} catch (error) {
  parentPort.postMessage({ initError: errorPayload(error) });
}
