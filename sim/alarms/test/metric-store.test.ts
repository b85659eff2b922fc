import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { createMetricStore, MINUTE_MS } from "../metric-store";
import { createSqsMetricsPublisher, SQS_IDLE_CUTOFF_MS, SQS_METRICS } from "../sqs-metrics";
import { sqsSample, T0 } from "./fixtures";

const DLQ = { QueueName: "messaging-dlq" };

describe("metric store", () => {
  it("aggregates a period's minutes with each CloudWatch statistic", () => {
    // Prepare
    const store = createMetricStore();
    [3, 0, 7, 2].forEach((v, i) => {
      store.record(SQS_METRICS.visible, DLQ, T0 + i * MINUTE_MS, v);
    });
    const stat = (s: "Sum" | "Average" | "Minimum" | "Maximum" | "SampleCount") =>
      store.statistic(SQS_METRICS.visible, DLQ, T0, T0 + 5 * MINUTE_MS, s);

    // Act
    const all = [stat("Sum"), stat("Average"), stat("Minimum"), stat("Maximum"), stat("SampleCount")];

    // Assess
    expect(all).toEqual([12, 3, 0, 7, 4]);
  });

  it("keeps several values in one minute as a statistic set", () => {
    // Prepare
    const store = createMetricStore();
    [10, 4, 7].forEach((v, i) => {
      store.record(SQS_METRICS.sent, DLQ, T0 + i * 20_000, v);
    });
    const stat = (s: "Sum" | "Average" | "Minimum" | "Maximum" | "SampleCount") =>
      store.statistic(SQS_METRICS.sent, DLQ, T0, T0 + MINUTE_MS, s);

    // Act
    const all = [stat("Sum"), stat("Average"), stat("Minimum"), stat("Maximum"), stat("SampleCount")];

    // Assess
    expect(all).toEqual([21, 7, 4, 10, 3]);
  });

  it("leaves minutes without data out of every statistic, negative values included", () => {
    // Prepare: data in the first and third minute of the period only
    const store = createMetricStore();
    store.record("Custom", DLQ, T0, -3);
    store.record("Custom", DLQ, T0 + 2 * MINUTE_MS, -7);
    const stat = (s: "Sum" | "Average" | "Minimum" | "Maximum" | "SampleCount") =>
      store.statistic("Custom", DLQ, T0, T0 + 5 * MINUTE_MS, s);

    // Act
    const all = [stat("Sum"), stat("Average"), stat("Minimum"), stat("Maximum"), stat("SampleCount")];

    // Assess
    expect(all).toEqual([-10, -5, -7, -3, 2]);
  });

  it("finds a datapoint in the first minute of a day after a day without data", () => {
    // Prepare: nothing on 2026-11-06, one datapoint at 2026-11-07T00:00Z
    const store = createMetricStore();
    const midnight = Date.UTC(2026, 10, 7);
    store.record(SQS_METRICS.visible, DLQ, midnight, 1);

    // Act
    const sum = store.statistic(SQS_METRICS.visible, DLQ, T0, midnight + 60 * MINUTE_MS, "Sum");

    // Assess
    expect(sum).toBe(1);
  });

  it("answers undefined for a period without data, and only counts minutes starting inside the range", () => {
    // Prepare
    const store = createMetricStore();
    store.record(SQS_METRICS.visible, DLQ, T0 + 5 * MINUTE_MS, 1);

    // Act
    const before = store.statistic(SQS_METRICS.visible, DLQ, T0, T0 + 5 * MINUTE_MS, "Sum");
    const containing = store.statistic(
      SQS_METRICS.visible,
      DLQ,
      T0 + 5 * MINUTE_MS,
      T0 + 10 * MINUTE_MS,
      "Sum",
    );

    // Assess
    expect(before).toBeUndefined();
    expect(containing).toBe(1);
  });

  it("treats record-style and CloudFormation-style dimensions, and the bare SQS name, as one series", () => {
    // Prepare
    const store = createMetricStore();
    store.record(SQS_METRICS.visible, { QueueName: "q" }, T0, 2);
    store.record(
      { namespace: "AWS/SQS", metricName: SQS_METRICS.visible },
      [{ name: "QueueName", value: "q" }],
      T0,
      3,
    );

    // Act
    const sum = store.statistic(
      SQS_METRICS.visible,
      [{ name: "QueueName", value: "q" }],
      T0,
      T0 + MINUTE_MS,
      "Sum",
    );
    const otherQueue = store.statistic(
      SQS_METRICS.visible,
      { QueueName: "other" },
      T0,
      T0 + MINUTE_MS,
      "Sum",
    );

    // Assess
    expect(sum).toBe(5);
    expect(otherQueue).toBeUndefined();
  });

  it("holds a month of minutes and sums across day boundaries", () => {
    // Prepare
    const store = createMetricStore();
    const minutes = 30 * 24 * 60;
    const series = store.series(SQS_METRICS.received, DLQ);
    for (let i = 0; i < minutes; i++) series.record(T0 + i * MINUTE_MS, i % 10);

    // Act
    const total = series.statistic(T0, T0 + minutes * MINUTE_MS, "Sum");
    const lastDayMax = series.statistic(
      T0 + (minutes - 1440) * MINUTE_MS,
      T0 + minutes * MINUTE_MS,
      "Maximum",
    );

    // Assess
    expect(total).toBe((minutes / 10) * 45);
    expect(lastDayMax).toBe(9);
  });

  it("treats dimensions given in another order as the same series", () => {
    // Prepare
    const store = createMetricStore();
    store.record("Custom", { QueueName: "q", Stage: "prod" }, T0, 2);
    store.record(
      "Custom",
      [
        { name: "Stage", value: "prod" },
        { name: "QueueName", value: "q" },
      ],
      T0,
      3,
    );

    // Act
    const sum = store.statistic("Custom", { Stage: "prod", QueueName: "q" }, T0, T0 + MINUTE_MS, "Sum");

    // Assess
    expect(sum).toBe(5);
  });

  it("rejects a time that is not a finite epoch ms, naming the series", () => {
    // Prepare
    const store = createMetricStore();

    // Act
    const act = () => store.record(SQS_METRICS.visible, DLQ, Number.POSITIVE_INFINITY, 1);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(
      "AWS/SQS/ApproximateNumberOfMessagesVisible{QueueName=messaging-dlq}.atMs: must be a finite epoch ms",
    );
  });

  it("rejects a non-finite value, naming the series", () => {
    // Prepare
    const store = createMetricStore();

    // Act
    const act = () => store.record(SQS_METRICS.visible, DLQ, T0, Number.NaN);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(
      "AWS/SQS/ApproximateNumberOfMessagesVisible{QueueName=messaging-dlq}.value: must be a finite number",
    );
  });
});

