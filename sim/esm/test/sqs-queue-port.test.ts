import { createHash } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import Fastify from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EsmQueueError } from "../errors";
import { createSqsQueuePort } from "../sqs-queue-port";

const QUEUE_URL = "https://sqs.ap-northeast-2.amazonaws.com/123456789012/messaging-queue";
const QUEUE_ARN = "arn:aws:sqs:ap-northeast-2:123456789012:messaging-queue";

interface SeenRequest {
  action: string;
  input: Record<string, unknown>;
}

/** What the stub answers an action with next: a JSON body, or no answer at all. */
type StubAnswer = Record<string, unknown> | "hang";

/**
 * SQS's JSON protocol as the SDK speaks it (X-Amz-Target: AmazonSQS.<Action>), answering each
 * action with what the test scripts and keeping every request, so the port's calls can be read.
 */
function createSqsStub() {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const seen: SeenRequest[] = [];
  let answers: Record<string, StubAnswer> = {};
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
  app.post("/", (request, reply) => {
    const action = String(request.headers["x-amz-target"]).replace("AmazonSQS.", "");
    seen.push({ action, input: JSON.parse(String(request.body)) });
    const answer = answers[action] ?? {};
    if (answer === "hang") return;
    reply.code(200).type("application/x-amz-json-1.0").send(JSON.stringify(answer));
  });
  return {
    app,
    seen,
    answer(next: Record<string, StubAnswer>) {
      answers = next;
    },
  };
}

/** A ReceiveMessage message as SQS's JSON protocol gives it; override any field. */
function wireMessage(overrides: Record<string, unknown> = {}) {
  const body = '{"v":1}';
  return {
    MessageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
    ReceiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
    Body: body,
    MD5OfBody: createHash("md5").update(body).digest("hex"),
    Attributes: {
      ApproximateReceiveCount: "2",
      SentTimestamp: "1545082649183",
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: "1545082649185",
    },
    ...overrides,
  };
}

