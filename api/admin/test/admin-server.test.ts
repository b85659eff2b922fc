import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlarmStatusSource } from "../alarm-status";
import {
  type Backends,
  eventually,
  type Harness,
  auditRows as harnessAuditRows,
  json,
  OPERATOR,
  queueDepth,
  seedCampaignWithFailures,
  seedUsers,
  startAdmin,
  startBackends,
  type UserSeed,
  VIEWER,
} from "./admin-harness";

const TIERS = ["basic", "silver", "gold", "vip"] as const;
const REGIONS = ["seoul", "busan", "incheon"] as const;

/** 120 users cycling through tiers, regions and opt-ins, so every filter has a known arithmetic answer. */
const USERS: UserSeed[] = Array.from({ length: 120 }, (_, i) => ({
  name: `user ${i + 1}`,
  tier: TIERS[i % 4],
  region: REGIONS[i % 3],
  marketing_opt_in: i % 5 !== 0,
  signup_date: `2024-0${1 + (i % 9)}-15`,
}));

const goldOrVipOptedIn = {
  kind: "filter",
  match: "all",
  conditions: [
    { field: "marketing_opt_in", op: "eq", value: true },
    { field: "tier", op: "in", value: ["gold", "vip"] },
  ],
};
const expectedGoldOrVip = USERS.filter(
  (u) => u.marketing_opt_in && (u.tier === "gold" || u.tier === "vip"),
).length;

let backends: Backends;
let admin: Harness;

beforeAll(async () => {
  backends = await startBackends("admin_server");
  await seedUsers(backends.db.pool, USERS);
  admin = await startAdmin(backends);
});

afterAll(async () => {
  await admin?.close();
  await backends?.mq.stop();
  await backends?.db.drop();
});

const auditRows = (action: string) => harnessAuditRows(admin.pool, action);

async function logCount(): Promise<number> {
  const [rows] = await admin.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM messaging_log");
  return Number(rows[0]?.n);
}

const campaignBody = (overrides: Record<string, unknown> = {}) => ({
  name: "Spring sale",
  content: "Gold and VIP: 20% off until Sunday",
  audience: goldOrVipOptedIn,
  ...overrides,
});

describe("authentication and roles", () => {
  it("answers 401 with a JSON error without a token or with an unknown one", async () => {
    // Prepare
    const calls = [
      admin.call("GET", "/campaigns", { token: null }),
      admin.call("GET", "/campaigns", { token: "nope" }),
    ];
    // Act
    const [none, unknown] = await Promise.all(calls.map(async (c) => json(await c)));
    // Assess
    expect(none).toMatchObject({ status: 401, body: { error: "UNAUTHORIZED" } });
    expect(unknown).toMatchObject({ status: 401, body: { error: "UNAUTHORIZED" } });
  });

  it("lets a viewer read but answers 403 to its changes, which change nothing", async () => {
    // Prepare
    const before = await logCount();
    // Act
    const read = await admin.call("GET", "/campaigns", { token: VIEWER.token });
    const send = await json(
      await admin.call("POST", "/campaigns", { token: VIEWER.token, body: campaignBody() }),
    );
    const purge = await json(
      await admin.call("POST", "/dlq/purge", { token: VIEWER.token, body: { confirm: "messaging-dlq" } }),
    );
    // Assess
    expect(read.status).toBe(200);
    expect(send).toMatchObject({ status: 403, body: { error: "FORBIDDEN" } });
    expect(purge).toMatchObject({ status: 403, body: { error: "FORBIDDEN" } });
    expect(await logCount()).toBe(before);
    expect(await auditRows("dlq.purge")).toEqual([]);
  });

  it("tells a caller who it is, and serves /health without a token", async () => {
    // Prepare
    const token = VIEWER.token;
    // Act
    const me = await json(await admin.call("GET", "/whoami", { token }));
    const health = await json(await admin.call("GET", "/health", { token: null }));
    // Assess
    expect(me.body).toEqual({ name: "victor", role: "viewer" });
    expect(health).toMatchObject({
      status: 200,
      body: { status: "ok", db: { ok: true }, sqs: { ok: true } },
    });
  });
});