describe("SQS metrics publisher", () => {
  it("stops publishing after 6 h without activity and resumes with the next message", () => {
    // Prepare
    const store = createMetricStore();
    const publisher = createSqsMetricsPublisher(store, { queueName: "messaging-dlq", startMs: T0 });
    const idleMinutes = SQS_IDLE_CUTOFF_MS / MINUTE_MS;

    // Act
    const published: boolean[] = [];
    for (let i = 0; i < idleMinutes + 10; i++)
      published.push(publisher.publish(T0 + i * MINUTE_MS, sqsSample()));
    const resumed = publisher.publish(T0 + (idleMinutes + 10) * MINUTE_MS, sqsSample({ visible: 1 }));

    // Assess
    expect(published.filter(Boolean)).toHaveLength(idleMinutes);
    expect(published[idleMinutes - 1]).toBe(true);
    expect(published[idleMinutes]).toBe(false);
    expect(resumed).toBe(true);
    const visibleAfterCutoff = store.statistic(
      SQS_METRICS.visible,
      DLQ,
      T0 + SQS_IDLE_CUTOFF_MS,
      T0 + SQS_IDLE_CUTOFF_MS + 10 * MINUTE_MS,
      "SampleCount",
    );
    expect(visibleAfterCutoff).toBeUndefined();
  });

  // SQS developer guide, sqs-available-cloudwatch-metrics: a queue is active while it holds messages or
  // any API action (including a ReceiveMessage that returns nothing) touches it.
  it.each([
    { notVisible: 1 },
    { delayed: 1 },
    { sent: 1 },
    { received: 1 },
    { deleted: 1 },
    { emptyReceives: 1 },
  ])("keeps publishing past 6 h while the queue sees %o every minute", (activity) => {
    // Prepare
    const store = createMetricStore();
    const publisher = createSqsMetricsPublisher(store, { queueName: "busy", startMs: T0 });
    const minutes = SQS_IDLE_CUTOFF_MS / MINUTE_MS + 10;

    // Act
    let published = 0;
    for (let i = 0; i < minutes; i++)
      if (publisher.publish(T0 + i * MINUTE_MS, sqsSample(activity))) published++;

    // Assess
    expect(published).toBe(minutes);
  });

  it("publishes nothing for a queue idle at the start until its first message", () => {
    // Prepare
    const store = createMetricStore();
    const publisher = createSqsMetricsPublisher(store, {
      queueName: "messaging-dlq",
      startMs: T0,
      idleAtStart: true,
    });

    // Act
    const published = [sqsSample(), sqsSample(), sqsSample({ visible: 1 }), sqsSample()].map((sample, i) =>
      publisher.publish(T0 + i * MINUTE_MS, sample),
    );

    // Assess
    expect(published).toEqual([false, false, true, true]);
    expect(store.statistic(SQS_METRICS.visible, DLQ, T0, T0 + 4 * MINUTE_MS, "SampleCount")).toBe(2);
  });

  it.each([
    [{ idleCutoffMs: 0 }, "idleCutoffMs: must be a positive number of ms, or null (got 0)"],
    [{ idleCutoffMs: -MINUTE_MS }, "idleCutoffMs: must be a positive number of ms, or null (got -60000)"],
    [{ resumeDelayMs: -1 }, "resumeDelayMs: must be >= 0 (got -1)"],
  ])("rejects %o, saying what it takes", (options, message) => {
    // Act
    const act = () =>
      createSqsMetricsPublisher(createMetricStore(), { queueName: "q", startMs: T0, ...options });

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(message);
  });

  it("holds a queue's first minutes back when it wakes from idle, and records them together once resumeDelayMs has passed", () => {
    // Prepare: a DLQ idle at the start whose first message arrives in minute 2; metrics resume 3 minutes late
    const store = createMetricStore();
    const publisher = createSqsMetricsPublisher(store, {
      queueName: "messaging-dlq",
      startMs: T0,
      idleAtStart: true,
      resumeDelayMs: 3 * MINUTE_MS,
    });
    const visibleCount = () =>
      store.statistic(SQS_METRICS.visible, DLQ, T0, T0 + 10 * MINUTE_MS, "SampleCount") ?? 0;

    // Act
    const published: [boolean, number][] = [];
    for (let i = 0; i < 6; i++) {
      const done = publisher.publish(T0 + i * MINUTE_MS, sqsSample({ visible: i >= 2 ? 1 : 0 }));
      published.push([done, visibleCount()]);
    }

    // Assess: minutes 2 and 3 are held; at the end of minute 4 (2 + 3) all three reach the store
    expect(published).toEqual([
      [false, 0],
      [false, 0],
      [false, 0],
      [false, 0],
      [true, 3],
      [true, 4],
    ]);
  });

  it("keeps publishing while messages sit in the queue, and forever with idleCutoffMs null", () => {
    // Prepare
    const store = createMetricStore();
    const holding = createSqsMetricsPublisher(store, { queueName: "holding", startMs: T0 });
    const dense = createSqsMetricsPublisher(store, { queueName: "dense", startMs: T0, idleCutoffMs: null });
    const minutes = SQS_IDLE_CUTOFF_MS / MINUTE_MS + 60;

    // Act
    let holdingCount = 0;
    let denseCount = 0;
    for (let i = 0; i < minutes; i++) {
      if (holding.publish(T0 + i * MINUTE_MS, sqsSample({ visible: 3 }))) holdingCount++;
      if (dense.publish(T0 + i * MINUTE_MS, sqsSample())) denseCount++;
    }

    // Assess
    expect(holdingCount).toBe(minutes);
    expect(denseCount).toBe(minutes);
    expect(
      store.statistic(
        SQS_METRICS.deleted,
        { QueueName: "dense" },
        T0,
        T0 + minutes * MINUTE_MS,
        "SampleCount",
      ),
    ).toBe(minutes);
  });
});
