import { describe, expect, it } from "vitest";
import { ValidationError } from "../../domain/errors";
import { type BatchRequestError, PurgeInProgressError } from "../../sim/virtual/errors";
import {
  catchError,
  entries,
  inVirtualTime,
  queuePair,
  scheduler,
  singleQueue,
  T0,
} from "../../sim/virtual/test/fixtures";

const DAY_MS = 86_400_000;
const MIB = 1_048_576;
/** 349,525 Hangul syllables: 3 UTF-8 bytes each, 1 byte short of 1 MiB. */
const HANGUL_1_MIB_LESS_1 = "가".repeat((MIB - 1) / 3);
const body = (n: number) => JSON.stringify({ v: 1, logId: 1, chunkId: n, userIds: [n + 1], content: "hi" });

describe("SQS queue rules, against the SQS developer guide and API reference", () => {
  it("SQS guide, setting-up-dead-letter-queue-retention: a message 1 day in the source leaves a 4-day DLQ after 3 more days, aged 3 days there", async () => {
    // Prepare: the guide's example; one receive, then the redrive moves it at day 1.
    const s = scheduler();
    const { queue, dlq } = queuePair(
      s,
      { maxReceiveCount: 1, visibilityTimeoutSeconds: 30, retentionSeconds: 4 * 86_400 },
      { retentionSeconds: 4 * 86_400 },
    );
    queue.send(body(0));
    await s.run(T0 + DAY_MS - 30_000);
    await queue.receive(1, 0);
    await s.run(T0 + DAY_MS);
    await queue.receive(1, 0);

    // Act
    await s.run(T0 + 4 * DAY_MS - 1_000);
    const ageBefore = dlq.ageOfOldestMessageSeconds();
    const depthBefore = dlq.attributes().ApproximateNumberOfMessages;
    await s.run(T0 + 4 * DAY_MS);

    // Assess
    expect(depthBefore).toBe(1);
    expect(ageBefore).toBe(3 * 86_400 - 1);
    expect(dlq.attributes().ApproximateNumberOfMessages).toBe(0);
    expect(dlq.counters().expired).toBe(1);
    expect(dlq.ageOfOldestMessageSeconds()).toBeNull();
  });

  it("SQS API reference, ChangeMessageVisibility: the new timeout counts from the call (60 s queue, 10 s set 15 s after the receive: visible at 25 s)", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 60 });
    queue.send(body(0));
    const [received] = await queue.receive(1, 0);
    await s.run(T0 + 15_000);

    // Act
    queue.changeVisibility(received?.receiptHandle ?? "", 10);
    await s.run(T0 + 24_999);
    const hidden = await queue.receive(1, 0);
    await s.run(T0 + 25_000);
    const [again] = await queue.receive(1, 0);

    // Assess
    expect(hidden).toEqual([]);
    expect(again?.messageId).toBe(received?.messageId);
  });

  it("SQS guide, sqs-visibility-timeout: a visibility timeout cannot reach past 12 hours from the receive", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 60 });
    queue.send(body(0));
    const [received] = await queue.receive(1, 0);
    await s.run(T0 + 30_000);
    const handle = received?.receiptHandle ?? "";

    // Act
    const beyond = () => queue.changeVisibility(handle, 43_200);

    // Assess: 43,170 s from now is exactly 12 h after the receive.
    expect(beyond).toThrow(ValidationError);
    expect(() => queue.changeVisibility(handle, 43_170)).not.toThrow();
  });

  it("SQS API reference, ReceiveMessage: ApproximateReceiveCount counts every receive of a message not deleted", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 30 });
    queue.send(body(0));

    // Act
    const counts: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      await s.run(T0 + i * 30_000);
      const [message] = await queue.receive(1, 0);
      counts.push(message?.attributes.ApproximateReceiveCount);
    }

    // Assess
    expect(counts).toEqual(["1", "2", "3", "4"]);
  });

  it("SQS guide, sqs-dead-letter-queues: past maxReceiveCount 3 the message moves on the next receive, not when its visibility ends", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { maxReceiveCount: 3, visibilityTimeoutSeconds: 30 });
    queue.send(body(0));
    for (let i = 0; i < 3; i++) {
      await s.run(T0 + i * 30_000);
      await queue.receive(1, 0);
    }

    // Act
    await s.run(T0 + 10 * 60_000);
    const beforeReceive = [
      queue.attributes().ApproximateNumberOfMessages,
      dlq.attributes().ApproximateNumberOfMessages,
    ];
    const fourth = await queue.receive(1, 0);

    // Assess
    expect(beforeReceive).toEqual([1, 0]);
    expect(fourth).toEqual([]);
    expect(dlq.attributes().ApproximateNumberOfMessages).toBe(1);
    expect(queue.counters().movedToDlq).toBe(1);
  });

  it("SQS API reference, PurgeQueue: deletion takes up to 60 s (messages can still be received meanwhile) and a second purge within 60 s is PurgeQueueInProgress", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    queue.sendBatch(entries([body(0), body(1)]));

    // Act
    queue.purge();
    const during = await queue.receive(1, 0);
    await s.run(T0 + 59_999);
    const refused = catchError(() => queue.purge());
    await s.run(T0 + 60_000);

    // Assess
    expect(during).toHaveLength(1);
    expect(refused).toBeInstanceOf(PurgeInProgressError);
    expect((refused as Error).message).toMatch(/purged 60 s ago; one purge per 60 s$/);
    expect(queue.attributes()).toEqual({
      ApproximateNumberOfMessages: 0,
      ApproximateNumberOfMessagesNotVisible: 0,
      ApproximateNumberOfMessagesDelayed: 0,
    });
    expect(queue.counters().purged).toBe(2);
    expect(() => queue.purge()).not.toThrow();
  });

  it("SQS guide, DLQ redrive: StartMessageMoveTask is billed by the calls it makes (per 10 messages a receive and a delete on the DLQ, a send on the source)", async () => {
    // Prepare: 25 dead letters.
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { maxReceiveCount: 1, visibilityTimeoutSeconds: 0 });
    for (let i = 0; i < 25; i += 5) queue.sendBatch(entries([0, 1, 2, 3, 4].map((n) => body(i + n))));
    await queue.receive(10, 0);
    await queue.receive(10, 0);
    await queue.receive(5, 0);
    for (let i = 0; i < 3; i++) await queue.receive(10, 0);
    const dlqBefore = dlq.counters().requests;
    const queueBefore = queue.counters().requests;

    // Act
    const task = dlq.startMessageMoveTask();
    await s.run(T0 + 1_000);

    // Assess: 3 batches (10, 10, 5) and the StartMessageMoveTask call itself.
    expect(task.status()).toMatchObject({ status: "COMPLETED", approximateNumberOfMessagesMoved: 25 });
    expect(dlq.counters().requests - dlqBefore).toBe(1 + 2 * 3);
    expect(queue.counters().requests - queueBefore).toBe(3);
  });
  it("SQS API reference, SendMessageBatch: a request with no entries, more than 10, a bad or repeated Id, or over 1 MiB in all is refused whole and sends nothing", () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    const eleven = entries(Array.from({ length: 11 }, (_, n) => body(n)));
    const halfMiB = "x".repeat(MIB / 2);

    // Act
    const refusals = [
      [],
      eleven,
      [{ id: "a.b", body: body(0) }],
      [{ id: "x".repeat(81), body: body(0) }],
      [{ id: "", body: body(0) }],
      [
        { id: "same", body: body(0) },
        { id: "same", body: body(1) },
      ],
      entries([body(0), halfMiB, halfMiB]),
    ].map((batch) => (catchError(() => queue.sendBatch(batch)) as BatchRequestError | null)?.message);

    // Assess
    expect(refusals).toEqual([
      "EmptyBatchRequest: the request has no entries",
      "TooManyEntriesInBatchRequest: 11 entries; at most 10",
      'InvalidBatchEntryId: Id "a.b"',
      `InvalidBatchEntryId: Id "${"x".repeat(81)}"`,
      'InvalidBatchEntryId: Id ""',
      "BatchEntryIdsNotDistinct: Id same repeats",
      `BatchRequestTooLong: ${MIB + body(0).length} bytes of messages; at most ${MIB}`,
    ]);
    expect(queue.counters().sent).toBe(0);
    expect(queue.attributes().ApproximateNumberOfMessages).toBe(0);
  });

  it("SQS API reference, SendMessageBatch: an entry that fails on its own is reported in Failed, as the sender's fault, and the others are sent", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    const batch = [
      { id: "first", body: body(0) },
      { id: "too-late", body: body(1), delaySeconds: 901 },
      { id: "empty", body: "" },
      { id: "x".repeat(80), body: body(3) },
    ];

    // Act
    const result = queue.sendBatch(batch);
    const received = await queue.receive(10, 0);

    // Assess
    expect(result.successful.map((r) => r.id)).toEqual(["first", "x".repeat(80)]);
    expect(result.successful.map((r) => r.messageId)).toEqual(received.map((m) => m.messageId));
    expect(result.failed).toEqual([
      expect.objectContaining({ id: "too-late", code: "InvalidParameterValue", senderFault: true }),
      expect.objectContaining({ id: "empty", code: "InvalidParameterValue", senderFault: true }),
    ]);
    expect(result.failed[0]?.message).toMatch(/Entries\.1\.DelaySeconds/);
    expect(received.map((m) => m.body)).toEqual([body(0), body(3)]);
    expect(queue.counters().sent).toBe(2);
  });

  it("SQS guide, sqs-batch-api: the 1 MiB of a message and of a batch are bytes of UTF-8, not characters", () => {
    // Prepare: Hangul is 3 bytes a character in UTF-8.
    const s = scheduler();
    const queue = singleQueue(s);
    const third = "가".repeat(120_000);

    // Act
    const batchOfThree = catchError(() => queue.sendBatch(entries([third, third, third])));
    const fullBatch = catchError(() => queue.sendBatch(entries([HANGUL_1_MIB_LESS_1, "a"])));
    const overByOne = catchError(() => queue.sendBatch(entries([HANGUL_1_MIB_LESS_1, "ab"])));
    const fullMessage = catchError(() => queue.send(`${HANGUL_1_MIB_LESS_1}a`));
    const longMessage = catchError(() => queue.send(`${HANGUL_1_MIB_LESS_1}ab`));

    // Assess: 3 x 360,000 bytes is over 1 MiB though it is 360,000 characters.
    expect((batchOfThree as BatchRequestError).awsCode).toBe("BatchRequestTooLong");
    expect(fullBatch).toBeNull();
    expect((overByOne as BatchRequestError).awsCode).toBe("BatchRequestTooLong");
    expect(fullMessage).toBeNull();
    expect(longMessage).toBeInstanceOf(ValidationError);
    expect((longMessage as ValidationError).message).toMatch(/^MessageBody: /);
    expect((longMessage as ValidationError).message).toContain(`must not exceed ${MIB} bytes`);
    expect((longMessage as ValidationError).message).toContain(`(got ${MIB + 1})`);
    expect(queue.counters().sent).toBe(3);
  });

  it("SQS guide, sqs-message-metadata: a message attribute's name, type and value count towards the 1 MiB", () => {
    // Prepare: "tag" + "String" + "v" is 10 bytes; "raw" + "Binary" + 3 bytes (base64 "AAAA") is 12.
    const s = scheduler();
    const queue = singleQueue(s);
    const tag = { tag: { dataType: "String", stringValue: "v" } };
    const raw = { raw: { dataType: "Binary", binaryValue: "AAAA" } };
    const bodyOf = (bytes: number) => "x".repeat(bytes);

    // Act
    const results = [
      [bodyOf(MIB - 10), tag],
      [bodyOf(MIB - 9), tag],
      [bodyOf(MIB - 12), raw],
      [bodyOf(MIB - 11), raw],
    ].map(([text, messageAttributes]) =>
      catchError(() => queue.send(text as string, { messageAttributes: messageAttributes as typeof tag })),
    );
    const batch = catchError(() =>
      queue.sendBatch([
        { id: "a", body: bodyOf(MIB / 2), messageAttributes: tag },
        { id: "b", body: bodyOf(MIB / 2 - 9) },
      ]),
    );

    // Assess
    expect(results.map((e) => e === null)).toEqual([true, false, true, false]);
    expect(results[1]).toBeInstanceOf(ValidationError);
    expect((batch as BatchRequestError).awsCode).toBe("BatchRequestTooLong");
  });
  it("SQS guide, sqs-delay-queues and sqs-message-timers: DelaySeconds hides a message that many seconds, the queue's default unless the message sets its own", async () => {
    // Prepare: a 5 s delay queue, one message with a 2 s timer.
    const s = scheduler();
    const queue = singleQueue(s, { delaySeconds: 5 });
    queue.send(body(0));
    queue.sendBatch([{ id: "timer", body: body(1), delaySeconds: 2 }]);

    // Act
    const visibleAt: Record<number, string[]> = {};
    for (const ms of [1_999, 2_000, 4_999, 5_000]) {
      await s.run(T0 + ms);
      visibleAt[ms] = (await queue.receive(10, 0)).map((m) => m.body);
    }

    // Assess
    expect(visibleAt).toEqual({ 1999: [], 2000: [body(1)], 4999: [], 5000: [body(0)] });
    expect(queue.attributes()).toEqual({
      ApproximateNumberOfMessages: 0,
      ApproximateNumberOfMessagesNotVisible: 2,
      ApproximateNumberOfMessagesDelayed: 0,
    });
  });

  it("SQS pricing: every API action is a request, each one counted once (the SQS cost)", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 10 });
    const counted: number[] = [];
    const count = async (act: () => unknown) => {
      const before = queue.counters().requests;
      await inVirtualTime(s, async () => act());
      counted.push(queue.counters().requests - before);
    };

    // Act: one call of each action; receives that find a message, find none, and wait for the
    // redelivery of the message received before.
    await count(() => queue.send(body(0)));
    await count(() => queue.sendBatch(entries([body(1), body(2)])));
    const received = await queue.receive(3, 0);
    await count(() => queue.delete(received[0]?.receiptHandle ?? ""));
    await count(() => queue.deleteBatch([received[1]?.receiptHandle ?? ""]));
    await count(() => queue.changeVisibility(received[2]?.receiptHandle ?? "", 0));
    await count(() => queue.receive(1, 0));
    await count(() => queue.receive(1, 0));
    await count(() => queue.receive(1, 20));
    await count(() => queue.purge());

    // Assess
    expect(counted).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(queue.counters()).toMatchObject({ requests: 10, emptyReceives: 1, received: 5 });
  });
});
