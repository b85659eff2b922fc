import { PurgeQueueCommand } from "@aws-sdk/client-sqs";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Backends,
  eventually,
  type Harness,
  json,
  queueDepth,
  sendBodies,
  startAdmin,
  startBackends,
  VIEWER,
} from "./admin-harness";

let backends: Backends;
let admin: Harness;

beforeAll(async () => {
  backends = await startBackends("admin_dlq");
  admin = await startAdmin(backends);
});

afterAll(async () => {
  await admin?.close();
  await backends?.mq.stop();
  await backends?.db.drop();
});

beforeEach(async () => {
  // Each test starts with both queues empty and no redrive running.
  await eventually(
    async () =>
      (await admin.call("GET", "/dlq/redrive").then((r) => r.json())) as { tasks: { status: string }[] },
    (r) => r.tasks.every((t) => t.status !== "RUNNING"),
    "previous redrive ends",
  );
  for (const url of [admin.sqs.queueUrl, admin.sqs.dlqUrl]) {
    await admin.sqs.client.send(new PurgeQueueCommand({ QueueUrl: url }));
  }
});

async function audits(action: string) {
  const [rows] = await admin.pool.query<RowDataPacket[]>(
    "SELECT actor, role, target, detail FROM audit_log WHERE action = ? ORDER BY id",
    [action],
  );
  return rows.map((r) => ({ ...r, detail: typeof r.detail === "string" ? JSON.parse(r.detail) : r.detail }));
}

describe("GET /dlq", () => {
  it("shows depth and parsed messages without consuming them", async () => {
    // Prepare
    await sendBodies(admin.sqs.client, admin.sqs.dlqUrl, [
      { logId: 7, chunkId: 0, userIds: [1, 2, 3] },
      { logId: 7, chunkId: 4, userIds: [41] },
      { logId: 8, chunkId: 1, userIds: [9] },
      "not json at all",
    ]);
    // Act
    const first = (await json(await admin.call("GET", "/dlq?limit=10", { token: VIEWER.token }))).body;
    const second = (await json(await admin.call("GET", "/dlq?limit=10&logId=7", { token: VIEWER.token })))
      .body;
    // Assess
    expect(first.queue).toBe("messaging-dlq");
    expect(first.depth.visible).toBe(4);
    expect(first.messages).toHaveLength(4);
    const chunks = first.messages
      .filter((m: { logId: number | null }) => m.logId !== null)
      .map((m: { logId: number; chunkId: number; userIds: number[] }) => [m.logId, m.chunkId, m.userIds])
      .sort();
    expect(chunks).toEqual([
      [7, 0, [1, 2, 3]],
      [7, 4, [41]],
      [8, 1, [9]],
    ]);
    const unreadable = first.messages.find((m: { logId: number | null }) => m.logId === null);
    expect(unreadable).toMatchObject({
      body: "not json at all",
      userIds: [],
      parseError: expect.stringContaining("JSON"),
    });
    expect(second.messages.map((m: { chunkId: number }) => m.chunkId).sort()).toEqual([0, 4]);
    expect(await queueDepth(admin.sqs.client, admin.sqs.dlqUrl)).toBe(4);
    expect(first.note).toMatch(/ApproximateReceiveCount/);
  });
});

describe("POST /dlq/redrive", () => {
  it("moves every DLQ message back to the source queue, one task at a time, and audits it", async () => {
    // Prepare
    await sendBodies(admin.sqs.client, admin.sqs.dlqUrl, [{ chunkId: 0 }, { chunkId: 1 }, { chunkId: 2 }]);
    const auditsBefore = (await audits("dlq.redrive")).length;
    // Act
    const started = await json(await admin.call("POST", "/dlq/redrive", { body: { maxPerSecond: 1 } }));
    const again = await json(await admin.call("POST", "/dlq/redrive", { body: {} }));
    const done = await eventually(
      async () => (await json(await admin.call("GET", "/dlq/redrive"))).body.tasks[0],
      (task) => task?.status === "COMPLETED",
      "redrive completes",
    );
    // Assess
    expect(started.status).toBe(202);
    expect(again).toMatchObject({ status: 409, body: { error: "REDRIVE_IN_PROGRESS" } });
    expect(done).toMatchObject({ moved: 3, maxPerSecond: 1 });
    expect(await queueDepth(admin.sqs.client, admin.sqs.dlqUrl)).toBe(0);
    expect(await queueDepth(admin.sqs.client, admin.sqs.queueUrl)).toBe(3);
    const rows = await audits("dlq.redrive");
    expect(rows).toHaveLength(auditsBefore + 1);
    const campaigns = [{ logId: 1, messages: 3, recipients: 9 }];
    expect(started.body.campaigns).toEqual(campaigns);
    expect(rows.at(-1)).toEqual({
      actor: "olivia",
      role: "operator",
      target: "messaging-dlq",
      detail: {
        taskHandle: started.body.taskHandle,
        maxPerSecond: 1,
        depthBefore: { visible: 3, inFlight: 0, delayed: 0 },
        campaigns,
      },
    });
  });

  it("refuses a rate SQS would refuse, naming the field", async () => {
    // Prepare
    const body = { maxPerSecond: 501 };
    // Act
    const reply = await json(await admin.call("POST", "/dlq/redrive", { body }));
    // Assess
    expect(reply).toMatchObject({ status: 400, body: { error: "VALIDATION_FAILED", field: "maxPerSecond" } });
  });
});

