import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { FastifyInstance } from "fastify";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { range, seedUsers } from "../../../api/test/fixtures";
import { loadPipelineConfig } from "../../../infra/pipeline-config";
import { createCarrierServer } from "../../../provider-mock/server";
import { messageBody, sqsEvent, sqsRecord } from "../../../test/support/sqs-event";
import { createTestDatabase, type TestDatabase } from "../../../test/support/test-database";
import { startFunctionThreads } from "../function-threads";
import type { InvocationOutcome } from "../ports";

const TIMEOUT_MS = 10_000;

describe("startFunctionThreads", () => {
  let db: TestDatabase;
  let carrier: FastifyInstance;
  let carrierUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase("function_threads");
    await seedUsers(db.pool, range(1, 40));
    await db.pool.query(
      `INSERT INTO messaging_log (id, requested_by, requested_at, content, total_count, queued_count, status, updated_at)
       VALUES (1, 'test', NOW(3), 'x', 40, 40, 'QUEUED', NOW(3))`,
    );
    // Slow enough that two invocations overlap.
    carrier = createCarrierServer({ model: { latencyMs: { dist: "fixed", value: 150 } } });
    carrierUrl = await carrier.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await Promise.all([db?.drop(), carrier?.close()]);
  });

  /** Threads for the template's function, with its overrides; never asked to change visibility. */
  const start = (threads: number, overrides: Record<string, unknown> = {}) =>
    startFunctionThreads({
      threads,
      pipeline: loadPipelineConfig({ overrides }),
      queueUrl: "http://127.0.0.1:9324/000000000000/messaging-queue",
      mysqlUrl: db.url,
      carrier: { baseUrl: carrierUrl },
      sqs: { sqsEndpoint: "http://127.0.0.1:9324", awsRegion: "elasticmq" },
      logLevel: "silent",
    });
  const chunkEvent = (chunkId: number) =>
    sqsEvent(
      sqsRecord({
        body: messageBody({ logId: 1, chunkId, userIds: range(chunkId * 10 + 1, chunkId * 10 + 10) }),
      }),
    );
  const failuresOf = (outcome: InvocationOutcome) =>
    outcome.kind === "returned"
      ? (JSON.parse(String(outcome.payload)) as SQSBatchResponse).batchItemFailures
      : null;

  it("runs the production handler on two threads: concurrent batches each deliver their recipients", async () => {
    // Prepare
    const threads = await start(2);
    try {
      // Act
      const outcomes = await Promise.all(
        [0, 1, 2, 3].map((chunk) => threads.fn.invoke(chunkEvent(chunk), TIMEOUT_MS)),
      );
      // Assess
      expect(outcomes.map(failuresOf)).toEqual([[], [], [], []]);
      const [rows] = await db.pool.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n, SUM(status = 'SENT') AS sent FROM messaging_result WHERE log_id = 1",
      );
      expect(rows[0]).toEqual({ n: 40, sent: "40" });
      const [log] = await db.pool.query<RowDataPacket[]>(
        "SELECT status, sent_count FROM messaging_log WHERE id = 1",
      );
      expect(log[0]).toEqual({ status: "COMPLETED", sent_count: 40 });
    } finally {
      await threads.close();
    }
  });

  it("throttles an invocation beyond the reserved concurrency, counted across threads", async () => {
    // Prepare
    const threads = await start(2, { "MessagingLambda.ReservedConcurrentExecutions": 1 });
    try {
      // Act: two at once, on what would be two idle threads.
      const outcomes = await Promise.all([
        threads.fn.invoke(chunkEvent(0), TIMEOUT_MS),
        threads.fn.invoke(chunkEvent(1), TIMEOUT_MS),
      ]);
      // Assess
      expect(outcomes.map((o) => o.kind)).toEqual(["returned", "throttled"]);
    } finally {
      await threads.close();
    }
  });

  it("hands back the handler's error with its name and message", async () => {
    // Prepare
    const threads = await start(2);
    try {
      // Act
      const outcome = await threads.fn.invoke({ Records: "none" } as unknown as SQSEvent, TIMEOUT_MS);
      // Assess
      expect(outcome).toMatchObject({
        kind: "error",
        error: { name: "InvalidEventError", message: expect.stringContaining("not an SQS event") },
      });
    } finally {
      await threads.close();
    }
  });

  it("refuses fewer than two threads, naming the count", async () => {
    // Prepare, Act, Assess
    await expect(start(1)).rejects.toThrow("threads must be a whole number >= 2 (got 1)");
  });
});