describe("audience preview", () => {
  it("counts a filter the way arithmetic over the seeded users does, with masked phones", async () => {
    // Prepare
    const anyOf = {
      kind: "filter",
      match: "any",
      conditions: [
        { field: "region", op: "eq", value: "busan" },
        { field: "tier", op: "eq", value: "vip" },
      ],
    };
    const expectedAny = USERS.filter((u) => u.region === "busan" || u.tier === "vip").length;
    // Act
    const all = await json(
      await admin.call("POST", "/audiences/preview", { body: { audience: goldOrVipOptedIn } }),
    );
    const any = await json(
      await admin.call("POST", "/audiences/preview", {
        token: VIEWER.token,
        body: { audience: anyOf, sampleSize: 3 },
      }),
    );
    // Assess
    expect(all.body.count).toBe(expectedGoldOrVip);
    expect(any.body.count).toBe(expectedAny);
    expect(any.body.sample.map((u: { id: number }) => u.id)).toEqual([2, 4, 5]);
    for (const u of all.body.sample) expect(u.phone).toMatch(/^010-\*{4}-\d{4}$/);
  });

  it("describes the fields a filter may use, labelled for a form", async () => {
    // Prepare
    const path = "/audiences/fields";
    // Act
    const fields = (await json(await admin.call("GET", path, { token: VIEWER.token }))).body;
    // Assess
    expect(fields.find((f: { field: string }) => f.field === "tier")).toEqual({
      field: "tier",
      label: "Tier",
      kind: "enum",
      ops: ["eq", "ne", "in"],
      values: ["basic", "silver", "gold", "vip"],
    });
  });

  it("keeps an SQL-injection attempt a value: it matches nobody or is refused by name", async () => {
    // Prepare
    const attempts = [
      { field: "region", op: "eq", value: "seoul' OR '1'='1" },
      { field: "region", op: "in", value: ["busan", "x') OR 1=1 -- "] },
      { field: "tier`; DROP TABLE users; --", op: "eq", value: "gold" },
      { field: "signup_date", op: "before", value: "2024-01-01') OR 1=1 -- " },
    ];
    // Act
    const replies = [];
    for (const condition of attempts) {
      const audience = { kind: "filter", match: "all", conditions: [condition] };
      replies.push(await json(await admin.call("POST", "/audiences/preview", { body: { audience } })));
    }
    const [users] = await admin.pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM users");
    // Assess
    expect(replies.map((r) => [r.status, r.body.count ?? r.body.field])).toEqual([
      [200, 0],
      [200, USERS.filter((u) => u.region === "busan").length],
      [400, "audience.conditions.0.field"],
      [400, "audience.conditions.0.value"],
    ]);
    expect(Number(users[0]?.n)).toBe(USERS.length);
  });
});

