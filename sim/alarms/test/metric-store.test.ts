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
    store.record(SQS_METRICS.sent, DLQ, T0 + 1_000, 10);
    store.record(SQS_METRICS.sent, DLQ, T0 + 59_999, 4);

    // Act
    const sum = store.statistic(SQS_METRICS.sent, DLQ, T0, T0 + MINUTE_MS, "Sum");
    const count = store.statistic(SQS_METRICS.sent, DLQ, T0, T0 + MINUTE_MS, "SampleCount");
    const min = store.statistic(SQS_METRICS.sent, DLQ, T0, T0 + MINUTE_MS, "Minimum");

    // Assess
    expect([sum, count, min]).toEqual([14, 2, 4]);
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

  it("rejects a non-finite value, naming the series", () => {
    // Prepare
    const store = createMetricStore();

    // Act
    const act = () => store.record(SQS_METRICS.visible, DLQ, T0, Number.NaN);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(/ApproximateNumberOfMessagesVisible\{QueueName=messaging-dlq\}\.value/);
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
