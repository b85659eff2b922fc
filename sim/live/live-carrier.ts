import type { AddressInfo } from "node:net";
import type { CarrierModelConfig } from "../../provider-mock/config";
import type { CarrierStats } from "../../provider-mock/model";
import { createCarrierServer } from "../../provider-mock/server";
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
  /** A mock carrier already running (CARRIER_BASE_URL); otherwise one is started in-process. */
  baseUrl?: string;
  seed: number;
}

/**
 * The mock carrier over HTTP, driven only through its admin API, so a carrier on another port or
 * host behaves the same as the one started here (on a free loopback port). Its traffic of earlier
 * runs is forgotten (POST /__admin/reset) before this run configures it.
 */
export async function startLiveCarrier(options: LiveCarrierOptions): Promise<LiveCarrier> {
  let close = async () => {};
  let baseUrl = options.baseUrl;
  if (baseUrl === undefined) {
    const server = createCarrierServer({ seed: options.seed });
    await server.listen({ port: 0, host: "127.0.0.1" });
    baseUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    close = () => server.close();
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