describe("campaigns", () => {
  it("accepts a campaign with 202, enqueues ceil(n/10) messages in the background, and audits it", async () => {
    // Prepare
    const body = campaignBody();
    // Act
    const created = await json(await admin.call("POST", "/campaigns", { body }));
    const detail = await eventually(
      async () => (await json(await admin.call("GET", `/campaigns/${created.body.logId}`))).body,
      (d) => d.status === "QUEUED",
      "campaign reaches QUEUED",
    );
    // Assess
    expect(created).toMatchObject({
      status: 202,
      body: { queuedCount: expectedGoldOrVip, status: "QUEUEING" },
    });
    expect(detail).toMatchObject({
      name: "Spring sale",
      requestedBy: "olivia",
      totalCount: expectedGoldOrVip,
      progress: {
        total: expectedGoldOrVip,
        queued: expectedGoldOrVip,
        notYetQueued: 0,
        awaitingResult: expectedGoldOrVip,
      },
      failureReasons: [],
    });
    expect(await queueDepth(admin.sqs.client, admin.sqs.queueUrl)).toBe(Math.ceil(expectedGoldOrVip / 10));
    expect(await auditRows("campaign.create")).toEqual([
      {
        actor: "olivia",
        role: "operator",
        action: "campaign.create",
        target: `campaign:${created.body.logId}`,
        detail: {
          name: "Spring sale",
          templateId: null,
          audience: goldOrVipOptedIn,
          totalCount: expectedGoldOrVip,
        },
        remote_addr: "127.0.0.1",
      },
    ]);
  });

  it("lists campaigns newest first with who, when, what audience and status", async () => {
    // Prepare
    const seeded = await seedCampaignWithFailures(admin.pool, [{ userId: 1, errorCode: "REJECTED" }]);
    // Act
    const list = await json(await admin.call("GET", "/campaigns?page=1&pageSize=1", { token: VIEWER.token }));
    // Assess
    expect(list.body.total).toBeGreaterThanOrEqual(2);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      id: seeded,
      requestedBy: "olivia",
      status: "PARTIAL",
      audience: { kind: "all" },
    });
  });

  it("refuses an audience that matches nobody with 422 and leaves no campaign", async () => {
    // Prepare
    const before = await logCount();
    const nobody = {
      kind: "filter",
      match: "all",
      conditions: [{ field: "region", op: "eq", value: "jeju" }],
    };
    // Act
    const reply = await json(
      await admin.call("POST", "/campaigns", { body: campaignBody({ audience: nobody }) }),
    );
    // Assess
    expect(reply).toMatchObject({ status: 422, body: { error: "AUDIENCE_EMPTY" } });
    expect(await logCount()).toBe(before);
  });

  it("answers 404 for a campaign that does not exist", async () => {
    // Prepare
    const missing = 999_999;
    // Act
    const detail = await admin.call("GET", `/campaigns/${missing}`);
    const failures = await admin.call("GET", `/campaigns/${missing}/failures`);
    // Assess
    expect([detail.status, failures.status]).toEqual([404, 404]);
  });
});

describe("failures", () => {
  const failures = [
    { userId: 11, errorCode: "INVALID_NUMBER", phone: "01011112222" },
    { userId: 12, errorCode: "REJECTED" },
    { userId: 13, errorCode: "INVALID_NUMBER" },
    { userId: 14, errorCode: '=HYPERLINK("x"),oops' },
  ];
  let logId: number;
  beforeAll(async () => {
    logId = await seedCampaignWithFailures(admin.pool, failures, 6);
  });

  it("groups failure reasons and reports progress from the counters", async () => {
    // Prepare
    const path = `/campaigns/${logId}`;
    // Act
    const detail = (await json(await admin.call("GET", path))).body;
    // Assess
    expect(detail.failureReasons).toEqual([
      { errorCode: "INVALID_NUMBER", count: 2 },
      { errorCode: '=HYPERLINK("x"),oops', count: 1 },
      { errorCode: "REJECTED", count: 1 },
    ]);
    expect(detail.progress).toEqual({
      total: 10,
      notYetQueued: 0,
      queued: 10,
      enqueueFailed: 0,
      sent: 6,
      failed: 4,
      awaitingResult: 0,
    });
  });

  it("pages failed recipients in user order with masked phones", async () => {
    // Prepare
    const base = `/campaigns/${logId}/failures?pageSize=3`;
    // Act
    const first = (await json(await admin.call("GET", `${base}&page=1`))).body;
    const second = (await json(await admin.call("GET", `${base}&page=2`))).body;
    // Assess
    expect(first.total).toBe(4);
    expect(first.items.map((f: { userId: number }) => f.userId)).toEqual([11, 12, 13]);
    expect(second.items.map((f: { userId: number }) => f.userId)).toEqual([14]);
    expect(first.items[0].phone).toBe("010-****-2222");
  });

  it("exports every failure as CSV on ?format=csv or Accept: text/csv", async () => {
    // Prepare
    const path = `/campaigns/${logId}/failures`;
    // Act
    const byQuery = await admin.call("GET", `${path}?format=csv&pageSize=1`);
    const byAccept = await admin.call("GET", path, { headers: { accept: "text/csv" } });
    const text = await byQuery.text();
    // Assess
    expect(byQuery.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(byQuery.headers.get("content-disposition")).toContain(`campaign-${logId}-failures.csv`);
    expect(await byAccept.text()).toBe(text);
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("user_id,phone,error_code,error_detail,attempts,updated_at");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["11", "12", "13", "14"]);
    expect(lines[1]).toBe("11,010-****-2222,INVALID_NUMBER,,1,2026-03-01T09:00:00.000Z");
    expect(lines[4]).toBe(`14,010-****-5678,"'=HYPERLINK(""x""),oops",,1,2026-03-01T09:00:00.000Z`);
  });
});

