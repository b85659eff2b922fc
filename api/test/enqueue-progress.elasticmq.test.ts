import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { Pool } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMysqlPool } from "../../domain/db/mysql";
import { parseMessageBody } from "../../domain/message-body";
import { createMysqlDeliveryStore } from "../../handler/mysql-delivery-store";
import type { RecipientResult } from "../../handler/ports";
import { startTestElasticMq, type TestElasticMq } from "../../test/support/elasticmq";
import { createTestDatabase, type TestDatabase } from "../../test/support/test-database";
import { createMessagingService } from "../messaging-service";
import type { MessageQueuePort } from "../ports";
import { createSqsMessageQueue } from "../sqs-message-queue";
import { eventually, type LogCounts, range, readCounts, seedUsers, userRow } from "./fixtures";

const USERS = 20_000;
/** Chunks (of 10 recipients) at which SQS is held while the test looks at the campaign's row. */
const CHECKPOINTS = new Set([500, 1000, 1500]);

function sent(userId: number): RecipientResult {
  const { phone } = userRow(userId);
  return { userId, phone, status: "SENT", carrierMessageId: `cm-${userId}`, errorCode: null, attempts: 1 };
}

describe("enqueue progress on real SQS (ElasticMQ) and MariaDB", () => {
  let db: TestDatabase;
  let mq: TestElasticMq;
  let observer: Pool;

  beforeAll(async () => {
    [db, mq] = await Promise.all([createTestDatabase("enqueue_progress"), startTestElasticMq()]);
    await seedUsers(db.pool, range(1, USERS));
    // The console's view: a connection of its own, not the producer's pool.
    observer = createMysqlPool(db.url, { connectionLimit: 1 });
  });
  afterAll(async () => {
    await observer?.end();
    await Promise.all([db?.drop(), mq?.stop()]);
  });

  /**
   * The real SQS queue, held at each checkpoint until the campaign's row (read from another
   * connection) shows more queued than at the last one; meanwhile the consumer records results.
   */
  function checkpointedQueue(observed: LogCounts[]): MessageQueuePort {
    const sqs = createSqsMessageQueue(mq.client, mq.queueUrl);
    const store = createMysqlDeliveryStore(db.pool);
    return {
      async sendBatch(entries) {
        if (entries.some((e) => CHECKPOINTS.has(Number(e.id)))) {
          const { logId } = parseMessageBody(entries[0]?.body ?? "");
          const before = observed.at(-1)?.queued ?? 0;
          observed.push(
            await eventually(
              () => readCounts(observer, logId),
              (c) => c.queued > before,
              `queued_count above ${before} while enqueueing`,
            ),
          );
          const first = observed.length * 100 - 99;
          await store.recordResults(logId, range(first, first + 99).map(sent));
        }
        return sqs.sendBatch(entries);
      },
    };
  }

  it("shows queued_count growing mid-enqueue, adding up, and settles with the consumer's results", async () => {
    // Prepare
    const observed: LogCounts[] = [];
    const service = createMessagingService({
      pool: db.pool,
      queue: checkpointedQueue(observed),
      pageSize: 2000,
      progressEvery: 1000,
    });
    // Act
    const { logId, totalCount, done } = await service.startBulkMessage({
      requestedBy: "ops@example.com",
      content: "hello",
      audience: { kind: "all" },
    });
    const result = await done;
    // Assess
    expect(totalCount).toBe(USERS);
    expect(observed).toHaveLength(CHECKPOINTS.size);
    for (const c of observed) {
      expect(c).toMatchObject({ status: "QUEUEING", total: USERS, failed: 0 });
      expect(c.queued).toBeLessThan(USERS);
    }
    expect(result).toEqual({ logId, queuedCount: USERS, failedCount: 0, status: "QUEUED" });
    // The consumer recorded 300 results while QUEUEING: the producer's final update moves it to SENDING.
    const [rows] = await observer.query(
      "SELECT status, sent_count, completed_at FROM messaging_log WHERE id = ?",
      [logId],
    );
    expect(rows).toEqual([{ status: "SENDING", sent_count: 300, completed_at: null }]);
    expect(await readCounts(observer, logId)).toEqual({
      status: "SENDING",
      total: USERS,
      queued: USERS,
      failed: 0,
    });
    const depth = await mq.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: mq.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
    );
    expect(Number(depth.Attributes?.ApproximateNumberOfMessages)).toBe(USERS / 10);
  });
});
