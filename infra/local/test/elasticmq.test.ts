import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqsClient, QueueNotFoundError, resolveQueueUrls } from "../../../domain/sqs-client";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { elasticMqQueueUrl } from "../elasticmq";
import { isAlive } from "../process";

interface Received {
  body: string | undefined;
  receiveCount: number;
  receiptHandle: string | undefined;
}

/** One receive, long-polling up to `waitSeconds`; returns the messages with their receive counts. */
async function receive(client: SQSClient, queueUrl: string, waitSeconds: number): Promise<Received[]> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    }),
  );
  return Messages.map((m) => ({
    body: m.Body,
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount),
    receiptHandle: m.ReceiptHandle,
  }));
}

describe("startElasticMq", () => {
  let mq: TestElasticMq;
  let other: TestElasticMq;
  beforeAll(async () => {
    // Two at once, as parallel test files do: each must get its own port and queues.
    [mq, other] = await Promise.all([
      startTestElasticMq({ "MessagingQueue.VisibilityTimeout": 1, "MessagingLambda.Timeout": 1 }),
      startTestElasticMq(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([mq?.stop(), other?.stop()]);
  });

  it("serves the template's queues, with overrides, at ElasticMQ-style URLs on its own port", async () => {
    // Prepare
    const urls = await resolveQueueUrls(mq.client, mq.config);
    // Act
    const { Attributes } = await mq.client.send(
      new GetQueueAttributesCommand({ QueueUrl: mq.queueUrl, AttributeNames: ["All"] }),
    );
    // Assess
    expect(urls).toEqual({ queueUrl: mq.queueUrl, dlqUrl: mq.dlqUrl });
    expect(mq.queueUrl).toBe(`${mq.endpoint}/000000000000/messaging-queue`);
    expect(elasticMqQueueUrl(mq.endpoint, "messaging-dlq")).toBe(mq.dlqUrl);
    expect(mq.port).not.toBe(other.port);
    expect(Attributes).toMatchObject({
      VisibilityTimeout: "1",
      ReceiveMessageWaitTimeSeconds: String(mq.config.queue.receiveWaitSeconds),
      DelaySeconds: "0",
    });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? "{}")).toMatchObject({ maxReceiveCount: 3 });
  });

  it("redrives a message to the DLQ after maxReceiveCount receives without a delete", async () => {
    // Prepare
    await mq.client.send(new SendMessageCommand({ QueueUrl: mq.queueUrl, MessageBody: "poison" }));
    // Act: each receive leaves the message in flight; it reappears after the 1 s visibility timeout.
    const received: Received[] = [];
    for (let i = 0; i < mq.config.queue.maxReceiveCount; i++) {
      received.push(...(await receive(mq.client, mq.queueUrl, 5)));
    }
    // Redrive is lazy: the next receive attempt moves it instead of returning it. Making it
    // visible now rather than in 1 s only saves time.
    const last = received[received.length - 1];
    await mq.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: mq.queueUrl,
        ReceiptHandle: last?.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const afterLimit = await receive(mq.client, mq.queueUrl, 0);
    const inDlq = await receive(mq.client, mq.dlqUrl, 1);
    // Assess
    expect(received.map((m) => [m.body, m.receiveCount])).toEqual([
      ["poison", 1],
      ["poison", 2],
      ["poison", 3],
    ]);
    expect(afterLimit).toEqual([]);
    expect(inDlq.map((m) => m.body)).toEqual(["poison"]);
  });

  it("keeps instances apart: a message sent to one never shows on the other", async () => {
    // Prepare
    await other.client.send(new SendMessageCommand({ QueueUrl: other.queueUrl, MessageBody: "only-here" }));
    // Act
    const onMq = await receive(mq.client, mq.queueUrl, 0);
    const onOther = await receive(other.client, other.queueUrl, 0);
    // Assess
    expect(onMq).toEqual([]);
    expect(onOther.map((m) => m.body)).toEqual(["only-here"]);
  });

  it("names a queue that does not exist", async () => {
    // Prepare
    const config = { ...mq.config, dlq: { ...mq.config.dlq, name: "no-such-dlq" } };
    // Act
    const resolving = resolveQueueUrls(mq.client, config);
    // Assess
    await expect(resolving).rejects.toThrow(QueueNotFoundError);
    await expect(resolving).rejects.toThrow(/"no-such-dlq"/);
  });

  it("stops for good, and a second stop is harmless", async () => {
    // Prepare
    const client = createSqsClient({ sqsEndpoint: other.endpoint, awsRegion: "elasticmq" });
    // Act
    await other.stop();
    await other.stop();
    // Assess
    expect(isAlive(other.pid)).toBe(false);
    await expect(resolveQueueUrls(client, other.config)).rejects.toThrow();
    client.destroy();
  });

  it("keeps every acknowledged message across a SIGKILL, and the template decides queue settings", async () => {
    // Prepare: a durable ElasticMQ with 30 messages on its queue
    const dataDir = await mkdtemp(join(tmpdir(), "smsim-elasticmq-data-"));
    const first = await startTestElasticMq({ "MessagingQueue.VisibilityTimeout": 50 }, { dataDir });
    let second: TestElasticMq | undefined;
    try {
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` }));
      for (let batch = 0; batch < 3; batch++) {
        await first.client.send(new SendMessageBatchCommand({ QueueUrl: first.queueUrl, Entries: entries }));
      }
      // Act: kill it without warning, then start it again on the same data with a new setting
      process.kill(first.pid, "SIGKILL");
      await first.stop();
      second = await startTestElasticMq({ "MessagingQueue.VisibilityTimeout": 90 }, { dataDir });
      const { Attributes } = await second.client.send(
        new GetQueueAttributesCommand({ QueueUrl: second.queueUrl, AttributeNames: ["All"] }),
      );
      // Assess
      expect(Attributes).toMatchObject({ ApproximateNumberOfMessages: "30", VisibilityTimeout: "90" });
      expect(JSON.parse(Attributes?.RedrivePolicy ?? "{}")).toMatchObject({ maxReceiveCount: 3 });
    } finally {
      await Promise.all([first.stop(), second?.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