describe("createSqsQueuePort", () => {
  const stub = createSqsStub();
  let client: SQSClient;
  beforeAll(async () => {
    client = new SQSClient({
      endpoint: await stub.app.listen({ port: 0, host: "127.0.0.1" }),
      region: "ap-northeast-2",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
      // The SDK checks each body's MD5 itself; a message without Body or MD5OfBody must reach the port.
      md5: false,
    });
  });
  afterAll(async () => {
    client.destroy();
    await stub.app.close();
  });
  beforeEach(() => {
    stub.seen.length = 0;
    stub.answer({ GetQueueAttributes: { Attributes: { QueueArn: QUEUE_ARN } } });
  });

  it("looks up the queue's ARN for records' eventSourceARN, and takes the region from the client", async () => {
    // Prepare / Act
    const port = await createSqsQueuePort(client, QUEUE_URL);
    // Assess
    expect(port).toMatchObject({ arn: QUEUE_ARN, region: "ap-northeast-2" });
    expect(stub.seen).toEqual([
      { action: "GetQueueAttributes", input: { QueueUrl: QUEUE_URL, AttributeNames: ["QueueArn"] } },
    ]);
  });

  it.each([
    ["attributes without QueueArn", { Attributes: {} }],
    ["no attributes", {}],
  ])("refuses a queue whose answer has %s, naming the queue", async (_label, answer) => {
    // Prepare
    stub.answer({ GetQueueAttributes: answer });
    // Act
    const created = createSqsQueuePort(client, QUEUE_URL);
    // Assess
    await expect(created).rejects.toThrow(EsmQueueError);
    await expect(created).rejects.toThrow(`GetQueueAttributes gave no QueueArn for ${QUEUE_URL}`);
  });

  it("receives with a long poll, asking for every system and message attribute under both names", async () => {
    // Prepare
    const port = await createSqsQueuePort(client, QUEUE_URL);
    stub.answer({ ReceiveMessage: {} });
    // Act
    const messages = await port.receive(7, 20);
    // Assess
    expect(messages).toEqual([]);
    expect(stub.seen.at(-1)).toEqual({
      action: "ReceiveMessage",
      input: {
        QueueUrl: QUEUE_URL,
        MaxNumberOfMessages: 7,
        WaitTimeSeconds: 20,
        MessageSystemAttributeNames: ["All"],
        AttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      },
    });
  });

  it("gives each message the system attributes and message attributes Lambda puts on a record", async () => {
    // Prepare: a string, a binary and a list attribute; a second message without any.
    const port = await createSqsQueuePort(client, QUEUE_URL);
    const bytes = Buffer.from([0, 1, 2, 250]);
    stub.answer({
      ReceiveMessage: {
        Messages: [
          wireMessage({
            MessageAttributes: {
              campaign: { DataType: "String", StringValue: "spring-sale" },
              token: { DataType: "Binary", BinaryValue: bytes.toString("base64") },
              tags: {
                DataType: "String.tags",
                StringListValues: ["a", "b"],
                BinaryListValues: [bytes.toString("base64")],
              },
            },
          }),
          wireMessage({
            MessageId: "m-2",
            ReceiptHandle: "rh-2",
            Attributes: undefined,
            MessageAttributes: { note: { StringValue: "no type given" } },
          }),
        ],
      },
    });
    // Act
    const [first, second] = await port.receive(10, 0);
    // Assess
    expect(first).toStrictEqual({
      messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
      receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
      body: '{"v":1}',
      md5OfBody: createHash("md5").update('{"v":1}').digest("hex"),
      attributes: {
        ApproximateReceiveCount: "2",
        SentTimestamp: "1545082649183",
        SenderId: "AIDAIENQZJOLO23YVJ4VO",
        ApproximateFirstReceiveTimestamp: "1545082649185",
      },
      messageAttributes: {
        campaign: {
          stringValue: "spring-sale",
          stringListValues: [],
          binaryListValues: [],
          dataType: "String",
        },
        token: {
          binaryValue: bytes.toString("base64"),
          stringListValues: [],
          binaryListValues: [],
          dataType: "Binary",
        },
        tags: {
          stringListValues: ["a", "b"],
          binaryListValues: [bytes.toString("base64")],
          dataType: "String.tags",
        },
      },
    });
    expect(second).toMatchObject({
      messageId: "m-2",
      receiptHandle: "rh-2",
      attributes: {
        ApproximateReceiveCount: "",
        SentTimestamp: "",
        SenderId: "",
        ApproximateFirstReceiveTimestamp: "",
      },
      messageAttributes: {
        note: {
          stringValue: "no type given",
          stringListValues: [],
          binaryListValues: [],
          dataType: "String",
        },
      },
    });
  });

  it.each(["MessageId", "ReceiptHandle", "Body", "MD5OfBody"])(
    "refuses a received message without %s",
    async (field) => {
      // Prepare
      const port = await createSqsQueuePort(client, QUEUE_URL);
      stub.answer({ ReceiveMessage: { Messages: [wireMessage({ [field]: undefined })] } });
      // Act
      const received = port.receive(10, 0);
      // Assess
      await expect(received).rejects.toThrow(
        new EsmQueueError(`ReceiveMessage returned a message without ${field}`),
      );
    },
  );

  it("ends a long poll when the mapping's signal aborts", async () => {
    // Prepare
    const port = await createSqsQueuePort(client, QUEUE_URL);
    stub.answer({ ReceiveMessage: "hang" });
    const abort = new AbortController();
    // Act
    const received = port.receive(10, 20, abort.signal);
    setTimeout(() => abort.abort(), 50);
    // Assess
    await expect(received).rejects.toThrow(/abort/i);
  });

  it("deletes with one DeleteMessageBatch entry per handle and gives back the handles SQS could not delete", async () => {
    // Prepare: the entry of rh-b fails; a Failed entry naming no sent Id is ignored.
    const port = await createSqsQueuePort(client, QUEUE_URL);
    stub.answer({
      DeleteMessageBatch: {
        Successful: [{ Id: "0" }, { Id: "2" }],
        Failed: [
          { Id: "1", Code: "ReceiptHandleIsInvalid", SenderFault: true },
          { Id: "9", Code: "InternalError", SenderFault: false },
        ],
      },
    });
    // Act
    const failed = await port.deleteBatch(["rh-a", "rh-b", "rh-c"]);
    // Assess
    expect(failed).toEqual(["rh-b"]);
    expect(stub.seen.at(-1)).toEqual({
      action: "DeleteMessageBatch",
      input: {
        QueueUrl: QUEUE_URL,
        Entries: [
          { Id: "0", ReceiptHandle: "rh-a" },
          { Id: "1", ReceiptHandle: "rh-b" },
          { Id: "2", ReceiptHandle: "rh-c" },
        ],
      },
    });
  });

  it("gives back no handles when every delete succeeded", async () => {
    // Prepare
    const port = await createSqsQueuePort(client, QUEUE_URL);
    stub.answer({ DeleteMessageBatch: { Successful: [{ Id: "0" }] } });
    // Act
    const failed = await port.deleteBatch(["rh-a"]);
    // Assess
    expect(failed).toEqual([]);
  });
});
