import { PurgeQueueCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeMessageBody } from "../../../domain/message-body";
import { messageBody } from "../../../test/support/sqs-event";
import {
  type Backends,
  eventually,
  type Harness,
  json,
  queueDepth,
  seedCampaignWithFailures,
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

/** Puts one v1 body per chunk on the DLQ, ten at a time; returns the message IDs in order. */
async function fillDlq(chunks: readonly { logId: number; chunkId: number; userIds?: number[] }[]) {
  const ids: string[] = [];
  for (let i = 0; i < chunks.length; i += 10) {
    const batch = chunks.slice(i, i + 10);
    const out = await admin.sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: admin.sqs.dlqUrl,
        Entries: batch.map((c, j) => ({
          Id: String(j),
          MessageBody: encodeMessageBody(messageBody({ userIds: [c.chunkId * 10 + 1], ...c })),
        })),
      }),
    );
    const byId = new Map((out.Successful ?? []).map((s) => [Number(s.Id), s.MessageId ?? ""]));
    ids.push(...batch.map((_c, j) => byId.get(j) ?? ""));
  }
  return ids;
}

/** A failed attempt row as the handler writes it. */
async function recordAttempt(a: {
  logId: number;
  chunkId: number;
  messageId: string;
  receiveCount: number;
  code: string;
  detail?: string;
  at?: string;
}) {
  await admin.pool.execute(
    `INSERT INTO delivery_attempt (log_id, chunk_id, message_id, receive_count, code, detail, at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      a.logId,
      a.chunkId,
      a.messageId,
      a.receiveCount,
      a.code,
      a.detail ?? a.code,
      new Date(a.at ?? "2026-03-01T09:00:00Z"),
    ],
  );
}

const getDlq = async (query = "") =>
  (await json(await admin.call("GET", `/dlq${query}`, { token: VIEWER.token }))).body;

describe("GET /dlq", () => {
  it("reads the whole DLQ, filters it by campaign and error code on the server, and counts what it hides", async () => {
    // Prepare: 91 messages, campaign 7 with 60 (503s), campaign 8 with 31 (timeouts on even chunks).
    const chunks = [
      ...Array.from({ length: 60 }, (_, i) => ({ logId: 7, chunkId: i })),
      ...Array.from({ length: 31 }, (_, i) => ({ logId: 8, chunkId: i })),
    ];
    const ids = await fillDlq(chunks);
    for (const [i, c] of chunks.entries()) {
      const code =
        c.logId === 7 ? "CARRIER_HTTP_503" : c.chunkId % 2 === 0 ? "CARRIER_TIMEOUT" : "CARRIER_HTTP_500";
      for (let receive = 1; receive <= 3; receive++) {
        await recordAttempt({ ...c, messageId: ids[i] ?? "", receiveCount: receive, code });
      }
    }
    // Act
    const all = await getDlq("?refresh=true");
    const page2 = await getDlq("?page=2&pageSize=50");
    const seven = await getDlq("?logId=7&pageSize=50");
    const timeouts = await getDlq("?logId=8&errorCode=CARRIER_TIMEOUT");
    // Assess
    expect(all).toMatchObject({ total: 91, matching: 91, complete: true, page: 1, pageSize: 50 });
    expect(all.items).toHaveLength(50);
    expect(page2.items).toHaveLength(41);
    expect(seven).toMatchObject({ total: 91, matching: 60 });
    expect(seven.items).toHaveLength(50);
    expect(timeouts.matching).toBe(16);
    expect(timeouts.items.every((m: { chunkId: number }) => m.chunkId % 2 === 0)).toBe(true);
    expect(all.campaigns).toEqual([
      { logId: 7, messages: 60, recipients: 60 },
      { logId: 8, messages: 31, recipients: 31 },
    ]);
    expect(all.errorCodes).toEqual([
      { errorCode: "CARRIER_HTTP_503", messages: 60 },
      { errorCode: "CARRIER_TIMEOUT", messages: 16 },
      { errorCode: "CARRIER_HTTP_500", messages: 15 },
    ]);
    expect(all.items[0]).toMatchObject({
      logId: 8,
      chunkId: 0,
      errorCode: "CARRIER_TIMEOUT",
      receiveCountAtMove: 3,
      // The last failure plus the source queue's VisibilityTimeout (120 s in the template).
      movedAt: "2026-03-01T09:02:00.000Z",
    });
  });

  it("shows the same rows in the same order on every refresh: reading does not change what it shows", async () => {
    // Prepare
    const ids = await fillDlq([
      { logId: 3, chunkId: 2 },
      { logId: 3, chunkId: 0 },
      { logId: 4, chunkId: 1 },
    ]);
    await recordAttempt({
      logId: 3,
      chunkId: 2,
      messageId: ids[0] ?? "",
      receiveCount: 3,
      code: "CARRIER_HTTP_503",
    });
    // Act
    const first = await getDlq("?refresh=true");
    const later = [await getDlq(), await getDlq(), await getDlq()];
    // Assess
    const rows = (r: { items: { logId: number; chunkId: number; receiveCount: number }[] }) =>
      r.items.map((m) => [m.logId, m.chunkId, m.receiveCount]);
    expect(rows(first).map(([l, c]) => [l, c])).toEqual([
      [4, 1],
      [3, 0],
      [3, 2],
    ]);
    for (const reply of later) {
      expect(rows(reply)).toEqual(rows(first));
      expect(reply.scannedAt).toBe(first.scannedAt);
    }
    expect(first.items[2]).toMatchObject({ errorCode: "CARRIER_HTTP_503", receiveCountAtMove: 3 });
    expect(first.items[0]).toMatchObject({ errorCode: null, receiveCountAtMove: null, movedAt: null });
  });

  it("finds the reason of a redriven chunk, which returns under a new message ID", async () => {
    // Prepare
    await fillDlq([{ logId: 5, chunkId: 9 }]);
    await recordAttempt({
      logId: 5,
      chunkId: 9,
      messageId: "before-the-redrive",
      receiveCount: 3,
      code: "CARRIER_HTTP_502",
      detail: "BAD_GATEWAY: upstream down",
    });
    // Act
    const reply = await getDlq("?refresh=true");
    // Assess
    expect(reply.items[0]).toMatchObject({
      errorCode: "CARRIER_HTTP_502",
      errorDetail: "BAD_GATEWAY: upstream down",
    });
  });

  it("keeps unreadable bodies, naming why", async () => {
    // Prepare
    await sendBodies(admin.sqs.client, admin.sqs.dlqUrl, ["not json at all"]);
    // Act
    const reply = await getDlq("?refresh=true");
    // Assess
    expect(reply.items[0]).toMatchObject({
      logId: null,
      userIds: [],
      parseError: expect.stringContaining("JSON"),
    });
    expect(reply.campaigns).toEqual([{ logId: null, messages: 1, recipients: 0 }]);
  });
});

describe("campaigns in trouble", () => {
  it("show their failed attempts by code and their DLQ share, in the detail and the history", async () => {
    // Prepare
    const logId = await seedCampaignWithFailures(admin.pool, []);
    const ids = await fillDlq([
      { logId, chunkId: 0, userIds: [1, 2] },
      { logId, chunkId: 1, userIds: [3] },
    ]);
    for (const [i, messageId] of ids.entries()) {
      await recordAttempt({ logId, chunkId: i, messageId, receiveCount: 1, code: "CARRIER_TIMEOUT" });
      await recordAttempt({
        logId,
        chunkId: i,
        messageId,
        receiveCount: 2,
        code: "CARRIER_HTTP_503",
        detail: `SERVICE_UNAVAILABLE: maintenance ${i}`,
        at: "2026-03-01T09:05:00Z",
      });
    }
    await getDlq("?refresh=true");
    // Act
    const detail = (await json(await admin.call("GET", `/campaigns/${logId}`))).body;
    const history = (await json(await admin.call("GET", "/campaigns?pageSize=500"))).body;
    // Assess
    expect(detail.failedAttempts.byCode).toEqual([
      {
        code: "CARRIER_HTTP_503",
        count: 2,
        lastDetail: "SERVICE_UNAVAILABLE: maintenance 1",
        lastAt: "2026-03-01T09:05:00.000Z",
      },
      {
        code: "CARRIER_TIMEOUT",
        count: 2,
        lastDetail: "CARRIER_TIMEOUT",
        lastAt: "2026-03-01T09:00:00.000Z",
      },
    ]);
    expect(detail.dlq).toEqual({ messages: 2, recipients: 3 });
    const row = history.items.find((c: { id: number }) => c.id === logId);
    expect(row.dlq).toEqual({ messages: 2, recipients: 3 });
  });
});

describe("POST /dlq/messages/redrive", () => {
  it("moves one campaign's messages back, leaves the rest, and audits what it touched", async () => {
    // Prepare
    await fillDlq([
      { logId: 11, chunkId: 0, userIds: [1, 2, 3] },
      { logId: 11, chunkId: 1, userIds: [4, 5] },
      { logId: 12, chunkId: 0, userIds: [6] },
    ]);
    // Act
    const reply = await json(await admin.call("POST", "/dlq/messages/redrive", { body: { logId: 11 } }));
    const after = await getDlq();
    // Assess
    expect(reply).toEqual({
      status: 200,
      body: { messages: 2, recipients: 5, campaigns: [{ logId: 11, messages: 2, recipients: 5 }] },
    });
    expect(await queueDepth(admin.sqs.client, admin.sqs.queueUrl)).toBe(2);
    expect(after).toMatchObject({ total: 1, campaigns: [{ logId: 12, messages: 1, recipients: 1 }] });
    expect((await audits("dlq.redrive")).at(-1)).toMatchObject({
      actor: "olivia",
      detail: { scope: "campaign", logId: 11, messages: 2, recipients: 5 },
    });
  });

  it("moves every message of the campaign while the console reads the DLQ at the same time", async () => {
    // Prepare: a read hides what it has read until it ends; a move alongside must not miss those.
    await fillDlq([
      ...Array.from({ length: 30 }, (_, i) => ({ logId: 21, chunkId: i })),
      ...Array.from({ length: 20 }, (_, i) => ({ logId: 22, chunkId: i })),
    ]);
    // Act
    const [, moved] = await Promise.all([
      getDlq("?refresh=true"),
      json(await admin.call("POST", "/dlq/messages/redrive", { body: { logId: 21 } })),
      getDlq("?refresh=true"),
    ]);
    const after = await getDlq("?refresh=true");
    // Assess
    expect(moved.body).toMatchObject({ messages: 30, recipients: 30 });
    expect(after.campaigns).toEqual([{ logId: 22, messages: 20, recipients: 20 }]);
    expect(await queueDepth(admin.sqs.client, admin.sqs.queueUrl)).toBe(30);
  });

  it("moves only the messages named", async () => {
    // Prepare
    const ids = await fillDlq([
      { logId: 13, chunkId: 0 },
      { logId: 13, chunkId: 1 },
      { logId: 13, chunkId: 2 },
    ]);
    // Act
    const reply = await json(
      await admin.call("POST", "/dlq/messages/redrive", { body: { messageIds: [ids[0], ids[2]] } }),
    );
    const left = await getDlq();
    // Assess
    expect(reply.body).toMatchObject({ messages: 2, recipients: 2 });
    expect(left.items.map((m: { chunkId: number }) => m.chunkId)).toEqual([1]);
  });

  it("names what to move, and refuses a viewer", async () => {
    // Act
    const nothing = await json(await admin.call("POST", "/dlq/messages/redrive", { body: {} }));
    const viewer = await admin.call("POST", "/dlq/messages/redrive", {
      token: VIEWER.token,
      body: { logId: 1 },
    });
    // Assess
    expect(nothing).toMatchObject({ status: 400, body: { field: "logId" } });
    expect(viewer.status).toBe(403);
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
        scope: "all",
        taskHandle: started.body.taskHandle,
        maxPerSecond: 1,
        depthBefore: { visible: 3, inFlight: 0, delayed: 0 },
        messages: 3,
        recipients: 9,
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
    const peeked = (await json(await admin.call("GET", `/dlq?logId=${logId}&refresh=true`))).body;
    const reply = await json(await admin.call("POST", "/dlq/purge", { body: { confirm: "messaging-dlq" } }));
    // Assess
    expect(peeked.items.find((m: { chunkId: number }) => m.chunkId === 0).failures).toEqual([
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