describe("why recipients wait", () => {
  it("counts failed attempts by code with the carrier's latest message, and the failure's detail", async () => {
    // Prepare: a carrier outage's attempts and one recipient whose request the carrier refused
    const logId = await seedCampaignWithFailures(admin.pool, [{ userId: 21, errorCode: "CARRIER_HTTP_400" }]);
    await admin.pool.query("UPDATE messaging_result SET error_detail = ? WHERE log_id = ?", [
      "carrier rejected the request with HTTP 400: BAD_REQUEST: content too long",
      logId,
    ]);
    const attempt = (chunkId: number, code: string, detail: string, at: string) => [
      logId,
      chunkId,
      `m-${chunkId}`,
      1,
      code,
      detail,
      new Date(at),
    ];
    await admin.pool.query(
      "INSERT INTO delivery_attempt (log_id, chunk_id, message_id, receive_count, code, detail, at) VALUES ?",
      [
        [
          attempt(
            0,
            "CARRIER_HTTP_503",
            "carrier SERVER_ERROR: HTTP 503: INTERNAL_ERROR: x",
            "2026-03-01T09:00:00Z",
          ),
          attempt(
            1,
            "CARRIER_HTTP_503",
            "carrier SERVER_ERROR: HTTP 503: SERVICE_UNAVAILABLE: carrier outage",
            "2026-03-01T09:01:00Z",
          ),
          attempt(2, "CARRIER_TIMEOUT", "carrier TIMEOUT: TimeoutError: aborted", "2026-03-01T09:00:30Z"),
        ],
      ],
    );
    // Act
    const detail = (await json(await admin.call("GET", `/campaigns/${logId}`))).body;
    const failures = (await json(await admin.call("GET", `/campaigns/${logId}/failures`))).body;
    // Assess
    expect(detail.failedAttempts).toEqual({
      total: 3,
      byCode: [
        {
          code: "CARRIER_HTTP_503",
          count: 2,
          lastDetail: "carrier SERVER_ERROR: HTTP 503: SERVICE_UNAVAILABLE: carrier outage",
          lastAt: "2026-03-01T09:01:00.000Z",
        },
        expect.objectContaining({ code: "CARRIER_TIMEOUT", count: 1 }),
      ],
    });
    expect(failures.items[0]).toMatchObject({
      errorCode: "CARRIER_HTTP_400",
      errorDetail: "carrier rejected the request with HTTP 400: BAD_REQUEST: content too long",
    });
  });
});

