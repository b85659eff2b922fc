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
    expect(rows.at(-1)).toEqual({
      actor: "olivia",
      role: "operator",
      target: "messaging-dlq",
      detail: {
        taskHandle: started.body.taskHandle,
        maxPerSecond: 1,
        depthBefore: { visible: 3, inFlight: 0, delayed: 0 },
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

  it("purges with the queue's name typed out, and audits it", async () => {
    // Prepare
    await sendBodies(admin.sqs.client, admin.sqs.dlqUrl, [{ chunkId: 0 }, { chunkId: 1 }]);
    // Act
    const reply = await json(await admin.call("POST", "/dlq/purge", { body: { confirm: "messaging-dlq" } }));
    // Assess
    expect(reply).toEqual({ status: 200, body: { purged: true, approximateCount: 2 } });
    expect(await queueDepth(admin.sqs.client, admin.sqs.dlqUrl)).toBe(0);
    expect((await audits("dlq.purge")).at(-1)).toMatchObject({
      actor: "olivia",
      role: "operator",
      target: "messaging-dlq",
    });
  });
});
