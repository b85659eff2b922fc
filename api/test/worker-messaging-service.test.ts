import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmsimError, ValidationError } from "../../domain/errors";
import { startTestElasticMq, type TestElasticMq } from "../../test/support/elasticmq";
import { createTestDatabase, type TestDatabase } from "../../test/support/test-database";
import { createWorkerMessagingService, type WorkerMessagingService } from "../worker-messaging-service";
import { range, readCounts, seedUsers } from "./fixtures";

describe("the MessagingService in a worker thread", () => {
  let db: TestDatabase;
  let mq: TestElasticMq;
  let service: WorkerMessagingService;
  beforeAll(async () => {
    [db, mq] = await Promise.all([createTestDatabase("worker_messaging"), startTestElasticMq()]);
    await seedUsers(db.pool, range(1, 2_345));
    service = createWorkerMessagingService({
      env: { mysqlUrl: db.url, sqsEndpoint: mq.endpoint, awsRegion: "elasticmq" },
      queueUrl: mq.queueUrl,
      logLevel: "silent",
    });
  });
  afterAll(async () => {
    await service?.close();
    await Promise.all([db?.drop(), mq?.stop()]);
  });

  it("starts a campaign, answers with its log id, and enqueues every recipient in the background", async () => {
    // Prepare
    const input = {
      requestedBy: "ops",
      content: "hello",
      audience: { kind: "range" as const, from: 1, to: 2_345 },
    };
    // Act
    const started = await service.startBulkMessage(input);
    const result = await started.done;
    // Assess
    expect(started).toMatchObject({ logId: expect.any(Number), totalCount: 2_345 });
    expect(result).toEqual({ logId: started.logId, queuedCount: 2_345, failedCount: 0, status: "QUEUED" });
    expect(await readCounts(db.pool, started.logId)).toMatchObject({ queued: 2_345, status: "QUEUED" });
    const { Attributes } = await mq.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: mq.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessages)).toBe(235);
  });

  it("hands back the producer's typed errors: a ValidationError naming its field, an empty audience's code", async () => {
    // Prepare
    const blank = { requestedBy: "ops", content: "   ", userIds: [1] };
    const nobody = {
      requestedBy: "ops",
      content: "hi",
      audience: { kind: "range" as const, from: 90_000, to: 90_010 },
    };
    // Act
    const invalid = await service.startBulkMessage(blank).catch((error: unknown) => error);
    const empty = await service.sendBulkMessage(nobody).catch((error: unknown) => error);
    // Assess
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toMatchObject({ code: "VALIDATION_FAILED", field: "content" });
    expect(empty).toBeInstanceOf(SmsimError);
    expect(empty).toMatchObject({ code: "AUDIENCE_EMPTY" });
  });
});