describe("resuming an interrupted campaign", () => {
  /** A campaign whose producer died after chunks 0-1 (users 1-20); its heartbeat is old. */
  async function interruptedCampaign(heartbeatAgoMs: number, status = "QUEUEING"): Promise<number> {
    const [log] = await admin.pool.execute<import("mysql2").ResultSetHeader>(
      `INSERT INTO messaging_log (name, requested_by, requested_at, audience, content, total_count, queued_count,
         enqueued_chunks, enqueued_through_user, enqueue_heartbeat_at, status, updated_at)
       VALUES ('cut short', 'olivia', NOW(3), '{"kind":"range","from":1,"to":45}', 'hello', 45, 20,
         2, 20, ?, ?, NOW(3))`,
      [new Date(Date.now() - heartbeatAgoMs), status],
    );
    return log.insertId;
  }

  it("shows it interrupted, continues from its checkpoint for an operator, and audits it", async () => {
    // Prepare
    const logId = await interruptedCampaign(60_000);
    const before = (await json(await admin.call("GET", `/campaigns/${logId}`))).body;
    const depthBefore = await queueDepth(admin.sqs.client, admin.sqs.queueUrl);
    // Act
    const viewer = await json(
      await admin.call("POST", `/campaigns/${logId}/resume`, { token: VIEWER.token }),
    );
    const resumed = await json(await admin.call("POST", `/campaigns/${logId}/resume`));
    const after = await eventually(
      async () => (await json(await admin.call("GET", `/campaigns/${logId}`))).body,
      (d) => d.status === "QUEUED",
      "resumed campaign reaches QUEUED",
    );
    // Assess: users 21-45 in chunks 2-4, nobody of chunks 0-1 again
    expect(before).toMatchObject({ status: "QUEUEING", interrupted: true });
    expect(viewer.status).toBe(403);
    expect(resumed).toMatchObject({ status: 202, body: { logId, fromChunk: 2, afterUserId: 20 } });
    expect(after).toMatchObject({ interrupted: false, totalCount: 45, queuedCount: 45 });
    expect(await queueDepth(admin.sqs.client, admin.sqs.queueUrl)).toBe(depthBefore + 3);
    expect(await auditRows("campaign.resume")).toContainEqual(
      expect.objectContaining({ target: `campaign:${logId}`, detail: { fromChunk: 2, afterUserId: 20 } }),
    );
  });

  it("refuses with 409 a campaign whose producer is alive or that has finished, and 404 a missing one", async () => {
    // Prepare
    const [alive, finished] = [await interruptedCampaign(0), await interruptedCampaign(60_000, "QUEUED")];
    // Act
    const answers = await Promise.all(
      [alive, finished, 999_999].map(async (id) => json(await admin.call("POST", `/campaigns/${id}/resume`))),
    );
    // Assess
    expect(answers.map((a) => [a.status, a.body.error])).toEqual([
      [409, "RESUME_REFUSED"],
      [409, "RESUME_REFUSED"],
      [404, "CAMPAIGN_NOT_FOUND"],
    ]);
    expect(answers[0]?.body.message).toContain("still enqueueing");
  });
});

