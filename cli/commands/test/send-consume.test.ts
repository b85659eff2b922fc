import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import type { FastifyInstance } from "fastify";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { range, seedUsers } from "../../../api/test/fixtures";
import { createCarrierServer } from "../../../provider-mock/server";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { createTestDatabase, type TestDatabase } from "../../../test/support/test-database";
import { parseUserIdsFlag } from "../send";
import { smsim } from "./run-smsim";

describe("smsim send and consume", () => {
  let mq: TestElasticMq;
  let db: TestDatabase;
  let carrier: FastifyInstance;
  beforeAll(async () => {
    [mq, db] = await Promise.all([startTestElasticMq(), createTestDatabase("cli_send_consume")]);
    await seedUsers(db.pool, range(1, 40));
    carrier = createCarrierServer({ model: { latencyMs: { dist: "fixed", value: 5 } } });
    vi.stubEnv("SQS_ENDPOINT", mq.endpoint);
    vi.stubEnv("AWS_REGION", "elasticmq");
    vi.stubEnv("MYSQL_URL", db.url);
    vi.stubEnv("CARRIER_BASE_URL", await carrier.listen({ port: 0, host: "127.0.0.1" }));
  });
  const createQueue = async (name: string) =>
    (await mq.client.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all([mq?.stop(), db?.drop(), carrier?.close()]);
  });

  it("enqueues a range of users and delivers it to the carrier until the queue is drained", async () => {
    // Prepare: users 1-40 exist; the range asks for 11-35.
    // Act
    const send = await smsim("send", "--user-ids", "11-35", "--content", "봄 세일", "--requested-by", "ops");
    const consume = await smsim("consume", "--until-drained", "--timeout", "60");
    // Assess
    expect(send.code).toBe(0);
    const sent = JSON.parse(send.stdout);
    expect(sent).toEqual({ logId: expect.any(Number), queuedCount: 25, failedCount: 0, status: "QUEUED" });
    expect(consume.code).toBe(0);
    expect(JSON.parse(consume.stdout)).toMatchObject({
      stopReason: "drained",
      recordsReceived: 3,
      recordsDeleted: 3,
      recordsFailed: 0,
      queue: { visible: 0, inFlight: 0, delayed: 0 },
      dlq: { visible: 0, inFlight: 0, delayed: 0 },
    });
    const [logs] = await db.pool.query<RowDataPacket[]>(
      "SELECT requested_by, status, total_count, sent_count FROM messaging_log WHERE id = ?",
      [sent.logId],
    );
    expect(logs[0]).toEqual({ requested_by: "ops", status: "COMPLETED", total_count: 25, sent_count: 25 });
    const [results] = await db.pool.query<RowDataPacket[]>(
      "SELECT user_id FROM messaging_result WHERE log_id = ? AND status = 'SENT' ORDER BY user_id",
      [sent.logId],
    );
    expect(results.map((r) => r.user_id)).toEqual(range(11, 35));
    const [audit] = await db.pool.query<RowDataPacket[]>("SELECT action, target FROM audit_log");
    expect(audit).toEqual([{ action: "campaign.create", target: `campaign:${sent.logId}` }]);
  });

  it("delivers the same way with the handler on two worker threads", async () => {
    // Prepare: a queue of its own, which the last test's abandoned long polls cannot hold.
    const queueUrl = await createQueue("threads-queue");
    vi.stubEnv("QUEUE_URL", queueUrl);
    vi.stubEnv("DLQ_URL", await createQueue("threads-dlq"));
    try {
      const send = await smsim("send", "--user-ids", "1-10", "--content", "threads", "--requested-by", "ops");
      const { logId } = JSON.parse(send.stdout);
      // Act
      const consume = await smsim("consume", "--until-drained", "--timeout", "60", "--threads", "2");
      // Assess
      expect(consume.code).toBe(0);
      expect(JSON.parse(consume.stdout)).toMatchObject({
        stopReason: "drained",
        recordsDeleted: 1,
        recordsFailed: 0,
      });
      const [results] = await db.pool.query<RowDataPacket[]>(
        "SELECT user_id FROM messaging_result WHERE log_id = ? AND status = 'SENT' ORDER BY user_id",
        [logId],
      );
      expect(results.map((r) => r.user_id)).toEqual(range(1, 10));
    } finally {
      vi.stubEnv("QUEUE_URL", undefined);
      vi.stubEnv("DLQ_URL", undefined);
    }
  });

  it.each([
    [
      ["send", "--user-ids", "5-1", "--content", "x"],
      '--user-ids: expected <from>-<to> or a comma list (got "5-1")',
    ],
    [
      ["send", "--user-ids", "1,x", "--content", "x"],
      '--user-ids: expected <from>-<to> or a comma list (got "1,x")',
    ],
    [["send", "--content", "x"], "--user-ids: give --user-ids or --all-users"],
    [
      ["send", "--all-users", "--user-ids", "1", "--content", "x"],
      "give either --user-ids or --all-users, not both",
    ],
    [["send", "--all-users", "--content", " "], 'content: must not be blank (got " ")'],
    [["send", "--all-users"], "--content: give the message text"],
    [
      ["send", "--resume", "7", "--content", "x"],
      '--resume: give no other campaign flags (got --content) (got "7")',
    ],
    [["send", "--resume", "seven"], '--resume: expected a campaign\'s log id (got "seven")'],
    [["send", "--resume", "999999"], "CAMPAIGN_NOT_FOUND"],
    [["consume", "--timeout", "soon"], '--timeout: expected a number of seconds > 0 (got "soon")'],
    [["consume", "--threads", "0"], '--threads: expected a whole number >= 1 (got "0")'],
  ])("rejects bad flags with an error naming the flag: %#", async (args, message) => {
    // Prepare: the arguments above.
    // Act
    const run = await smsim(...args);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe("parseUserIdsFlag", () => {
  it("reads a range as an audience of existing users and a comma list as exact IDs", () => {
    // Prepare
    const flags = ["1-5000", "3, 8,12", "7"];
    // Act
    const parsed = flags.map(parseUserIdsFlag);
    // Assess
    expect(parsed).toEqual([
      { audience: { kind: "range", from: 1, to: 5000 } },
      { userIds: [3, 8, 12] },
      { userIds: [7] },
    ]);
  });
});
