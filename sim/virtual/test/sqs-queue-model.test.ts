import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { loadPipelineConfig } from "../../../infra/pipeline-config";
import { MessageNotInflightError, MoveTaskError, ReceiptHandleError } from "../errors";
import {
  createVirtualQueuePair,
  createVirtualQueuePort,
  createVirtualVisibilityPort,
} from "../sqs-queue-model";
import {
  catchError,
  entries,
  inVirtualTime,
  queuePair,
  queuePairConfig,
  scheduler,
  singleQueue,
  T0,
} from "./fixtures";

const body = (n: number) => JSON.stringify({ v: 1, logId: 1, chunkId: n, userIds: [n + 1], content: "hi" });

describe("SQS queue model", () => {
  it("redelivers a message after its visibility timeout with a higher receive count", async () => {
    // Prepare
    const s = scheduler();
    const { queue } = queuePair(s, { visibilityTimeoutSeconds: 30 });
    const id = queue.send(body(0));
    const [first] = await queue.receive(10, 0);

    // Act
    const whileHidden = await queue.receive(10, 0);
    await s.run(T0 + 29_999);
    const justBefore = await queue.receive(10, 0);
    await s.run(T0 + 30_000);
    const [second] = await queue.receive(10, 0);

    // Assess
    expect(whileHidden).toEqual([]);
    expect(justBefore).toEqual([]);
    expect(first?.messageId).toBe(id);
    expect(second?.messageId).toBe(id);
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    expect(first?.attributes.ApproximateReceiveCount).toBe("1");
    expect(second?.attributes).toMatchObject({
      ApproximateReceiveCount: "2",
      SentTimestamp: String(T0),
      ApproximateFirstReceiveTimestamp: String(T0),
    });
  });

  it("reports visible, in-flight and delayed messages as queue attributes", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    queue.sendBatch([...entries([body(0), body(1)]), { id: "2", body: body(2), delaySeconds: 60 }]);

    // Act
    await queue.receive(1, 0);

    // Assess
    expect(queue.attributes()).toEqual({
      ApproximateNumberOfMessages: 1,
      ApproximateNumberOfMessagesNotVisible: 1,
      ApproximateNumberOfMessagesDelayed: 1,
    });
  });

  it("moves a message to the DLQ lazily, on the receive after maxReceiveCount, keeping its history", async () => {
    // Prepare: the template's own settings (3 receives, 120 s visibility)
    const s = scheduler();
    const config = loadPipelineConfig();
    const { queue, dlq } = createVirtualQueuePair(config, s.clock);
    const visibilityMs = config.queue.visibilityTimeoutSeconds * 1000;
    const id = queue.send(body(0));
    const counts: string[] = [];
    for (let k = 1; k <= config.queue.maxReceiveCount; k++) {
      const [message] = await queue.receive(10, 0);
      counts.push(message?.attributes.ApproximateReceiveCount ?? "none");
      await s.run(T0 + k * visibilityMs);
    }
    const beforeRedrive = { source: queue.attributes(), dlq: dlq.attributes() };

    // Act
    const overLimit = await queue.receive(10, 0);
    const [dead] = await dlq.receive(10, 0);

    // Assess
    expect(counts).toEqual(["1", "2", "3"]);
    expect(beforeRedrive.source.ApproximateNumberOfMessages).toBe(1);
    expect(beforeRedrive.dlq.ApproximateNumberOfMessages).toBe(0);
    expect(overLimit).toEqual([]);
    expect(dead?.messageId).toBe(id);
    expect(dead?.attributes.SentTimestamp).toBe(String(T0));
    expect(dead?.attributes.ApproximateReceiveCount).toBe("4");
    expect(queue.counters()).toMatchObject({ movedToDlq: 1, received: 3, maxReceiveCountSeen: 3 });
    expect(dlq.counters()).toMatchObject({ movedIn: 1, sent: 0, received: 1 });
  });

  it("returns a long poll as soon as a message arrives", async () => {
    // Prepare
    const s = scheduler();
    const { queue } = queuePair(s);
    s.after(5_000, () => queue.send(body(7)));

    // Act
    const received = await inVirtualTime(s, async () => {
      const messages = await queue.receive(10, 20);
      return { messages, at: s.now() - T0 };
    });

    // Assess
    expect(received.at).toBe(5_000);
    expect(received.messages.map((m) => m.body)).toEqual([body(7)]);
    expect(s.now()).toBe(T0 + 5_000);
  });

  it("gathers every message sent in the same instant into one long-poll answer", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    s.after(1_000, () => {
      for (let n = 0; n < 12; n++) queue.send(body(n));
    });

    // Act
    const sizes = await inVirtualTime(s, () =>
      Promise.all([queue.receive(10, 20), queue.receive(10, 20)]).then((answers) =>
        answers.map((a) => a.length),
      ),
    );

    // Assess
    expect(sizes).toEqual([10, 2]);
  });

  it("ends an empty long poll after WaitTimeSeconds with no messages", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);

    // Act
    const received = await inVirtualTime(s, async () => ({
      messages: await queue.receive(10, 20),
      at: s.now(),
    }));

    // Assess
    expect(received).toEqual({ messages: [], at: T0 + 20_000 });
    expect(queue.counters()).toMatchObject({ requests: 1, emptyReceives: 1 });
  });

  it("wakes a long poll when an in-flight message's visibility timeout ends", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 30 });
    queue.send(body(0));
    await queue.receive(1, 0);
    await s.run(T0 + 15_000);

    // Act
    const received = await inVirtualTime(s, async () => {
      const [message] = await queue.receive(10, 20);
      return { count: message?.attributes.ApproximateReceiveCount, at: s.now() - T0 };
    });

    // Assess
    expect(received).toEqual({ count: "2", at: 30_000 });
  });

  it("expires messages older than the retention period", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { retentionSeconds: 60 });
    queue.send(body(0));
    s.after(30_000, () => queue.send(body(1)));

    // Act
    await s.run(T0 + 60_000);
    const messages = await queue.receive(10, 0);

    // Assess
    expect(messages.map((m) => m.body)).toEqual([body(1)]);
    expect(queue.counters().expired).toBe(1);
  });

  it("counts a dead letter's retention from its original send", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(
      s,
      { maxReceiveCount: 1, visibilityTimeoutSeconds: 60 },
      { retentionSeconds: 120 },
    );
    queue.send(body(0));
    await queue.receive(1, 0);
    await s.run(T0 + 60_000);
    await queue.receive(1, 0);
    const inDlq = dlq.attributes().ApproximateNumberOfMessages;

    // Act
    await s.run(T0 + 120_000);

    // Assess
    expect(inDlq).toBe(1);
    expect(dlq.attributes().ApproximateNumberOfMessages).toBe(0);
    expect(dlq.counters().expired).toBe(1);
  });

  it("tells its owner when it dead-letters a message, at the receive that moves it", async () => {
    // Prepare
    const s = scheduler();
    const moved: [string, number][] = [];
    const { queue } = createVirtualQueuePair(
      queuePairConfig({ maxReceiveCount: 1, visibilityTimeoutSeconds: 60 }),
      s.clock,
      {
        onDeadLettered: (b) => moved.push([b, s.now()]),
      },
    );
    queue.send(body(0));
    queue.send(body(1));
    await queue.receive(2, 0);
    await s.run(T0 + 90_000);
    const beforeReceive = moved.length;
    // Act
    await queue.receive(1, 0);
    // Assess
    expect(beforeReceive).toBe(0);
    expect(moved).toEqual([
      [body(0), T0 + 90_000],
      [body(1), T0 + 90_000],
    ]);
  });

  it("hides a delayed message until its delay ends", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { delaySeconds: 5 });
    queue.send(body(0));
    queue.send(body(1), { delaySeconds: 0 });

    // Act
    const early = await queue.receive(10, 0);
    await s.run(T0 + 5_000);
    const later = await queue.receive(10, 0);

    // Assess
    expect(early.map((m) => m.body)).toEqual([body(1)]);
    expect(later.map((m) => m.body)).toEqual([body(0)]);
  });

  it("changes visibility only through the latest receipt handle of a message in flight", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 30 });
    queue.send(body(0));
    const [first] = await queue.receive(1, 0);
    const firstHandle = first?.receiptHandle ?? "";
    queue.changeVisibility(firstHandle, 0);
    const [second] = await queue.receive(1, 0);
    const secondHandle = second?.receiptHandle ?? "";

    // Act
    const stale = () => queue.changeVisibility(firstHandle, 10);
    queue.changeVisibility(secondHandle, 90);
    await s.run(T0 + 89_999);
    const stillHidden = await queue.receive(1, 0);
    await s.run(T0 + 90_000);
    const [third] = await queue.receive(1, 0);
    await s.run(T0 + 120_000);
    const notHeld = () => queue.changeVisibility(third?.receiptHandle ?? "", 10);

    // Assess
    expect(second?.attributes.ApproximateReceiveCount).toBe("2");
    expect(stale).toThrow(ReceiptHandleError);
    expect(stillHidden).toEqual([]);
    expect(third?.attributes.ApproximateReceiveCount).toBe("3");
    expect(notHeld).toThrow(MessageNotInflightError);
    expect(() => queue.changeVisibility(secondHandle, 43_201)).toThrow(ValidationError);
  });

  it("deletes with a superseded receipt handle, and reports handles it never issued as failed", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    queue.send(body(0));
    const [first] = await queue.receive(1, 0);
    queue.changeVisibility(first?.receiptHandle ?? "", 0);
    await queue.receive(1, 0);

    // Act
    const failed = queue.deleteBatch([first?.receiptHandle ?? "", "forged-handle"]);

    // Assess
    expect(failed).toEqual(["forged-handle"]);
    expect(queue.attributes()).toEqual({
      ApproximateNumberOfMessages: 0,
      ApproximateNumberOfMessagesNotVisible: 0,
      ApproximateNumberOfMessagesDelayed: 0,
    });
    expect(queue.counters().deleted).toBe(1);
    expect(() => queue.delete(first?.receiptHandle ?? "")).not.toThrow();
  });

  it("moves dead letters back to their source at the requested rate, as new messages", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { maxReceiveCount: 1, visibilityTimeoutSeconds: 10 });
    const { successful } = queue.sendBatch(entries([body(0), body(1), body(2)]));
    const ids = successful.map((s) => s.messageId);
    await queue.receive(10, 0);
    await s.run(T0 + 10_000);
    await queue.receive(10, 0);

    // Act
    const task = dlq.startMessageMoveTask({ maxNumberOfMessagesPerSecond: 2 });
    const afterFirstSecond = {
      status: task.status().status,
      inSource: queue.attributes().ApproximateNumberOfMessages,
    };
    await s.run();
    const back = await queue.receive(10, 0);

    // Assess
    expect(afterFirstSecond).toEqual({ status: "RUNNING", inSource: 2 });
    expect(task.status()).toMatchObject({
      status: "COMPLETED",
      approximateNumberOfMessagesMoved: 3,
      approximateNumberOfMessagesToMove: 3,
    });
    expect(s.now()).toBe(T0 + 11_000);
    expect(back.map((m) => m.body)).toEqual([body(0), body(1), body(2)]);
    expect(back.map((m) => m.messageId).filter((id) => ids.includes(id))).toEqual([]);
    expect(back.map((m) => m.attributes.ApproximateReceiveCount)).toEqual(["1", "1", "1"]);
    expect(back[0]?.attributes.SentTimestamp).toBe(String(T0 + 10_000));
    expect(dlq.counters().movedOut).toBe(3);
    expect([...dlq.bodies()]).toEqual([]);
    expect(dlq.attributes().ApproximateNumberOfMessages).toBe(0);
  });

  it("refuses a move task on a queue that is nobody's DLQ, or while one runs", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { maxReceiveCount: 1, visibilityTimeoutSeconds: 0 });
    queue.sendBatch(entries([body(0), body(1)]));
    await queue.receive(10, 0);
    await queue.receive(10, 0);

    // Act
    dlq.startMessageMoveTask({ maxNumberOfMessagesPerSecond: 1 });

    // Assess
    expect(() => dlq.startMessageMoveTask()).toThrow(MoveTaskError);
    expect(() => dlq.startMessageMoveTask()).toThrow(/^test-dlq: a message move task is already running$/);
    expect(() => queue.startMessageMoveTask()).toThrow(MoveTaskError);
  });

  it("purges visible, in-flight and delayed messages alike", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    queue.sendBatch([...entries([body(0), body(1)]), { id: "2", body: body(2), delaySeconds: 10 }]);
    const [held] = await queue.receive(1, 0);

    // Act
    queue.purge();
    await s.run(T0 + 60_000);

    // Assess
    expect(await queue.receive(10, 0)).toEqual([]);
    expect(queue.counters().purged).toBe(3);
    expect(queue.deleteBatch([held?.receiptHandle ?? ""])).toEqual([]);
  });

  it("gives the real MD5 of the body and deterministic, distinct ids", async () => {
    // Prepare
    const runOnce = async () => {
      const s = scheduler();
      const queue = singleQueue(s);
      queue.sendBatch(entries(["hello", "hello"]));
      return queue.receive(10, 0);
    };

    // Act
    const [a, b] = await Promise.all([runOnce(), runOnce()]);

    // Assess
    expect(a?.[0]?.md5OfBody).toBe(createHash("md5").update("hello").digest("hex"));
    expect({ ...a?.[0] }.md5OfBody).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(a?.map((m) => m.messageId)).toEqual(b?.map((m) => m.messageId));
    expect(new Set(a?.map((m) => m.messageId)).size).toBe(2);
  });

  it("names the field and value of a bad request", () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);

    // Act
    const tooMany = () => queue.receive(11, 0);
    const tooLong = () => queue.send(body(0), { delaySeconds: 901 });

    // Assess
    expect(tooMany).toThrow("MaxNumberOfMessages: must be an integer from 1 to 10 (got 11)");
    expect(tooLong).toThrow("DelaySeconds: must be an integer from 0 to 900 (got 901)");
  });

  it("serves the event source mapping through the QueuePort", async () => {
    // Prepare
    const s = scheduler();
    const { queue } = queuePair(s);
    const port = createVirtualQueuePort(queue, {
      arn: "arn:aws:sqs:ap-northeast-2:000000000000:test-queue",
      region: "ap-northeast-2",
    });
    queue.sendBatch(entries([body(0), body(1)]));

    // Act
    const messages = await port.receive(10, 0);
    const failed = await port.deleteBatch([...messages.map((m) => m.receiptHandle), "not-a-handle"]);

    // Assess
    expect(messages).toHaveLength(2);
    expect(failed).toEqual(["not-a-handle"]);
    expect(queue.counters()).toMatchObject({ sent: 2, received: 2, deleted: 2 });
  });

  it("lets the handler push a record's next delivery out through the VisibilityPort", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { visibilityTimeoutSeconds: 30 });
    const arn = "arn:aws:sqs:ap-northeast-2:000000000000:test-queue";
    const visibility = createVirtualVisibilityPort(
      new Map([
        [arn, queue],
        ["arn:dlq", dlq],
      ]),
    );
    queue.send(body(0));
    const [message] = await queue.receive(1, 0);

    // Act
    await visibility.changeVisibility(arn, message?.receiptHandle ?? "", 60);
    await s.run(T0 + 59_999);
    const before = await queue.receive(1, 0);
    await s.run(T0 + 60_000);
    const after = await queue.receive(1, 0);

    // Assess
    expect(before).toEqual([]);
    expect(after.map((m) => m.messageId)).toEqual([message?.messageId]);
    await expect(visibility.changeVisibility("arn:other", "h", 1)).rejects.toThrow(
      `eventSourceArn: must be one of ${arn}, arn:dlq (got "arn:other")`,
    );
  });
  it("wakes each waiting long poll with the send that comes while it waits, not only the first", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    s.after(1_000, () => queue.send(body(1)));
    s.after(4_000, () => queue.send(body(4)));
    s.after(9_000, () => queue.send(body(9)));
    const poll = async () => {
      const messages = await queue.receive(10, 20);
      return { bodies: messages.map((m) => m.body), at: s.now() - T0 };
    };

    // Act
    const answers = await inVirtualTime(s, async () => [await poll(), await poll(), await poll()]);

    // Assess
    expect(answers).toEqual([
      { bodies: [body(1)], at: 1_000 },
      { bodies: [body(4)], at: 4_000 },
      { bodies: [body(9)], at: 9_000 },
    ]);
  });

  it("counts as expired only the messages that outlive the retention period, not those deleted before", async () => {
    // Prepare
    const s = scheduler();
    const expired: string[] = [];
    const queue = singleQueue(s, { retentionSeconds: 60, onExpired: (b) => expired.push(b) });
    queue.sendBatch(entries([body(0), body(1), body(2)]));
    const [first, second] = await queue.receive(2, 0);
    queue.delete(first?.receiptHandle ?? "");
    queue.deleteBatch([second?.receiptHandle ?? ""]);

    // Act: expiry is applied when the queue is next looked at.
    await s.run(T0 + 60_000);
    const counters = queue.counters();

    // Assess
    expect(expired).toEqual([body(2)]);
    expect(counters).toMatchObject({ expired: 1, deleted: 2 });
    expect(queue.attributes().ApproximateNumberOfMessagesNotVisible).toBe(0);
  });
  it("bills an idle consumer's long polls one request per WaitTimeSeconds, each an empty receive", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    s.after(65_000, () => queue.send(body(0)));
    const answer = queue.receiveWhenAvailable(10, 20).then((messages) => ({
      bodies: messages.map((m) => m.body),
      at: s.now() - T0,
    }));

    // Act
    await s.run(T0 + 50_000);
    const at50s = queue.counters();
    await s.run();

    // Assess: polls start at 0, 20, 40 and 60 s and the first three end empty; the send is a request too.
    expect(at50s).toMatchObject({ requests: 3, emptyReceives: 2 });
    expect(await answer).toEqual({ bodies: [body(0)], at: 65_000 });
    expect(queue.counters()).toMatchObject({ requests: 5, emptyReceives: 3, received: 1 });
  });

  it("refuses receipt handles another queue issued, or that name no message or receive it made", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(s);
    queue.send(body(0));
    dlq.send(body(1));
    const [mine] = await queue.receive(1, 0);
    const [theirs] = await dlq.receive(1, 0);
    const [tag, seq] = (mine?.receiptHandle ?? "").split(":");

    // Act
    const refused = [
      theirs?.receiptHandle,
      `${tag}:${seq}:2`,
      `${tag}:${seq}:0`,
      `${tag}:1:1`,
      `${tag}:${seq}:1:extra`,
      `${tag}:${seq}`,
    ].map((handle) => catchError(() => queue.delete(handle ?? "")));
    queue.delete(mine?.receiptHandle ?? "");
    const gone = catchError(() => queue.changeVisibility(mine?.receiptHandle ?? "", 10));

    // Assess
    expect(refused.map((e) => e instanceof ReceiptHandleError)).toEqual([true, true, true, true, true, true]);
    expect(gone).toBeInstanceOf(ReceiptHandleError);
    expect(queue.counters().deleted).toBe(1);
  });
  it("keeps the messages sent while a purge runs: only those present at the call go", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    queue.send(body(0));
    queue.purge();
    s.after(30_000, () => queue.send(body(1)));

    // Act
    await s.run(T0 + 60_000);

    // Assess
    expect([...queue.bodies()]).toEqual([body(1)]);
    expect(queue.counters().purged).toBe(1);
  });

  it("moves only the dead letters visible when the task starts; one dead-lettered later waits for the next task", async () => {
    // Prepare: three dead letters, and a fourth to be dead-lettered after the task starts.
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { maxReceiveCount: 1, visibilityTimeoutSeconds: 0 });
    queue.sendBatch(entries([body(0), body(1), body(2)]));
    await queue.receive(10, 0);
    await queue.receive(10, 0);
    queue.send(body(3));
    await queue.receive(10, 0);

    // Act: two a second; the fourth is in the DLQ before the second batch.
    const task = dlq.startMessageMoveTask({ maxNumberOfMessagesPerSecond: 2 });
    await queue.receive(10, 0);
    await s.run(T0 + 10_000);

    // Assess
    expect(task.status()).toMatchObject({
      status: "COMPLETED",
      approximateNumberOfMessagesMoved: 3,
      approximateNumberOfMessagesToMove: 3,
    });
    expect([...dlq.bodies()]).toEqual([body(3)]);
    expect([...queue.bodies()]).toEqual([body(0), body(1), body(2)]);
  });

  it("stops a cancelled move task where it is, and fails one that meets a message no source dead-lettered", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { maxReceiveCount: 1, visibilityTimeoutSeconds: 0 });
    queue.sendBatch(entries([body(0), body(1), body(2)]));
    await queue.receive(10, 0);
    await queue.receive(10, 0);

    // Act
    const cancelled = dlq.startMessageMoveTask({ maxNumberOfMessagesPerSecond: 1 });
    cancelled.cancel();
    await s.run(T0 + 10_000);
    dlq.send(body(9));
    const failed = dlq.startMessageMoveTask();
    await s.run(T0 + 20_000);
    const redirected = dlq.startMessageMoveTask({ destination: queue, maxNumberOfMessagesPerSecond: 500 });
    await s.run(T0 + 30_000);

    // Assess: the failed task moved what came before the stray message, then stopped at it.
    expect(cancelled.status()).toMatchObject({ status: "CANCELLED", approximateNumberOfMessagesMoved: 1 });
    expect(failed.status()).toMatchObject({ status: "FAILED", approximateNumberOfMessagesMoved: 2 });
    expect(failed.status().failureReason).toMatch(
      /not dead-lettered from a source queue; give a destination/,
    );
    expect(redirected.status()).toMatchObject({ status: "COMPLETED", approximateNumberOfMessagesMoved: 1 });
    expect([...queue.bodies()]).toEqual([body(0), body(1), body(2), body(9)]);
    expect(() => dlq.startMessageMoveTask({ maxNumberOfMessagesPerSecond: 501 })).toThrow(ValidationError);
  });

  it("still expires the messages left after most of a large queue was deleted", async () => {
    // Prepare: 5,000 messages; 4,500 deleted, 500 left to expire.
    const s = scheduler();
    const queue = singleQueue(s, { retentionSeconds: 60, visibilityTimeoutSeconds: 0 });
    for (let n = 0; n < 500; n++)
      queue.sendBatch(entries(Array.from({ length: 10 }, (_, i) => body(n * 10 + i))));
    for (let n = 0; n < 450; n++) {
      const batch = await queue.receive(10, 0);
      queue.deleteBatch(batch.map((m) => m.receiptHandle));
    }

    // Act
    await s.run(T0 + 60_000);

    // Assess
    expect(queue.counters()).toMatchObject({ deleted: 4_500, expired: 500 });
    expect([...queue.bodies()]).toEqual([]);
  });
  it("names the queue attribute it refuses", () => {
    // Prepare
    const s = scheduler();
    const dlq = singleQueue(s, { name: "dlq" });
    const make = (overrides: Parameters<typeof singleQueue>[1]) => () => singleQueue(s, overrides);

    // Act
    const refused = [
      make({ name: "orders.fifo" }),
      make({ name: "x".repeat(81) }),
      make({ visibilityTimeoutSeconds: 43_201 }),
      make({ retentionSeconds: 59 }),
      make({ delaySeconds: 901 }),
      make({ receiveWaitSeconds: 21 }),
      make({ deadLetter: { queue: dlq, maxReceiveCount: 0 } }),
    ].map((create) => (catchError(create) as ValidationError | null)?.field);

    // Assess
    expect(refused).toEqual([
      "QueueName",
      "QueueName",
      "VisibilityTimeout",
      "MessageRetentionPeriod",
      "DelaySeconds",
      "ReceiveMessageWaitTimeSeconds",
      "RedrivePolicy.maxReceiveCount",
    ]);
    expect(singleQueue(s, { name: "A-z_0".padEnd(80, "9") }).name).toHaveLength(80);
  });

  it("says which queue name it refuses and what a queue name may be", () => {
    // Prepare
    const s = scheduler();

    // Act
    const refused = catchError(() => singleQueue(s, { name: "orders.fifo" })) as ValidationError;

    // Assess: as CreateQueue's InvalidParameterValue does, the rule (1 to 80 characters of
    // alphanumerics, hyphens and underscores) with the field and the name given.
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused.message).toMatch(/^QueueName: /);
    expect(refused.message).toContain('"orders.fifo"');
    expect(refused.message).toMatch(/\b1-80\b/);
    expect(refused.message).toMatch(/letters, digits, - or _/);
  });

  it("long-polls for ReceiveMessageWaitTimeSeconds when a receive gives no WaitTimeSeconds", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { receiveWaitSeconds: 20 });

    // Act
    const answer = await inVirtualTime(s, async () => ({
      messages: await queue.receive(),
      at: s.now() - T0,
    }));

    // Assess
    expect(answer).toEqual({ messages: [], at: 20_000 });
  });

  it("delivers each message with its SenderId and message attributes, the queue's SenderId by default", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { senderId: "AIDAQUEUEDEFAULT" });
    const attributes = { campaign: { dataType: "String", stringValue: "spring" } };
    queue.send(body(0), { senderId: "AIDAADMINAPI", messageAttributes: attributes });
    queue.send(body(1));
    const plain = singleQueue(s, { name: "plain" });
    plain.send(body(2));

    // Act
    const [own, byDefault] = await queue.receive(10, 0);
    const [fromPlain] = await plain.receive(10, 0);

    // Assess
    expect(own?.attributes.SenderId).toBe("AIDAADMINAPI");
    expect(own?.messageAttributes).toEqual(attributes);
    expect(byDefault?.attributes.SenderId).toBe("AIDAQUEUEDEFAULT");
    expect(byDefault?.messageAttributes).toEqual({});
    expect(fromPlain?.attributes.SenderId).toBe("AIDASMSIMVIRTUALSENDER");
  });
  it("delivers messages in the order they became visible: a delay that ended before a later send comes first", async () => {
    // Prepare: two delayed 5 s in order, then a plain send at 10 s with nothing received in between.
    const s = scheduler();
    const queue = singleQueue(s);
    queue.send(body(0), { delaySeconds: 5 });
    queue.sendBatch([{ id: "b", body: body(1), delaySeconds: 5 }]);
    await s.run(T0 + 10_000);
    queue.sendBatch(entries([body(2)]));
    queue.send(body(3));

    // Act
    const order = (await queue.receive(10, 0)).map((m) => m.body);

    // Assess
    expect(order).toEqual([body(0), body(1), body(2), body(3)]);
  });

  it("makes messages whose visibility ends at the same instant visible in the order it was changed", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 60 });
    queue.sendBatch(entries([body(0), body(1)]));
    const [a, b] = await queue.receive(10, 0);

    // Act
    queue.changeVisibility(b?.receiptHandle ?? "", 10);
    queue.changeVisibility(a?.receiptHandle ?? "", 10);
    await s.run(T0 + 10_000);

    // Assess
    expect((await queue.receive(10, 0)).map((m) => m.body)).toEqual([body(1), body(0)]);
  });

  it("wakes a waiting long poll for a delayed message, a shortened visibility, a sendBatch, and each later redelivery", async () => {
    // Prepare: A in flight until 30 s, B until 40 s; time is 10 s.
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 30 });
    queue.send(body(0));
    const [held] = await queue.receive(1, 0);
    await s.run(T0 + 10_000);
    queue.send(body(1));
    await queue.receive(1, 0);
    const answered = async (messages: Promise<{ body: string }[]>) =>
      `${(await messages).map((m) => m.body).join()} at ${s.now() - T0}`;
    const poll = (meanwhile: () => void) =>
      inVirtualTime(s, () => {
        const answer = answered(queue.receive(10, 20));
        meanwhile();
        return answer;
      });

    // Act
    const delayed = await poll(() => queue.send(body(2), { delaySeconds: 3 }));
    const shortened = await poll(() => queue.changeVisibility(held?.receiptHandle ?? "", 5));
    const batched = await poll(() => s.after(1_000, () => queue.sendBatch(entries([body(3)]))));
    await s.run(T0 + 30_000);
    const redelivered = await inVirtualTime(s, () =>
      Promise.all([answered(queue.receive(10, 20)), answered(queue.receive(10, 20))]),
    );

    // Assess: B is visible again at 40 s, C (received at 13 s) at 43 s.
    expect([delayed, shortened, batched]).toEqual([
      `${body(2)} at 13000`,
      `${body(0)} at 18000`,
      `${body(3)} at 19000`,
    ]);
    expect(redelivered).toEqual([`${body(1)} at 40000`, `${body(2)} at 43000`]);
  });
  it("says why it refuses a request: the field, the reason and the value", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { visibilityTimeoutSeconds: 60 });
    queue.send(body(0));
    const [message] = await queue.receive(1, 0);
    const handle = message?.receiptHandle ?? "";
    const [tag, seq] = handle.split(":");
    await s.run(T0 + 1_000);

    // Act
    const messages = [
      () => queue.receive(1, 21),
      () => queue.receiveWhenAvailable(1, 0),
      () => queue.receiveWhenAvailable(11, 20),
      () => queue.deleteBatch([]),
      () => queue.changeVisibility(handle, 43_201),
      () => queue.changeVisibility(handle, 43_200),
      () => queue.changeVisibility(`${tag}:${seq}:2`, 10),
      () => queue.delete(`${tag}:${seq}:2`),
      () => queue.delete("other:0:1"),
      () => queue.startMessageMoveTask(),
      () => dlq.startMessageMoveTask({ maxNumberOfMessagesPerSecond: 0 }),
      () => queue.sendBatch(entries([body(1), ""])).failed[0]?.message,
      () => queue.send(""),
      () => queue.send(body(1), { delaySeconds: 901 }),
      () => queue.delete(`${tag}:-1:1`),
    ].map((act) => {
      try {
        return act();
      } catch (error) {
        return (error as Error).message;
      }
    });
    queue.delete(handle);

    // Assess
    expect(messages).toEqual([
      "WaitTimeSeconds: must be an integer from 0 to 20 (got 21)",
      "WaitTimeSeconds: must be an integer from 1 to 20 (got 0)",
      "MaxNumberOfMessages: must be an integer from 1 to 10 (got 11)",
      "Entries.length: must be an integer from 1 to 10 (got 0)",
      "VisibilityTimeout: must be an integer from 0 to 43200 (got 43201)",
      "VisibilityTimeout: would keep the message invisible more than 12 hours after its receive (got 43200)",
      `ReceiptHandle "${tag}:${seq}:2": never issued`,
      `ReceiptHandle "${tag}:${seq}:2": never issued`,
      'ReceiptHandle "other:0:1": not issued by queue test-queue',
      "test-queue: not the dead-letter queue of any source queue",
      "MaxNumberOfMessagesPerSecond: must be an integer from 1 to 500 (got 0)",
      'Entries.1.MessageBody: must be a non-empty string (got "")',
      'MessageBody: must be a non-empty string (got "")',
      "DelaySeconds: must be an integer from 0 to 900 (got 901)",
      `ReceiptHandle "${tag}:-1:1": not issued by queue test-queue`,
    ]);
    expect(catchError(() => queue.changeVisibility(handle, 10))).toMatchObject({
      message: `ReceiptHandle "${handle}": the message no longer exists`,
    });
  });

  it("names a superseded receipt handle as superseded", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 0 });
    queue.send(body(0));
    const [first] = await queue.receive(1, 0);
    await queue.receive(1, 0);

    // Act
    const stale = catchError(() => queue.changeVisibility(first?.receiptHandle ?? "", 10));

    // Assess
    expect((stale as Error).message).toMatch(/superseded by a newer receive$/);
  });

  it("gives message IDs in the form of a UUID", () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);

    // Act
    const ids = [
      queue.send(body(0)),
      ...queue.sendBatch(entries([body(1)])).successful.map((r) => r.messageId),
    ];

    // Assess
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-0000-4000-8000-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(2);
  });

  it("answers a receiveWhenAvailable at once when a message is visible, and wakes it when one becomes visible again", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 30 });
    queue.send(body(0));

    // Act
    const first = await queue.receiveWhenAvailable(10, 20);
    const again = await inVirtualTime(s, async () => {
      const messages = await queue.receiveWhenAvailable(10, 20);
      return { count: messages[0]?.attributes.ApproximateReceiveCount, at: s.now() - T0 };
    });

    // Assess
    expect(first.map((m) => m.body)).toEqual([body(0)]);
    expect(again).toEqual({ count: "2", at: 30_000 });
  });

  it("keeps the highest receive count it has returned, not the latest", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 0 });
    queue.send(body(0));
    for (let i = 0; i < 3; i++) await queue.receive(1, 0);
    const [again] = await queue.receive(1, 0);
    queue.delete(again?.receiptHandle ?? "");
    queue.send(body(1));

    // Act
    await queue.receive(1, 0);

    // Assess
    expect(queue.counters().maxReceiveCountSeen).toBe(4);
  });

  it("counts a message as expired, not deleted, when its retention ends before the delete", async () => {
    // Prepare: visible again only after its retention (60 s) has ended.
    const s = scheduler();
    const queue = singleQueue(s, { retentionSeconds: 60, visibilityTimeoutSeconds: 120 });
    queue.send(body(0));
    const [message] = await queue.receive(1, 0);
    await s.run(T0 + 60_000);

    // Act
    queue.delete(message?.receiptHandle ?? "");

    // Assess
    expect(queue.counters()).toMatchObject({ expired: 1, deleted: 0 });
  });

  it("purges a message still delayed, and counts one whose retention ended first as expired", async () => {
    // Prepare: 61 s retention; body(1) expires at 61 s, the purge (called at 10 s) runs at 70 s.
    const s = scheduler();
    const queue = singleQueue(s, { retentionSeconds: 61 });
    queue.send(body(1));
    await s.run(T0 + 10_000);
    queue.send(body(0), { delaySeconds: 900 });
    queue.purge();

    // Act
    await s.run(T0 + 70_000);

    // Assess
    expect(queue.attributes()).toEqual({
      ApproximateNumberOfMessages: 0,
      ApproximateNumberOfMessagesNotVisible: 0,
      ApproximateNumberOfMessagesDelayed: 0,
    });
    expect(queue.counters()).toMatchObject({ purged: 1, expired: 1 });
  });
  it("moves dead letters into a waiting long poll, counts them moved in, and bills the calls made before a failure", async () => {
    // Prepare: two dead letters into a waiting DLQ poll, in flight there until 30 s; then a stray.
    const s = scheduler();
    const { queue, dlq } = queuePair(
      s,
      { maxReceiveCount: 1, visibilityTimeoutSeconds: 0 },
      { visibilityTimeoutSeconds: 30 },
    );
    queue.sendBatch(entries([body(0), body(1)]));
    await queue.receive(10, 0);
    const dlqPoll = dlq.receive(10, 20);
    await queue.receive(10, 0);
    const inspected = await inVirtualTime(s, () => dlqPoll.then((m) => `${m.length} at ${s.now() - T0}`));
    await s.run(T0 + 30_000);
    dlq.send(body(9));
    const sourcePoll = queue.receive(10, 20).then((m) => `${m.map((x) => x.body).join()} at ${s.now() - T0}`);
    const dlqBefore = dlq.counters().requests;

    // Act
    const task = dlq.startMessageMoveTask();
    const moved = await inVirtualTime(s, () => sourcePoll);

    // Assess: one batch of two: a receive and a delete on the DLQ, a send on the source.
    expect(inspected).toBe("2 at 0");
    expect(task.status()).toMatchObject({ status: "FAILED", approximateNumberOfMessagesToMove: 3 });
    expect(moved).toBe(`${body(0)},${body(1)} at 30000`);
    expect(queue.counters().movedIn).toBe(2);
    expect(dlq.counters().requests - dlqBefore).toBe(1 + 2);
  });

  it("completes a move task whose messages someone else received, keeps a finished task's status, and names each task", async () => {
    // Prepare
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { maxReceiveCount: 1, visibilityTimeoutSeconds: 0 });
    queue.sendBatch(entries([body(0), body(1)]));
    await queue.receive(10, 0);
    await queue.receive(10, 0);

    // Act
    const task = dlq.startMessageMoveTask({ maxNumberOfMessagesPerSecond: 1 });
    await dlq.receive(10, 0);
    await s.run(T0 + 5_000);
    task.cancel();
    const next = dlq.startMessageMoveTask();

    // Assess
    expect(task.status()).toMatchObject({ status: "COMPLETED", approximateNumberOfMessagesMoved: 1 });
    expect(next.taskHandle).not.toBe(task.taskHandle);
    expect(task.taskHandle).toMatch(/^[0-9a-f]{8}-move-1$/);
  });

  it("counts a message as expired in counters read the instant its retention ends, with no call in between", async () => {
    // Prepare: a 60 s retention; nothing touches the queue after the send.
    const s = scheduler();
    const queue = singleQueue(s, { retentionSeconds: 60 });
    queue.send(body(0));
    await s.run(T0 + 60_000 - 1);
    const justBefore = queue.counters().expired;

    // Act
    await s.run(T0 + 60_000);
    const atRetentionEnd = queue.counters().expired;

    // Assess
    expect([justBefore, atRetentionEnd]).toEqual([0, 1]);
  });

  it("moves a dead letter whose visibility timeout in the DLQ has just ended, started with no call in between", async () => {
    // Prepare: the dead letter is received from the DLQ at 0 s and visible there again at 30 s.
    const s = scheduler();
    const { queue, dlq } = queuePair(
      s,
      { maxReceiveCount: 1, visibilityTimeoutSeconds: 0 },
      { visibilityTimeoutSeconds: 30 },
    );
    queue.send(body(0));
    await queue.receive(1, 0);
    await queue.receive(1, 0);
    await dlq.receive(1, 0);
    await s.run(T0 + 30_000);

    // Act
    const task = dlq.startMessageMoveTask();
    const back = await queue.receive(10, 0);

    // Assess
    expect(task.status()).toMatchObject({
      status: "COMPLETED",
      approximateNumberOfMessagesMoved: 1,
      approximateNumberOfMessagesToMove: 1,
    });
    expect(back.map((m) => m.body)).toEqual([body(0)]);
  });

  it("lets a dead letter whose retention ends while a move task runs expire, not move", async () => {
    // Prepare: two dead letters sent at 0 s into a 60 s DLQ; one a second, from 59.5 s.
    const s = scheduler();
    const { queue, dlq } = queuePair(
      s,
      { maxReceiveCount: 1, visibilityTimeoutSeconds: 0, retentionSeconds: 60 },
      { retentionSeconds: 60 },
    );
    queue.sendBatch(entries([body(0), body(1)]));
    await queue.receive(10, 0);
    await queue.receive(10, 0);
    await s.run(T0 + 59_500);

    // Act: the first moves at 59.5 s; the second's retention ends at 60 s, before the tick at 60.5 s.
    const task = dlq.startMessageMoveTask({ maxNumberOfMessagesPerSecond: 1 });
    await s.run();
    const back = await queue.receive(10, 0);

    // Assess
    expect(s.now()).toBe(T0 + 60_500);
    expect(task.status()).toMatchObject({
      status: "COMPLETED",
      approximateNumberOfMessagesMoved: 1,
      approximateNumberOfMessagesToMove: 2,
    });
    expect(back.map((m) => m.body)).toEqual([body(0)]);
    expect(dlq.counters()).toMatchObject({ expired: 1, movedOut: 1 });
  });

  it("gives a dead letter its place after DLQ messages whose visibility ended before it arrived", async () => {
    // Prepare: message 0 reaches the DLQ at 20 s and is in flight there from 20 s to 30 s;
    // message 1 is in flight in the source from 20 s to 40 s.
    const s = scheduler();
    const { queue, dlq } = queuePair(
      s,
      { maxReceiveCount: 1, visibilityTimeoutSeconds: 20 },
      { visibilityTimeoutSeconds: 10 },
    );
    queue.send(body(0));
    await queue.receive(1, 0);
    await s.run(T0 + 20_000);
    await queue.receive(1, 0);
    queue.send(body(1));
    await queue.receive(1, 0);
    await dlq.receive(1, 0);
    await s.run(T0 + 40_000);

    // Act: this receive dead-letters message 1 at 40 s, 10 s after message 0 became visible again.
    await queue.receive(1, 0);
    const inDlq = await dlq.receive(10, 0);

    // Assess
    expect(inDlq.map((m) => m.body)).toEqual([body(0), body(1)]);
  });

  it("gives a message moved back its place after messages whose visibility ended before it arrived", async () => {
    // Prepare: a dead letter waits in the DLQ; the destination's own message is in flight to 10 s.
    const s = scheduler();
    const { queue, dlq } = queuePair(s, { maxReceiveCount: 1, visibilityTimeoutSeconds: 0 });
    queue.send(body(0));
    await queue.receive(1, 0);
    await queue.receive(1, 0);
    const destination = singleQueue(s, { visibilityTimeoutSeconds: 10 });
    destination.send(body(1));
    await destination.receive(1, 0);
    await s.run(T0 + 10_000);

    // Act: the move lands at 10 s, the instant message 1 became visible again.
    const task = dlq.startMessageMoveTask({ destination });
    const received = await destination.receive(10, 0);

    // Assess
    expect(task.status().status).toBe("COMPLETED");
    expect(received.map((m) => m.body)).toEqual([body(1), body(0)]);
  });

  it("answers a long poll at once with the messages already visible", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    queue.sendBatch(entries([body(0), body(1)]));

    // Act
    const answer = await inVirtualTime(s, async () => ({
      bodies: (await queue.receive(10, 20)).map((m) => m.body),
      at: s.now() - T0,
    }));

    // Assess
    expect(answer).toEqual({ bodies: [body(0), body(1)], at: 0 });
    expect(queue.counters()).toMatchObject({ requests: 2, received: 2, emptyReceives: 0 });
  });

  it("leaves a message sent after a long poll ended empty for the next receive", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    const ended = await inVirtualTime(s, () => queue.receive(1, 5));

    // Act
    queue.send(body(0));
    await s.run();
    const next = await queue.receive(1, 0);

    // Assess
    expect(ended).toEqual([]);
    expect(next.map((m) => m.body)).toEqual([body(0)]);
    expect(queue.counters()).toMatchObject({ received: 1, emptyReceives: 1 });
  });

  it("does not hand a receiveWhenAvailable a message whose retention has just ended", async () => {
    // Prepare: message 0 expires at 60 s; message 1 comes 30 s later.
    const s = scheduler();
    const queue = singleQueue(s, { retentionSeconds: 60 });
    queue.send(body(0));
    await s.run(T0 + 60_000);
    s.after(30_000, () => queue.send(body(1)));

    // Act
    const answer = await inVirtualTime(s, async () => ({
      bodies: (await queue.receiveWhenAvailable(10, 20)).map((m) => m.body),
      at: s.now() - T0,
    }));

    // Assess
    expect(answer).toEqual({ bodies: [body(1)], at: 60_000 + 30_000 });
    expect(queue.counters().expired).toBe(1);
  });

  it("lets an error thrown by its onExpired callback reach deleteBatch's caller, not pass for a failed handle", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s, {
      retentionSeconds: 60,
      onExpired: () => {
        throw new Error("owner's accounting failed");
      },
    });
    queue.send(body(0));
    const [held] = await queue.receive(1, 0);
    await s.run(T0 + 60_000);

    // Act
    const outcome = catchError(() => queue.deleteBatch([held?.receiptHandle ?? ""]));

    // Assess
    expect(outcome).toMatchObject({ message: "owner's accounting failed" });
  });

  it("gives the age of the oldest message left when the oldest's retention has just ended", async () => {
    // Prepare: sent at 0 s and 20 s, 60 s retention.
    const s = scheduler();
    const queue = singleQueue(s, { retentionSeconds: 60 });
    queue.send(body(0));
    s.after(20_000, () => queue.send(body(1)));

    // Act
    await s.run(T0 + 60_000);
    const age = queue.ageOfOldestMessageSeconds();

    // Assess
    expect(age).toBe(60 - 20);
  });

  it("keeps no wake-up for a waiting long poll when the message in flight was deleted", async () => {
    // Prepare
    const s = scheduler();
    const queue = singleQueue(s);
    queue.send(body(0));
    const [held] = await queue.receive(1, 0);
    queue.delete(held?.receiptHandle ?? "");

    // Act
    void queue.receiveWhenAvailable(1, 20);

    // Assess: an idle consumer costs no event.
    expect(s.pending()).toBe(0);
  });

  it("wakes a waiting long poll at the visibility a message in flight was changed to, not the one before", async () => {
    // Prepare: visible again at 30 s, then changed to 100 s.
    const s = scheduler();
    const queue = singleQueue(s, { visibilityTimeoutSeconds: 30 });
    queue.send(body(0));
    const [held] = await queue.receive(1, 0);
    queue.changeVisibility(held?.receiptHandle ?? "", 100);
    const firedBefore = s.stats().fired;

    // Act
    const poll = queue
      .receiveWhenAvailable(1, 20)
      .then((m) => ({ count: m[0]?.attributes.ApproximateReceiveCount, at: s.now() - T0 }));
    await s.run(T0 + 100_000 - 1);
    const firedWhileHidden = s.stats().fired - firedBefore;
    const answer = await inVirtualTime(s, () => poll);

    // Assess
    expect(firedWhileHidden).toBe(0);
    expect(answer).toEqual({ count: "2", at: 100_000 });
  });

  it("serves a long poll waiting when a message becomes visible again before a receive made at that instant", async () => {
    // Prepare: the first poll waits for the message in flight until 30 s; a receive is timed for
    // 30 s; then a second poll starts waiting.
    const s = scheduler();
    const queue = singleQueue(s);
    queue.send(body(0));
    await queue.receive(1, 0);
    const got = { first: -1, timed: -1 };
    void queue.receiveWhenAvailable(1, 20).then((m) => {
      got.first = m.length;
    });
    s.at(T0 + 30_000, () => {
      void queue.receive(1, 0).then((m) => {
        got.timed = m.length;
      });
    });
    void queue.receive(1, 20);

    // Act
    await s.run(T0 + 30_000);

    // Assess
    expect(got).toEqual({ first: 1, timed: 0 });
  });
});
