import { describe, expect, it } from "vitest";
import { ALARM_STATE_CODES, type RunTimeline } from "../../../reports/summary";
import { campaignOf, DLQ_ALARM, runScenario, VISIBILITY_TIMEOUT_MS } from "./engine-fixtures";

/** Per message, carrier attempts when each fails with `p` and the k-th failure dead-letters it. */
function attemptMoments(p: number, k: number): { mean: number; variance: number } {
  let mean = 0;
  let square = 0;
  for (let attempts = 1; attempts <= k; attempts++) {
    // Attempt n happens after n - 1 failures; the last one happens whatever the others did.
    const probability = attempts < k ? p ** (attempts - 1) * (1 - p) : p ** (k - 1);
    mean += attempts * probability;
    square += attempts * attempts * probability;
  }
  return { mean, variance: square - mean * mean };
}

/** Start, in seconds, of the first minute that ends with a message in the DLQ. */
function firstDlqMinuteSeconds(timeline: RunTimeline): number {
  const minute = timeline.dlqDepth.findIndex((depth) => depth > 0);
  if (minute < 0) throw new Error("no message reached the DLQ");
  return minute * 60;
}

/** The 4-sigma band: a correct model falls outside it for 6 seeds in 100,000. */
const SIGMAS = 4;
const PERIOD_SECONDS = 300;
const ALARM_GRACE_SECONDS = 120;

describe("retries and the DLQ against probability", () => {
  it.each([
    { p: 0.5, maxReceiveCount: 3, messages: 4_000 },
    { p: 0.5, maxReceiveCount: 5, messages: 6_400 },
  ])(
    "transient failures with p = $p and maxReceiveCount $maxReceiveCount dead-letter about p^k of $messages messages",
    async ({ p, maxReceiveCount: k, messages }) => {
      // Prepare: every carrier call fails with p, independently (no in-handler retries: the template's
      // CARRIER_RETRIES is 0); a failed record alone returns (partial batch response) after the
      // visibility timeout; the receive after its k-th failure moves it to the DLQ. So a message is
      // dead-lettered with p^k, and the count is binomial(messages, p^k).
      const { summary, timeline } = await runScenario({
        seed: 42,
        infra: { overrides: { "MessagingQueue.RedrivePolicy.maxReceiveCount": k } },
        carrier: { latencyMs: { dist: "fixed", value: 10 }, transientFailureRate: p },
        recipients: messages * 10,
      });

      // Act
      const dead = summary.queue.movedToDlq;
      const expectedDead = messages * p ** k;
      const deadSigma = Math.sqrt(messages * p ** k * (1 - p ** k));
      const attempts = attemptMoments(p, k);

      // Assess
      expect(Math.abs(dead - expectedDead)).toBeLessThanOrEqual(SIGMAS * deadSigma);
      expect(Math.abs(summary.carrier.requests - messages * attempts.mean)).toBeLessThanOrEqual(
        SIGMAS * Math.sqrt(messages * attempts.variance),
      );
      // Each receive is one carrier call; each call either fails or lets its message be deleted.
      expect(summary.queue.received).toBe(summary.carrier.requests);
      expect(summary.carrier.transientErrors).toBe(summary.carrier.requests - summary.queue.deleted);
      expect(summary.queue.deleted + dead).toBe(messages);
      expect(summary.queue.maxApproximateReceiveCount).toBe(k);
      expect(summary.recipients).toMatchObject({
        requested: messages * 10,
        sent: (messages - dead) * 10,
        inDlq: dead * 10,
        unaccounted: 0,
      });
      // The first DLQ message arrived no earlier than the start of the first minute ending with one.
      const alarmAt = summary.alarms[0]?.transitions.find((t) => t.to === "ALARM")?.atSeconds;
      expect(alarmAt).toBeDefined();
      expect((alarmAt as number) - firstDlqMinuteSeconds(timeline)).toBeLessThanOrEqual(
        PERIOD_SECONDS + ALARM_GRACE_SECONDS,
      );
    },
  );
});

describe("the DLQ alarm against CloudWatch's period arithmetic", () => {
  // One message (10 recipients) sent at 4m1s. With VisibilityTimeout 120 s and idle pollers, each
  // receive happens the instant the message is visible again: at 241, 361 and 481 s. At 601 s it has
  // been received maxReceiveCount = 3 times, so the queue moves it to the DLQ. The alarm (Sum of
  // ApproximateNumberOfMessagesVisible >= 1 over Period 300 s, 1 of 1) sees it in the period
  // [600 s, 900 s) and evaluates that period when it completes, at 900 s: 299 s after the message,
  // the worst case of one period. The first evaluation, at 300 s, found the DLQ empty: OK.
  const oneMessageAt = (transientFailureRate: number) =>
    runScenario({
      carrier: { latencyMs: { dist: "fixed", value: 50 }, transientFailureRate },
      traffic: [{ name: "campaign", start: "4m1s", recipients: 10 }],
    });

  it("reaches ALARM within one period plus two minutes of the first DLQ message, and tells Slack", async () => {
    // Prepare: a carrier that fails every call
    const firstDlqSeconds = 601;

    // Act
    const { summary, timeline } = await oneMessageAt(1);

    // Assess
    expect(summary.queue.movedToDlq).toBe(1);
    // Its recipients left the pipeline when it was dead-lettered: 601 - 241 s after the send.
    expect(campaignOf(summary).drainSeconds).toBe(360);
    expect(timeline.dlqDepth.findIndex((depth) => depth > 0)).toBe(Math.floor(firstDlqSeconds / 60));
    const [alarm] = summary.alarms;
    expect(alarm?.name).toBe(DLQ_ALARM);
    expect(alarm?.transitions).toEqual([
      { atSeconds: 300, from: "INSUFFICIENT_DATA", to: "OK" },
      { atSeconds: 900, from: "OK", to: "ALARM" },
    ]);
    expect(900 - firstDlqSeconds).toBeLessThanOrEqual(PERIOD_SECONDS + ALARM_GRACE_SECONDS);
    expect(summary.notifications.map((n) => [n.atSeconds, n.alarm, n.state])).toEqual([
      [900, DLQ_ALARM, "ALARM"],
    ]);
  });

  it("stays OK in a control run of the same traffic without failures", async () => {
    // Prepare: the carrier never fails

    // Act
    const { summary, timeline } = await oneMessageAt(0);

    // Assess
    expect(summary.queue.movedToDlq).toBe(0);
    expect(timeline.dlqDepth.every((depth) => depth === 0)).toBe(true);
    expect(summary.alarms[0]?.transitions).toEqual([{ atSeconds: 300, from: "INSUFFICIENT_DATA", to: "OK" }]);
    // OK from the first evaluation (end of minute 4) to the end of the run.
    const states = timeline.alarms[0]?.state ?? [];
    expect(states.slice(4)).toEqual(new Array(timeline.minutes - 4).fill(ALARM_STATE_CODES.OK));
    expect(summary.notifications).toEqual([]);
  });
});

