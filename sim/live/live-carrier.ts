import { Worker } from "node:worker_threads";
import type { CarrierModelConfig } from "../../provider-mock/config";
import type { CarrierStats } from "../../provider-mock/model";
import type { SecondCount } from "../../provider-mock/throughput";
import { LiveEngineError } from "./errors";

/** What GET /__admin/stats answers. */
export interface CarrierAdminStats {
  stats: CarrierStats;
  acceptedPerSecond: SecondCount[];
}

export interface LiveCarrier {
  baseUrl: string;
  /** PUT /__admin/config: a partial config on top of the current one. */
  configure(config: CarrierModelConfig): Promise<void>;
  stats(): Promise<CarrierAdminStats>;
  /** Stops the carrier this run started; leaves a given one running. */
  close(): Promise<void>;
}

export interface LiveCarrierOptions {
  /** A mock carrier already running (CARRIER_BASE_URL); otherwise one is started in a worker thread. */
  baseUrl?: string;
  seed: number;
}

/** The mock carrier in a worker thread (carrier-worker.ts), on a free loopback port. */
async function startCarrierWorker(seed: number): Promise<{ baseUrl: string; close(): Promise<void> }> {
  // The worker loads TypeScript as this process does.
  const worker = new Worker(new URL("./carrier-worker.ts", import.meta.url), {
    workerData: { seed },
    execArgv: ["--import", "tsx"],
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    exited.then(() => reject(new LiveEngineError("the mock carrier's worker exited before listening")));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      worker.postMessage("close");
      await exited;
    },
  };
}

/**
 * The mock carrier over HTTP, driven only through its admin API, so a carrier on another port or
 * host behaves the same as the one started here (in a worker thread, on a free loopback port). Its traffic of earlier
 * runs is forgotten (POST /__admin/reset) before this run configures it.
 */
export async function startLiveCarrier(options: LiveCarrierOptions): Promise<LiveCarrier> {
  let close = async () => {};
  let baseUrl = options.baseUrl;
  if (baseUrl === undefined) {
    const carrier = await startCarrierWorker(options.seed);
    baseUrl = carrier.baseUrl;
    close = carrier.close;
  }
  const base = baseUrl.replace(/\/+$/, "");
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });
    } catch (error) {
      // A carrier that is not there is the environment's problem: the CLI names CARRIER_BASE_URL for it.
      const cause = (error as { cause?: { code?: unknown } }).cause;
      if (typeof cause?.code === "string") throw cause;
      throw new LiveEngineError(`carrier admin API ${method} ${base}${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new LiveEngineError(
        `carrier admin API ${method} ${base}${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`,
      );
    }
    return text ? JSON.parse(text) : null;
  };
  try {
    await admin("POST", "/__admin/reset");
  } catch (error) {
    await close();
    throw error;
  }
  return {
    baseUrl: base,
    configure: async (config) => {
      await admin("PUT", "/__admin/config", config);
    },
    stats: async () => (await admin("GET", "/__admin/stats")) as CarrierAdminStats,
    close,
  };
}
