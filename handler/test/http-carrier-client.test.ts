import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ValidationError } from "../../domain/errors";
import { BULK_SEND_PATH, type BulkSendRequest } from "../carrier/carrier-api";
import { createHttpCarrierClient, type HttpCarrierClient } from "../carrier/http-carrier-client";
import {
  CarrierMisconfiguredError,
  CarrierRateLimitedError,
  CarrierRejectedRequestError,
  CarrierTransientError,
} from "../errors";
import { manualClock } from "./fakes";

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Respond = (res: ServerResponse, received: Received) => void;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A real carrier stand-in on a loopback port: answers each request with `respond`. */
async function carrierServer(respond: Respond) {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const entry = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      received.push(entry);
      respond(res, entry);
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get connections() {
      return connections;
    },
  };
}

function client(
  baseUrl: string,
  options: { apiKey?: string; timeoutMs?: number; connections?: number } = {},
): HttpCarrierClient {
  const created = createHttpCarrierClient({ baseUrl, timeoutMs: 2_000, clock: manualClock(), ...options });
  closers.push(() => created.close());
  return created;
}

function request(): BulkSendRequest {
  return { content: "hello", recipients: [{ to: "01011110001", ref: "1:1" }] };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Respond =>
  (res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

const accepted = {
  requestId: "req-1",
  results: [{ ref: "1:1", to: "01011110001", status: "ACCEPTED", carrierMessageId: "cm-1" }],
};

describe("createHttpCarrierClient", () => {
  it("posts the request as JSON with the idempotency key and bearer token, and reads the results", async () => {
    // Prepare
    const server = await carrierServer(json(200, accepted));
    const carrier = client(`${server.url}/sms/`, { apiKey: "secret" });
    // Act
    const response = await carrier.sendBulk(request(), "log-1-chunk-0");
    // Assess
    expect(response).toEqual(accepted);
    const [received] = server.received;
    expect(received).toMatchObject({ method: "POST", url: `/sms${BULK_SEND_PATH}` });
    expect(received?.headers).toMatchObject({
      "idempotency-key": "log-1-chunk-0",
      authorization: "Bearer secret",
      "content-type": "application/json",
    });
    expect(JSON.parse(received?.body ?? "")).toEqual(request());
  });

  it("sends no Authorization header without an API key, and keeps its connection alive", async () => {
    // Prepare
    const server = await carrierServer(json(200, accepted));
    const carrier = client(server.url, { apiKey: "", connections: 1 });
    // Act
    await carrier.sendBulk(request(), "k1");
    await carrier.sendBulk(request(), "k2");
    // Assess
    expect(server.received.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
    expect(server.connections).toBe(1);
  });

  it.each([
    ["delay seconds", { "retry-after": "7" }, 7],
    ["an HTTP date", { "retry-after": new Date(1_700_000_000_000 + 12_500).toUTCString() }, 12],
    ["no header", {}, 1],
    ["an unreadable header", { "retry-after": "soon" }, 1],
  ])("maps 429 with %s to a rate limit error", async (_, headers, seconds) => {
    // Prepare
    const server = await carrierServer(json(429, { error: "TOO_MANY_REQUESTS" }, headers));
    const carrier = client(server.url);
    // Act
    const result = carrier.sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toBeInstanceOf(CarrierRateLimitedError);
    await expect(result).rejects.toMatchObject({ retryAfterSeconds: seconds });
  });

  it.each([
    [500, "SERVER_ERROR"],
    [503, "SERVER_ERROR"],
    [408, "SERVER_ERROR"],
    [409, "CONFLICT"],
  ])("maps HTTP %i to a transient error", async (status, reason) => {
    // Prepare
    const server = await carrierServer(json(status, { error: "busy" }));
    // Act
    const result = client(server.url).sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toBeInstanceOf(CarrierTransientError);
    await expect(result).rejects.toMatchObject({ reason, status });
  });

  it.each([400, 413, 422])("maps HTTP %i to a refused request, with a per-recipient code", async (status) => {
    // Prepare
    const server = await carrierServer(json(status, { error: "bad request" }));
    // Act
    const result = client(server.url).sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toBeInstanceOf(CarrierRejectedRequestError);
    await expect(result).rejects.toMatchObject({ status, resultCode: `CARRIER_HTTP_${status}` });
  });

  it.each([401, 403, 404])("maps HTTP %i to a configuration error", async (status) => {
    // Prepare
    const server = await carrierServer(json(status, { error: "no" }));
    // Act
    const result = client(server.url).sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toBeInstanceOf(CarrierMisconfiguredError);
  });

  it.each([
    ["not JSON", "<html>ok</html>"],
    ["the wrong shape", JSON.stringify({ requestId: "r", results: [{ ref: "1:1" }] })],
  ])("treats a 200 whose body is %s as transient", async (_, body) => {
    // Prepare
    const server = await carrierServer((res) => res.writeHead(200).end(body));
    // Act
    const result = client(server.url).sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toMatchObject({
      code: "CARRIER_TRANSIENT",
      reason: "BAD_RESPONSE",
      status: 200,
    });
  });

  it("times out a carrier that never answers", async () => {
    // Prepare
    const server = await carrierServer(() => undefined);
    // Act
    const result = client(server.url, { timeoutMs: 200 }).sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toMatchObject({ code: "CARRIER_TRANSIENT", reason: "TIMEOUT" });
  });

  it("times out a carrier that stops sending the body", async () => {
    // Prepare
    const server = await carrierServer((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"requestId":');
    });
    // Act
    const result = client(server.url, { timeoutMs: 200 }).sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toMatchObject({ code: "CARRIER_TRANSIENT", reason: "TIMEOUT" });
  });

  it("maps a connection reset mid-request to a transient connection error", async () => {
    // Prepare
    const server = await carrierServer((res) => res.socket?.destroy());
    // Act
    const result = client(server.url).sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toMatchObject({ code: "CARRIER_TRANSIENT", reason: "CONNECTION" });
  });

  it("maps a refused connection to a transient connection error", async () => {
    // Prepare: a port that was just freed has no listener.
    const server = await carrierServer(json(200, accepted));
    const url = server.url;
    await closers.pop()?.();
    // Act
    const result = client(url).sendBulk(request(), "k");
    // Assess
    await expect(result).rejects.toMatchObject({ code: "CARRIER_TRANSIENT", reason: "CONNECTION" });
  });

  it("refuses a base URL that is not http(s), naming the option", () => {
    // Prepare
    const options = { baseUrl: "ftp://carrier.example", timeoutMs: 1_000 };
    // Act
    const create = () => createHttpCarrierClient(options);
    // Assess
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(/carrier\.baseUrl/);
  });
});