describe("a campaign's drain", () => {
  it("ends when its last recipient is dead-lettered, not when the DLQ later lets the message expire", async () => {
    // Prepare: every carrier call fails, so all 10 messages reach the DLQ after 3 receives (about
    // 1m + 3 x 120 s); the DLQ keeps a message 20 minutes from its first enqueue, so they expire at 21m
    const { summary } = await runScenario({
      infra: { overrides: { "MessagingDLQ.MessageRetentionPeriod": 1200 } },
      carrier: { latencyMs: { dist: "fixed", value: 10 }, transientFailureRate: 1 },
      recipients: 100,
    });
    // Act
    const campaign = campaignOf(summary);
    // Assess: settled in the DLQ within minutes; the expiry is its own figure
    expect(summary.queue.movedToDlq).toBe(10);
    expect(summary.recipients).toMatchObject({ sent: 0, inDlq: 0, expired: 100, unaccounted: 0 });
    expect(campaign.drainSeconds).toBeGreaterThanOrEqual(3 * 120);
    expect(campaign.drainSeconds).toBeLessThan(600);
    expect(campaign.latencySeconds).toEqual({ p50: null, p95: null, p99: null });
    // In the DLQ from the move (1m + drain) until the expiry at 21m.
    expect(campaign.expiredRecipients).toBe(100);
    expect(campaign.dlq).toEqual({ recipients: 0, longestSeconds: 21 * 60 - (60 + campaign.drainSeconds) });
  });
});

describe("time in the DLQ, per campaign", () => {
  it("counts a campaign's dead-lettered recipients and how long they have sat in the DLQ, apart from its drain", async () => {
    // Prepare: the carrier is down for the first 15 minutes. "outage" (100 recipients, sent at 1m)
    // fails its 3 receives, one a visibility timeout (2 min) apart, and the 4th receive, at about
    // 7m, moves its messages to the DLQ, where they stay until the run ends at 40m. "after" is sent
    // at 20m and delivered.
    const { summary } = await runScenario({
      duration: "40m",
      carrier: { latencyMs: { dist: "fixed", value: 100 }, outages: [{ start: 0, duration: "15m" }] },
      traffic: [
        { name: "outage", start: "1m", recipients: 100 },
        { name: "after", start: "20m", recipients: 100 },
      ],
      thresholds: {
        "recipients_in_dlq{campaign:outage}": "count == 100",
        "recipients_in_dlq{campaign:after}": "count == 0",
        recipients_in_dlq: "count == 100",
        "campaign_dlq_seconds{campaign:outage}": ["value >= 1920", "value <= 1980"],
      },
    });
    // Act
    const outage = campaignOf(summary, "outage");
    const after = campaignOf(summary, "after");
    // Assess: moved no earlier than 1m + 3 visibility timeouts (7m), within a minute of it
    const movedAtSeconds = 40 * 60 - outage.dlq.longestSeconds;
    expect(movedAtSeconds).toBeGreaterThanOrEqual(60 + 3 * (VISIBILITY_TIMEOUT_MS / 1000));
    expect(movedAtSeconds).toBeLessThanOrEqual(60 + 3 * (VISIBILITY_TIMEOUT_MS / 1000) + 60);
    expect(outage.dlq.recipients).toBe(100);
    // Its drain ended at the move: time in the DLQ is not drain time.
    expect(outage.drainSeconds).toBe(movedAtSeconds - 60);
    expect(after.dlq).toEqual({ recipients: 0, longestSeconds: 0 });
    expect(summary.thresholds.map((t) => [t.metric, t.expression, t.value, t.ok])).toEqual([
      ["recipients_in_dlq{campaign:outage}", "count == 100", 100, true],
      ["recipients_in_dlq{campaign:after}", "count == 0", 0, true],
      ["recipients_in_dlq", "count == 100", 100, true],
      ["campaign_dlq_seconds{campaign:outage}", "value >= 1920", outage.dlq.longestSeconds, true],
      ["campaign_dlq_seconds{campaign:outage}", "value <= 1980", outage.dlq.longestSeconds, true],
    ]);
  });
});
