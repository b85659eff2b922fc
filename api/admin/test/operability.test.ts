import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditRows,
  type Backends,
  type Harness,
  json,
  OPERATOR,
  seedCampaignWithFailures,
  seedUsers,
  startAdmin,
  startBackends,
  VIEWER,
} from "./admin-harness";

/** The server's log lines, parsed, as a JSON logger on stderr would write them. */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: { level: "info", stream } };
}

/** Lists or objects nested `depth` times, built as text (JSON.stringify would recurse as deep). */
const nestedLists = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

let backends: Backends;
let admin: Harness;
const log = captureLog();

beforeAll(async () => {
  backends = await startBackends("operability");
  await seedUsers(backends.db.pool, [{ name: "a" }, { name: "b" }]);
  admin = await startAdmin(backends, { logger: log.logger });
});

afterAll(async () => {
  await admin?.close();
  await backends?.mq.stop();
  await backends?.db.drop();
});

describe("request logs", () => {
  it("logs one JSON line per request with id, route, status and latency; the id is in the reply", async () => {
    // Prepare
    const before = log.lines.length;
    // Act
    const reply = await admin.call("GET", "/campaigns/999999");
    const body = await reply.json();
    // Assess
    const requestId = reply.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toMatchObject({ error: "NOT_FOUND", requestId });
    const line = log.lines.slice(before).find((l) => l.reqId === requestId);
    expect(line).toMatchObject({
      msg: "request",
      method: "GET",
      route: "/campaigns/:id",
      status: 404,
      actor: "olivia",
      error: "NOT_FOUND",
    });
    expect(line?.latencyMs).toEqual(expect.any(Number));
  });

  it("logs a server fault with its stack under the request id it answers with", async () => {
    // Prepare: a table the campaign list reads is gone for a moment.
    await admin.pool.query("RENAME TABLE messaging_log TO messaging_log_away");
    try {
      // Act
      const reply = await json(await admin.call("GET", "/campaigns"));
      // Assess
      expect(reply).toMatchObject({ status: 500, body: { error: "INTERNAL" } });
      const fault = log.lines.find((l) => l.reqId === reply.body.requestId && l.msg === "request failed");
      expect((fault?.err as { stack?: string })?.stack).toMatch(/messaging_log/);
    } finally {
      await admin.pool.query("RENAME TABLE messaging_log_away TO messaging_log");
    }
  });
});

describe("bad input is a 4xx naming the field, never a 500", () => {
  it("refuses a 100,000-deep nested audience with 400 before anything parses it", async () => {
    // Prepare
    const wrap = (audience: string) => `{"name":"n","content":"c","audience":${audience}}`;
    // Act
    const lists = await json(await admin.call("POST", "/campaigns", { body: wrap(nestedLists(100_000)) }));
    const objects = await json(await admin.call("POST", "/campaigns", { body: wrap(nestedObjects(20_000)) }));
    // Assess
    for (const reply of [lists, objects]) {
      expect(reply).toMatchObject({ status: 400, body: { error: "JSON_TOO_DEEP" } });
      expect(reply.body.message).toMatch(/nested deeper than 32/);
    }
  });

  it("still accepts braces inside strings, which are not nesting", async () => {
    // Prepare
    const audience = { kind: "all" };
    const name = "{".repeat(100);
    // Act
    const reply = await admin.call("POST", "/audiences/preview", { body: { audience, sampleSize: 0 } });
    const named = await admin.call("POST", "/audiences/preview", {
      body: `{"audience":{"kind":"all"},"sampleSize":0,"x":"${name}"}`,
    });
    // Assess
    expect(reply.status).toBe(200);
    expect((await json(named)).body.field).toBe("x");
  });

  it.each([
    ["an audience that is a list", { audience: [] }, "audience"],
    ["an audience that is text", { audience: "all" }, "audience"],
    ["an unknown kind", { audience: { kind: "everyone" } }, "audience.kind"],
    [
      "conditions that are not a list",
      { audience: { kind: "filter", conditions: "x" } },
      "audience.conditions",
    ],
    [
      "a value nested in lists",
      { audience: { kind: "filter", conditions: [{ field: "tier", op: "in", value: [[["gold"]]] }] } },
      "audience.conditions.0.value.0",
    ],
    ["a range upside down", { audience: { kind: "range", from: 5, to: 1 } }, "audience.to"],
  ])("names the field for %s", async (_what, body, field) => {
    // Act
    const reply = await json(await admin.call("POST", "/audiences/preview", { body }));
    // Assess
    expect(reply).toMatchObject({ status: 400, body: { field } });
  });

  it("refuses a page beyond the bound instead of answering the wrong page", async () => {
    // Prepare
    const pages = ["9007199254740993", "-1", "1.5", "x", String(1_000_001)];
    // Act
    const replies = await Promise.all(
      pages.map(async (p) => json(await admin.call("GET", `/campaigns?page=${p}`))),
    );
    // Assess
    for (const reply of replies) expect(reply).toMatchObject({ status: 400, body: { field: "page" } });
  });
});

describe("headers and paths", () => {
  it("marks API replies no-store and nosniff, errors included", async () => {
    // Act
    const replies = [
      await admin.call("GET", "/campaigns"),
      await admin.call("GET", "/campaigns", { token: null }),
      await admin.call("GET", "/health", { token: null }),
    ];
    // Assess
    for (const reply of replies) {
      expect(reply.headers.get("cache-control")).toBe("no-store");
      expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("answers 404 (not 401) for unknown paths and serves a favicon without a token", async () => {
    // Act
    const unknown = await json(await admin.call("GET", "/robots.txt", { token: null }));
    const favicon = await admin.call("GET", "/favicon.ico", { token: null });
    // Assess
    expect(unknown).toMatchObject({ status: 404, body: { error: "NOT_FOUND" } });
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toBe("image/svg+xml");
    expect(await favicon.text()).toContain("<svg");
  });
});

describe("audit", () => {
  it("records each 403 with who tried which route", async () => {
    // Prepare
    const before = (await auditRows(admin.pool, "access.denied")).length;
    // Act
    const reply = await admin.call("POST", "/dlq/redrive", { token: VIEWER.token, body: {} });
    // Assess
    expect(reply.status).toBe(403);
    const rows = await auditRows(admin.pool, "access.denied");
    expect(rows.slice(before)).toEqual([
      {
        actor: VIEWER.name,
        role: "viewer",
        action: "access.denied",
        target: "POST /dlq/redrive",
        detail: { needed: "operator" },
        remote_addr: "127.0.0.1",
      },
    ]);
  });

  it("records a CSV export of failures, by a viewer too", async () => {
    // Prepare
    const logId = await seedCampaignWithFailures(admin.pool, [
      { userId: 1, errorCode: "CARRIER_REJECTED" },
      { userId: 2, errorCode: "INVALID_NUMBER" },
    ]);
    // Act
    const csv = await admin.call("GET", `/campaigns/${logId}/failures?format=csv`, { token: VIEWER.token });
    const page = await admin.call("GET", `/campaigns/${logId}/failures`, { token: OPERATOR.token });
    // Assess
    expect(csv.status).toBe(200);
    expect(page.status).toBe(200);
    const rows = (await auditRows(admin.pool, "campaign.export")).filter(
      (r) => r.target === `campaign:${logId}`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ actor: VIEWER.name, detail: { format: "csv", rows: 2 } }),
    ]);
  });
});
