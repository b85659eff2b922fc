import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { FastifyInstance } from "fastify";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { systemClock } from "../../../domain/clock";
import { buildLambda } from "../../../infra/build/build-lambda";
import { type PipelineStack, startPipelineStack } from "../../../test/e2e/support/pipeline-stack";
import { range } from "../../../test/e2e/support/recipient-tally";
import { createEventSourceMapping, esmConfigOf, type InvocationEvent } from "../../esm/event-source-mapping";
import { createLambdaClient, createLambdaInvokeFunction } from "../../esm/lambda-invoke-function";
import { createSqsQueuePort } from "../../esm/sqs-queue-port";
import { seedUsers } from "../../seed/seed-users";
import { createLambdaServer } from "../lambda-server";

const RECIPIENTS = 30;
/** A v1 body but for a user ID that is not a number. */
const MALFORMED_BODY = JSON.stringify({ v: 1, logId: 1, chunkId: 9, userIds: [31, "32"], content: "x" });

describe("the deployable artifact behind the Lambda Invoke API, under the event source mapping", () => {
  let buildDir: string;
  let stack: PipelineStack;
  let server: FastifyInstance;
  let endpoint: string;
  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), "smsim-artifact-"));
    const [built, started] = await Promise.all([
      buildLambda(buildDir),
      startPipelineStack({
        label: "lambda_artifact",
        carrier: { model: { latencyMs: { dist: "fixed", value: 5 } } },
      }),
    ]);
    stack = started;
    await seedUsers(stack.db.pool, { count: RECIPIENTS });
    server = await createLambdaServer({
      zipPath: built.zipPath,
      env: {
        MYSQL_URL: stack.db.url,
        CARRIER_BASE_URL: stack.carrierUrl,
        SQS_ENDPOINT: stack.mq.endpoint,
        QUEUE_URL: stack.mq.queueUrl,
        LOG_LEVEL: "silent",
      },
    });
    endpoint = await server.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await server?.close();
    await stack?.stop();
    await rm(buildDir, { recursive: true, force: true });
  });

  it("delivers every recipient once and answers a malformed body with a batch item failure", async () => {
    // Prepare: three valid chunks of ten from the producer, and one malformed body.
    const campaign = await stack.enqueue({
      requestedBy: "test",
      content: "Spring sale starts today",
      userIds: range(1, RECIPIENTS),
    });
    await stack.mq.client.send(
      new SendMessageCommand({ QueueUrl: stack.mq.queueUrl, MessageBody: MALFORMED_BODY }),
    );
    const { config } = stack.mq;
    const client = createLambdaClient({ endpoint });
    const invocations: InvocationEvent[] = [];
    const esm = createEventSourceMapping({
      queue: await createSqsQueuePort(stack.mq.client, stack.mq.queueUrl),
      fn: createLambdaInvokeFunction({ client, functionName: config.lambda.functionName }),
      clock: systemClock,
      config: esmConfigOf(config),
      onInvocation: (event) => invocations.push(event),
    });

    // Act: until each of the four messages has been through one invocation.
    esm.start();
    try {
      await vi.waitFor(() => expect(invocations.reduce((n, i) => n + i.records, 0)).toBe(4), {
        timeout: 30_000,
        interval: 100,
      });
    } finally {
      await esm.stop();
      client.destroy();
    }

    // Assess
    expect(invocations.filter((i) => i.result !== "succeeded")).toEqual([
      expect.objectContaining({ result: "partial", failed: 1 }),
    ]);
    expect(esm.stats()).toMatchObject({
      recordsDeleted: 3,
      recordsFailed: 1,
      errors: 0,
      invalidResponses: 0,
    });
    const results = await stack.results(campaign.logId);
    expect(results.map((r) => r.userId).sort((a, b) => a - b)).toEqual(range(1, RECIPIENTS));
    expect(results.filter((r) => r.status !== "SENT")).toEqual([]);
    expect(await stack.carrierStats()).toMatchObject({
      requests: RECIPIENTS / 10,
      recipientsAccepted: RECIPIENTS,
      duplicateDeliveriesByContent: 0,
    });
    const [malformed] = await stack.db.pool.query<RowDataPacket[]>(
      "SELECT body, error FROM malformed_message",
    );
    expect(malformed).toEqual([{ body: MALFORMED_BODY, error: expect.stringContaining("body.userIds.1") }]);
    // The failed record stays on the queue, invisible until its visibility timeout ends.
    expect(await stack.depth(stack.mq.queueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });
});
