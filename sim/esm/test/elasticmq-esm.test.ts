import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../../domain/clock";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { createEventSourceMapping, esmConfigOf } from "../event-source-mapping";
import { createInProcessFunction } from "../in-process-function";
import { createSqsQueuePort } from "../sqs-queue-port";

describe("the event source mapping on ElasticMQ", () => {
  let mq: TestElasticMq;
  beforeAll(async () => {
    mq = await startTestElasticMq({ "MessagingQueue.VisibilityTimeout": 1, "MessagingLambda.Timeout": 1 });
  });
  afterAll(() => mq.stop());

  async function depth(queueUrl: string): Promise<number> {
    const { Attributes } = await mq.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  }

  async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("deletes what succeeded, redelivers what failed, and lets the queue dead-letter a record that always fails", async () => {
    // Prepare: "flaky" fails its first delivery only, "poison" every delivery (maxReceiveCount 3).
    const bodies = ["ok-1", "ok-2", "ok-3", "ok-4", "ok-5", "flaky", "poison"];
    await mq.client.send(
      new SendMessageBatchCommand({
        QueueUrl: mq.queueUrl,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
    const receiveCounts = new Map<string, string[]>();
    const fn = createInProcessFunction({
      clock: systemClock,
      functionName: mq.config.lambda.functionName,
      async handler(event) {
        const failed = event.Records.filter((r) => {
          receiveCounts.set(r.body, [
            ...(receiveCounts.get(r.body) ?? []),
            r.attributes.ApproximateReceiveCount,
          ]);
          return r.body === "poison" || (r.body === "flaky" && r.attributes.ApproximateReceiveCount === "1");
        });
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    const queue = await createSqsQueuePort(mq.client, mq.queueUrl);
    const esm = createEventSourceMapping({ queue, fn, clock: systemClock, config: esmConfigOf(mq.config) });
    // Act
    esm.start();
    await waitFor(async () => (await depth(mq.dlqUrl)) === 1 && (await depth(mq.queueUrl)) === 0, 30_000);
    await esm.stop();
    // Assess
    expect(receiveCounts.get("ok-1")).toEqual(["1"]);
    expect(receiveCounts.get("flaky")).toEqual(["1", "2"]);
    expect(receiveCounts.get("poison")).toEqual(["1", "2", "3"]);
    expect(esm.stats()).toMatchObject({ recordsDeleted: 6, recordsFailed: 4, errors: 0, deleteFailures: 0 });
    const { Messages } = await mq.client.send(
      new ReceiveMessageCommand({ QueueUrl: mq.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.map((m) => m.Body)).toEqual(["poison"]);
  });
});