describe("POST /dlq/purge", () => {
  it("deletes nothing unless the body names the queue", async () => {
    // Prepare
    await sendBodies(admin.sqs.client, admin.sqs.dlqUrl, [{ chunkId: 0 }, { chunkId: 1 }]);
    const auditsBefore = (await audits("dlq.purge")).length;
    // Act
    const wrong = await json(
      await admin.call("POST", "/dlq/purge", { body: { confirm: "messaging-queue" } }),
    );
    const missing = await json(await admin.call("POST", "/dlq/purge", { body: {} }));
    // Assess
    expect(wrong).toMatchObject({ status: 400, body: { error: "VALIDATION_FAILED", field: "confirm" } });
    expect(wrong.body.message).toContain('"messaging-dlq"');
    expect(missing).toMatchObject({ status: 400, body: { error: "VALIDATION_FAILED", field: "confirm" } });
    expect(await queueDepth(admin.sqs.client, admin.sqs.dlqUrl)).toBe(2);
    expect(await audits("dlq.purge")).toHaveLength(auditsBefore);
  });

  it("records the purged recipients FAILED (PURGED) with their last failure, so the campaign finishes", async () => {
    // Prepare: user 1 SENT; users 2-4 in the DLQ after three carrier outage answers; one unreadable body
    const logId = await campaignAwaiting(4, [1]);
    const outage = "carrier SERVER_ERROR: HTTP 503: SERVICE_UNAVAILABLE: carrier outage";
    const attempts = [1, 2, 3].map((n) => [logId, 0, "m-0", n, "CARRIER_HTTP_503", outage, new Date()]);
    await admin.pool.query(
      "INSERT INTO delivery_attempt (log_id, chunk_id, message_id, receive_count, code, detail, at) VALUES ?",
      [attempts],
    );
    await sendBodies(admin.sqs.client, admin.sqs.dlqUrl, [
      { logId, chunkId: 0, userIds: [1, 2, 3] },
      { logId, chunkId: 1, userIds: [4] },
      "not json",
    ]);
    // Act
    const peeked = (await json(await admin.call("GET", `/dlq?logId=${logId}`))).body;
    const reply = await json(await admin.call("POST", "/dlq/purge", { body: { confirm: "messaging-dlq" } }));
    // Assess
    expect(peeked.messages.find((m: { chunkId: number }) => m.chunkId === 0).failures).toEqual([
      expect.objectContaining({ receiveCount: 1, code: "CARRIER_HTTP_503", detail: outage }),
      expect.objectContaining({ receiveCount: 2 }),
      expect.objectContaining({ receiveCount: 3 }),
    ]);
    const campaigns = [
      { logId, messages: 2, recipients: 4, settled: 3 },
      { logId: null, messages: 1, recipients: 0, settled: 0 },
    ];
    expect(reply).toEqual({ status: 200, body: { purged: true, messages: 3, campaigns } });
    expect(await queueDepth(admin.sqs.client, admin.sqs.dlqUrl)).toBe(0);
    const [logs] = await admin.pool.query<RowDataPacket[]>(
      "SELECT status, sent_count, failed_count, completed_at IS NOT NULL AS done FROM messaging_log WHERE id = ?",
      [logId],
    );
    expect(logs[0]).toEqual({ status: "PARTIAL", sent_count: 1, failed_count: 3, done: 1 });
    const [results] = await admin.pool.query<RowDataPacket[]>(
      "SELECT user_id, error_code, error_detail, attempts FROM messaging_result WHERE log_id = ? AND status = 'FAILED' ORDER BY user_id",
      [logId],
    );
    expect(results[0]).toEqual({
      user_id: 2,
      error_code: "PURGED",
      error_detail: `purged from the DLQ after 3 failed attempts; last: CARRIER_HTTP_503: ${outage}`,
      attempts: 3,
    });
    expect(results[2]).toMatchObject({
      user_id: 4,
      error_detail: "purged from the DLQ (no failed attempt recorded)",
    });
    expect((await audits("dlq.purge")).at(-1)).toMatchObject({
      actor: "olivia",
      role: "operator",
      target: "messaging-dlq",
      detail: { messages: 3, campaigns },
    });
  });

  it("refuses to purge while a redrive moves messages, deleting nothing", async () => {
    // Prepare: a slow redrive of three messages
    await sendBodies(admin.sqs.client, admin.sqs.dlqUrl, [{ chunkId: 0 }, { chunkId: 1 }, { chunkId: 2 }]);
    await admin.call("POST", "/dlq/redrive", { body: { maxPerSecond: 1 } });
    // Act
    const reply = await json(await admin.call("POST", "/dlq/purge", { body: { confirm: "messaging-dlq" } }));
    // Assess
    expect(reply).toMatchObject({ status: 409, body: { error: "REDRIVE_IN_PROGRESS" } });
    const [queue, dlq] = await Promise.all([
      queueDepth(admin.sqs.client, admin.sqs.queueUrl),
      queueDepth(admin.sqs.client, admin.sqs.dlqUrl),
    ]);
    expect(queue + dlq).toBe(3);
  });
});

/** A SENDING campaign of `total` recipients (users 1..total) of which `sent` have results. */
async function campaignAwaiting(total: number, sent: number[]): Promise<number> {
  const [log] = await admin.pool.execute<import("mysql2").ResultSetHeader>(
    `INSERT INTO messaging_log (requested_by, requested_at, audience, content, total_count, queued_count,
       sent_count, status, updated_at)
     VALUES ('olivia', NOW(3), '{"kind":"all"}', 'hello', ?, ?, ?, 'SENDING', NOW(3))`,
    [total, total, sent.length],
  );
  for (const userId of sent) {
    await admin.pool.execute(
      `INSERT INTO messaging_result (log_id, user_id, phone, status, attempts, updated_at)
       VALUES (?, ?, '01012345678', 'SENT', 1, NOW(3))`,
      [log.insertId, userId],
    );
  }
  return log.insertId;
}
