import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Backends, queueDepth, sendBodies, startBackends } from "../../../api/admin/test/admin-harness";
import { smsim } from "./run-smsim";

let backends: Backends;

beforeAll(async () => {
  backends = await startBackends("cli_dlq");
  vi.stubEnv("SQS_ENDPOINT", backends.mq.endpoint);
  vi.stubEnv("AWS_REGION", "elasticmq");
  vi.stubEnv("MYSQL_URL", backends.db.url);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await backends?.mq.stop();
  await backends?.db.drop();
});

describe("smsim dlq", () => {
  it("lists, shows, refuses an unconfirmed purge, redrives and purges", async () => {
    // Prepare
    const { client, mq } = backends;
    await sendBodies(client, mq.dlqUrl, [{ logId: 5, chunkId: 3, userIds: [31, 32] }, "garbage"]);
    await backends.db.pool.query(
      `INSERT INTO delivery_attempt (log_id, chunk_id, message_id, receive_count, code, detail, at)
       VALUES (5, 3, 'm', 1, 'CARRIER_TIMEOUT', 'carrier TIMEOUT: no answer in 5000 ms', NOW(3))`,
    );
    // Act
    const ls = await smsim("dlq", "ls");
    const messageId = /^(\S+)\s+5\s+3\s/m.exec(ls.stdout)?.[1] ?? "";
    const show = await smsim("dlq", "show", messageId);
    const unconfirmed = await smsim("dlq", "purge");
    const depthAfterRefusal = await queueDepth(client, mq.dlqUrl);
    const redrive = await smsim("dlq", "redrive", "--wait");
    const movedBack = await queueDepth(client, mq.queueUrl);
    await sendBodies(client, mq.dlqUrl, [{ chunkId: 9 }]);
    const purge = await smsim("dlq", "purge", "--yes");
    const [audit] = await backends.db.pool.query<RowDataPacket[]>(
      "SELECT actor, action FROM audit_log ORDER BY id",
    );
    // Assess
    expect(ls).toMatchObject({ code: 0 });
    expect(ls.stdout).toContain("messaging-dlq: 2 visible");
    expect(ls.stdout).toMatch(/unreadable\s+-\s+\d+\s+-\s+body: not JSON/);
    expect(ls.stdout).toContain("CARRIER_TIMEOUT (1x): carrier TIMEOUT: no answer in 5000 ms");
    expect(JSON.parse(show.stdout)).toMatchObject({
      messageId,
      logId: 5,
      chunkId: 3,
      userIds: [31, 32],
      failures: [
        { receiveCount: 1, code: "CARRIER_TIMEOUT", detail: "carrier TIMEOUT: no answer in 5000 ms" },
      ],
    });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("--yes");
    expect(depthAfterRefusal).toBe(2);
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toMatch(/COMPLETED: 2 \/ 2 moved/);
    expect(movedBack).toBe(2);
    expect(purge).toMatchObject({ code: 0 });
    expect(purge.stdout).toContain("purged messaging-dlq: 1 messages (campaign 1: 3 recipients)");
    expect(await queueDepth(client, mq.dlqUrl)).toBe(0);
    expect(audit.map((r) => r.action)).toEqual(["dlq.redrive", "dlq.purge"]);
    expect(audit[0]?.actor).toMatch(/^cli:/);
  });

  it("says which message it could not find", async () => {
    // Prepare
    const missing = "no-such-message";
    // Act
    const show = await smsim("dlq", "show", missing);
    // Assess
    expect(show.code).toBe(2);
    expect(show.stderr).toContain("no-such-message");
    expect(show.stderr).toContain("NOT_FOUND");
  });
});