describe("bad input", () => {
  it.each([
    ["a missing field", campaignBody({ content: undefined }), "content"],
    ["a too long field", campaignBody({ content: "x".repeat(2001) }), "content"],
    ["an unknown field", campaignBody({ bogus: 1 }), "bogus"],
    ["a wrong type", campaignBody({ name: { first: "Spring" } }), "name"],
    [
      "a bad operator deep in the audience",
      campaignBody({
        audience: { kind: "filter", match: "all", conditions: [{ field: "tier", op: "like", value: "g" }] },
      }),
      "audience.conditions.0.op",
    ],
  ])("names the field for %s", async (_what, body, field) => {
    // Prepare
    const before = await logCount();
    // Act
    const reply = await json(await admin.call("POST", "/campaigns", { body }));
    // Assess
    expect(reply).toMatchObject({ status: 400, body: { error: "VALIDATION_FAILED", field } });
    expect(reply.body.message).toContain(field);
    expect(await logCount()).toBe(before);
  });

  it("names query parameters too, and answers malformed JSON with 400", async () => {
    // Prepare
    const badJson = "{ not json";
    // Act
    const paging = await json(await admin.call("GET", "/campaigns?pageSize=9999"));
    const broken = await json(await admin.call("POST", "/audiences/preview", { body: badJson }));
    // Assess
    expect(paging).toMatchObject({ status: 400, body: { error: "VALIDATION_FAILED", field: "pageSize" } });
    expect(broken).toMatchObject({ status: 400, body: { error: "INVALID_JSON" } });
  });

  it("refuses a body over the limit with 413 before anything runs", async () => {
    // Prepare
    const huge = campaignBody({ content: "x".repeat(300 * 1024) });
    const before = await logCount();
    // Act
    const reply = await json(await admin.call("POST", "/campaigns", { body: huge }));
    // Assess
    expect(reply).toMatchObject({ status: 413, body: { error: "BODY_TOO_LARGE" } });
    expect(await logCount()).toBe(before);
  });

  it("rate-limits per token, and per address without one", async () => {
    // Prepare
    const limited = await startAdmin(backends, { rateLimit: { max: 3, timeWindowMs: 60_000 } });
    try {
      // Act
      const operator = [];
      for (let i = 0; i < 4; i++) operator.push((await limited.call("GET", "/campaigns")).status);
      const viewer = (await limited.call("GET", "/campaigns", { token: VIEWER.token })).status;
      const anonymous = [];
      for (let i = 0; i < 4; i++)
        anonymous.push(await json(await limited.call("GET", "/campaigns", { token: null })));
      // Assess
      expect(operator).toEqual([200, 200, 200, 429]);
      expect(viewer).toBe(200);
      expect(anonymous.map((r) => r.status)).toEqual([401, 401, 401, 429]);
      expect(anonymous[3]?.body.error).toBe("RATE_LIMITED");
    } finally {
      await limited.close();
    }
  });
});

describe("alarms and the API description", () => {
  it("says alarm states are unknown when no source is connected", async () => {
    // Prepare
    const path = "/alarms";
    // Act
    const reply = (await json(await admin.call("GET", path, { token: VIEWER.token }))).body;
    // Assess
    expect(reply).toMatchObject({ configured: false, state: "UNKNOWN", alarms: [], history: [] });
    expect(reply.note).toMatch(/unknown/);
  });

  it("reports a connected source's states and history, ALARM when any alarm fires", async () => {
    // Prepare
    const source: AlarmStatusSource = {
      current: () => [
        {
          name: "messaging-dlq-alarm",
          state: "ALARM",
          reason: "1 datapoint >= 1",
          stateChangedAt: 1_767_225_660_000,
        },
        { name: "other", state: "OK", reason: "fine", stateChangedAt: 1_767_225_600_000 },
      ],
      history: async () => [
        {
          name: "messaging-dlq-alarm",
          from: "OK",
          to: "ALARM",
          reason: "1 datapoint >= 1",
          at: 1_767_225_660_000,
        },
      ],
    };
    const withAlarms = await startAdmin(backends, { alarms: source });
    try {
      // Act
      const reply = (await json(await withAlarms.call("GET", "/alarms"))).body;
      // Assess
      expect(reply.configured).toBe(true);
      expect(reply.state).toBe("ALARM");
      expect(reply.alarms[0]).toEqual({
        name: "messaging-dlq-alarm",
        state: "ALARM",
        reason: "1 datapoint >= 1",
        stateChangedAt: "2026-01-01T00:01:00.000Z",
      });
      expect(reply.history[0].at).toBe("2026-01-01T00:01:00.000Z");
    } finally {
      await withAlarms.close();
    }
  });

  it("serves the OpenAPI document to token holders only (openapi.test.ts checks its content)", async () => {
    // Prepare
    const path = "/openapi.json";
    // Act
    const anonymous = await admin.call("GET", path, { token: null });
    const doc = (await json(await admin.call("GET", path, { token: OPERATOR.token }))).body;
    // Assess
    expect(anonymous.status).toBe(401);
    expect(doc.openapi).toMatch(/^3\./);
  });
});
