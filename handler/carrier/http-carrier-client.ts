import { Pool } from "undici";
import { z } from "zod";
import { type Clock, systemClock } from "../../domain/clock";
import { parseWith } from "../../domain/validation";
import { CarrierTransientError } from "../errors";
import type { CarrierPort } from "../ports";
import {
  BULK_SEND_PATH,
  type BulkSendRequest,
  type BulkSendResponse,
  bulkSendResponseSchema,
  IDEMPOTENCY_HEADER,
} from "./carrier-api";
import { carrierErrorDetail, carrierErrorForStatus } from "./carrier-status";

const optionsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string().optional(),
  timeoutMs: z.number().int().positive(),
  /** Sockets kept open to the carrier; a container has at most recordParallelism calls in flight. */
  connections: z.number().int().positive().default(10),
});
export type HttpCarrierClientOptions = z.input<typeof optionsSchema> & {
  /** Reads HTTP-date Retry-After headers against this clock. */
  clock?: Clock;
};

export interface HttpCarrierClient extends CarrierPort {
  close(): Promise<void>;
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);
const DETAIL_LENGTH = 200;

/**
 * The carrier's bulk API over HTTP, on a keep-alive pool (a warm Lambda container reuses its
 * sockets). Maps every answer onto the error classes the handler branches on.
 */
export function createHttpCarrierClient(options: HttpCarrierClientOptions): HttpCarrierClient {
  const { baseUrl, apiKey, timeoutMs, connections } = parseWith(optionsSchema, options, "carrier");
  const clock = options.clock ?? systemClock;
  const url = new URL(baseUrl);
  const path = `${url.pathname.replace(/\/+$/, "")}${BULK_SEND_PATH}`;
  const pool = new Pool(url.origin, {
    connections,
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;

  async function post(request: BulkSendRequest, key: string) {
    // headersTimeout and bodyTimeout bound each wait; this bounds the whole exchange. Unlike
    // AbortSignal.timeout, the timer is cleared when the exchange ends: at a thousand calls a second,
    // timers left to fire each build a DOMException for a request long answered.
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
      timeoutMs,
    );
    try {
      const response = await pool.request({
        path,
        method: "POST",
        headers: { ...headers, [IDEMPOTENCY_HEADER]: key },
        body: JSON.stringify(request),
        signal: abort.signal,
      });
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    } catch (error) {
      throw transportError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async sendBulk(request: BulkSendRequest, key: string): Promise<BulkSendResponse> {
      const { status, headers: responseHeaders, text } = await post(request, key);
      if (status >= 200 && status < 300) return readResponse(status, text);
      const detail = carrierErrorDetail(text, DETAIL_LENGTH);
      throw carrierErrorForStatus(status, detail, responseHeaders["retry-after"], clock.now());
    },
    close: () => pool.close(),
  };
}

/**
 * A 2xx we cannot read may still mean the carrier sent the messages, so it is transient rather than
 * permanent: the retry carries the same Idempotency-Key and the carrier replays its answer.
 */
function readResponse(status: number, text: string): BulkSendResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CarrierTransientError("BAD_RESPONSE", `HTTP ${status} body is not JSON`, status, {
      cause: error,
    });
  }
  try {
    return parseWith(bulkSendResponseSchema, json, "response");
  } catch (error) {
    throw new CarrierTransientError("BAD_RESPONSE", (error as Error).message, status, { cause: error });
  }
}

function transportError(error: unknown): CarrierTransientError {
  const { code, name, message } = error as { code?: unknown; name?: string; message?: string };
  // undici's errors carry string codes; the DOMException of an aborted signal a numeric one.
  const label = typeof code === "string" ? code : (name ?? "error");
  const timedOut = name === "TimeoutError" || TIMEOUT_CODES.has(label);
  const text = `${label}: ${message ?? String(error)}`;
  return new CarrierTransientError(timedOut ? "TIMEOUT" : "CONNECTION", text, null, { cause: error });
}
