import type { FastifyInstance } from "fastify";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import {
  BULK_SEND_PATH,
  bulkSendResponseSchema,
  IDEMPOTENCY_HEADER,
  idempotencyKey,
} from "../../handler/carrier/carrier-api";
import type { CarrierModelConfig } from "../config";
import { createCarrierServer } from "../server";
import { bulkBody, range } from "./fixtures";

const servers: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A carrier on a free loopback port, answering without delay unless the config says otherwise. */
async function startCarrier(model: CarrierModelConfig = {}): Promise<string> {
  const server = createCarrierServer({ model: { latencyMs: { dist: "fixed", value: 0 }, ...model } });
  servers.push(server);
  return server.listen({ port: 0, host: "127.0.0.1" });
}

async function call(url: string, method: "GET" | "POST" | "PUT", path: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
  if (key !== undefined) headers[IDEMPOTENCY_HEADER] = key;
  const response = await request(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    json: text ? JSON.parse(text) : undefined,
  };
}

async function stats(url: string) {
  return (await call(url, "GET", "/__admin/stats")).json.stats;
}

describe("carrier server", () => {
  it("answers a bulk send with per-recipient results in the carrier-api shape", async () => {
    // Prepare
    const url = await startCarrier();

    // Act
    const response = await call(url, "POST", BULK_SEND_PATH, bulkBody(range(1, 10)), idempotencyKey(1, 0));

    // Assess
    expect(response.status).toBe(200);
    const body = bulkSendResponseSchema.parse(response.json);
    expect(body.results.map((r) => r.status)).toEqual(Array(10).fill("ACCEPTED"));
    expect(await stats(url)).toMatchObject({ requests: 1, accepted: 1, recipientsAccepted: 10 });
  });

  it("answers 400 naming the field for a bad body, and for a body that is not JSON", async () => {
    // Prepare
    const url = await startCarrier();

    // Act
    const badField = await call(url, "POST", BULK_SEND_PATH, { content: "x", recipients: [{ to: "010" }] });
    const notJson = await request(`${url}${BULK_SEND_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });

    // Assess
    expect(badField.status).toBe(400);
    expect(badField.json).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^body\.recipients\.0\.ref: /),
    });
    expect(notJson.statusCode).toBe(400);
    expect(await notJson.body.json()).toMatchObject({ message: expect.stringMatching(/^body: /) });
    expect(await stats(url)).toMatchObject({ badRequests: 2 });
  });

  it("answers 429 with a Retry-After header over the rate limit", async () => {
    // Prepare: one request every 2 s
    const url = await startCarrier({ rateLimit: { requestsPerSecond: 0.5 } });
    await call(url, "POST", BULK_SEND_PATH, bulkBody([1]));

    // Act
    const limited = await call(url, "POST", BULK_SEND_PATH, bulkBody([2]));

    // Assess
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("2");
    expect(limited.json).toMatchObject({ code: "RATE_LIMITED" });
  });

  it("applies a config change while running and refuses a bad one naming the field", async () => {
    // Prepare
    const url = await startCarrier();
    const before = await call(url, "POST", BULK_SEND_PATH, bulkBody([1]));

    // Act
    const change = await call(url, "PUT", "/__admin/config", {
      outages: [{ startInMs: 0, durationMs: 60_000 }],
    });
    const during = await call(url, "POST", BULK_SEND_PATH, bulkBody([1]));
    const bad = await call(url, "PUT", "/__admin/config", { transientFailureRate: 1.5 });

    // Assess
    expect(before.status).toBe(200);
    expect(change.status).toBe(200);
    expect(change.json.config.outages).toEqual([{ startMs: expect.any(Number), durationMs: 60_000 }]);
    expect(during.status).toBe(503);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/^config\.transientFailureRate: /);
  });

  it("forgets all traffic on reset and lists recent requests newest first", async () => {
    // Prepare
    const url = await startCarrier();
    await call(url, "POST", BULK_SEND_PATH, bulkBody([1]), "first");
    await call(url, "POST", BULK_SEND_PATH, bulkBody([2]), "second");

    // Act
    const recent = await call(url, "GET", "/__admin/requests?limit=1");
    const reset = await call(url, "POST", "/__admin/reset");

    // Assess
    expect(recent.json.requests).toEqual([
      expect.objectContaining({ idempotencyKey: "second", status: 200 }),
    ]);
    expect(reset.status).toBe(204);
    expect(await stats(url)).toMatchObject({ requests: 0, recipientsAccepted: 0 });
    expect((await call(url, "GET", "/__admin/requests")).json.requests).toEqual([]);
  });

  it("drops the connection on a connection reset, which the client sees as an error", async () => {
    // Prepare
    const url = await startCarrier({ connectionResetRate: 1 });

    // Act
    const sending = call(url, "POST", BULK_SEND_PATH, bulkBody([1]));

    // Assess
    await expect(sending).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/) });
    expect(await stats(url)).toMatchObject({ resets: 1, recipientsAccepted: 0 });
  });

  it("never answers a timed-out request, closing the connection after the hang", async () => {
    // Prepare
    const url = await startCarrier({ timeoutRate: 1, timeoutHangMs: 50 });

    // Act
    const sending = call(url, "POST", BULK_SEND_PATH, bulkBody([1]));

    // Assess
    await expect(sending).rejects.toMatchObject({ code: "UND_ERR_SOCKET" });
    expect(await stats(url)).toMatchObject({ timeouts: 1, accepted: 0 });
  });

  it("closes promptly with requests still hanging, failing them on the client", async () => {
    // Prepare: requests hang for the default 30 s
    const url = await startCarrier({ timeoutRate: 1 });
    const sending = call(url, "POST", BULK_SEND_PATH, bulkBody([1]));
    while ((await stats(url)).timeouts === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    // Act
    await Promise.all(servers.splice(0).map((server) => server.close()));

    // Assess
    await expect(sending).rejects.toMatchObject({ code: "UND_ERR_SOCKET" });
  });

  it("reports health", async () => {
    // Prepare
    const url = await startCarrier();

    // Act
    const health = await call(url, "GET", "/health");

    // Assess
    expect(health).toMatchObject({ status: 200, json: { status: "ok" } });
  });
});
