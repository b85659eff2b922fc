import { describe, expect, it } from "vitest";
import { ValidationError } from "../../domain/errors";
import { MAX_CONTENT_LENGTH } from "../../domain/message-body";
import {
  type BulkSendRequest,
  bulkSendRequestSchema,
  idempotencyKey,
  MAX_RECIPIENTS_PER_REQUEST,
} from "../../handler/carrier/carrier-api";
import { type CarrierDecision, createCarrierModel } from "../model";
import { bulkBody, modelOnFakeClock, phoneOf, range, responseBody, statusOf } from "./fixtures";

describe("carrier model: rate limits", () => {
  it("admits at most R requests in any 1 s window at R requests/s", () => {
    // Prepare: 10 requests/s, offered 100 requests/s for 5 s
    const { model, at } = modelOnFakeClock({ rateLimit: { requestsPerSecond: 10 } });

    // Act
    for (let t = 0; t < 5000; t += 10) at(t).handle({ body: bulkBody([1]) });

    // Assess: each second's first 10 (t = 0..90, 1,000..1,090, ...) get through, no window holds more
    const stats = model.stats();
    expect(stats.accepted).toBe(10 * 5);
    expect(stats.rateLimited).toBe(500 - 50);
    expect(stats.maxAcceptedRequestsPerSecond).toBe(10);
  });

  it("admits R*T recipients at R recipients/s over T seconds", () => {
    // Prepare: 100 recipients/s, offered 10 every 10 ms (1,000/s) for 5 s
    const { model, at } = modelOnFakeClock({ rateLimit: { recipientsPerSecond: 100 } });

    // Act
    for (let t = 0; t < 5000; t += 10) at(t).handle({ body: bulkBody(range(t, 10)) });

    // Assess
    const stats = model.stats();
    expect(stats.recipientsAccepted).toBe(100 * 5);
    expect(stats.maxAcceptedRecipientsPerSecond).toBe(100);
  });

  it("answers Retry-After with the whole seconds until the window has room", () => {
    // Prepare: 0.2 requests/s, so one every 5 s
    const { at } = modelOnFakeClock({ rateLimit: { requestsPerSecond: 0.2 } });
    const send = () => ({ body: bulkBody([1]) });

    // Act
    const first = at(0).handle(send());
    const immediately = at(0).handle(send());
    const twoSecondsLater = at(2000).handle(send());
    const whenRefilled = at(5000).handle(send());

    // Assess
    expect(statusOf(first)).toBe(200);
    expect(immediately).toMatchObject({
      kind: "rate-limited",
      status: 429,
      retryAfterSeconds: 5,
      message: "request rate limit exceeded; retry after 5 s",
    });
    expect(twoSecondsLater).toMatchObject({ kind: "rate-limited", retryAfterSeconds: 3 });
    expect(statusOf(whenRefilled)).toBe(200);
  });

  it("lets a request bigger than the recipient limit through into an empty window only", () => {
    // Prepare: 10 recipients/s
    const { at } = modelOnFakeClock({ rateLimit: { recipientsPerSecond: 10 } });

    // Act
    const ten = at(0).handle({ body: bulkBody(range(1, 10)) });
    const tenMore = at(0).handle({ body: bulkBody(range(11, 10)) });
    const big = at(1000).handle({ body: bulkBody(range(21, 25)) });
    const afterBig = at(1000).handle({ body: bulkBody(range(46, 10)) });

    // Assess: the 25 fill the window opened at 1,000 ms; 10 more fit once it has passed
    expect(statusOf(ten)).toBe(200);
    expect(tenMore).toMatchObject({
      kind: "rate-limited",
      retryAfterSeconds: 1,
      message: "recipient rate limit exceeded; retry after 1 s",
    });
    expect(statusOf(big)).toBe(200);
    expect(afterBig).toMatchObject({ kind: "rate-limited", retryAfterSeconds: 1 });
  });

  it("applies a new rate to the requests already in the window, and unlimited means no 429", () => {
    // Prepare: 1 request/s, its window full
    const { model, at } = modelOnFakeClock({ rateLimit: { requestsPerSecond: 1 } });
    at(0).handle({ body: bulkBody([1]) });

    // Act
    at(500);
    model.reconfigure({ rateLimit: { requestsPerSecond: 100 } });
    const afterRaise = at(500).handle({ body: bulkBody([1]) });
    model.reconfigure({ rateLimit: { requestsPerSecond: null } });
    const unlimited = range(0, 1000).map(() => at(500).handle({ body: bulkBody([1]) }));

    // Assess: the window holds 1 of the new 100
    expect(statusOf(afterRaise)).toBe(200);
    expect(unlimited.every((d) => statusOf(d) === 200)).toBe(true);
  });
});

describe("carrier model: configuration at run time", () => {
  it("applies a recipient rate changed at run time to the recipients already in the window", () => {
    // Prepare: 100 recipients/s, 10 of them taken
    const { model, at } = modelOnFakeClock({ rateLimit: { recipientsPerSecond: 100 } });
    at(0).handle({ body: bulkBody(range(1, 10)) });

    // Act
    model.reconfigure({ rateLimit: { recipientsPerSecond: 10 } });
    const afterCut = at(0).handle({ body: bulkBody(range(11, 10)) });
    model.reconfigure({ rateLimit: { recipientsPerSecond: 1000 } });
    const afterRaise = at(0).handle({ body: bulkBody(range(21, 10)) });

    // Assess: the window holds 10, all of the new 10 and 1% of the new 1,000
    expect(afterCut).toMatchObject({ kind: "rate-limited", retryAfterSeconds: 1 });
    expect(statusOf(afterRaise)).toBe(200);
  });

  it("reports the configuration in force, changes included", () => {
    // Prepare
    const { model } = modelOnFakeClock({ rejectRate: 0.1 });

    // Act
    model.reconfigure({ rateLimit: { requestsPerSecond: 50 } });
    const config = model.config();

    // Assess
    expect(config).toMatchObject({ rejectRate: 0.1, rateLimit: { requestsPerSecond: 50 } });
  });

  it("remembers no key it received while not honouring keys, once it starts to", () => {
    // Prepare
    const { model, at } = modelOnFakeClock({ honourIdempotencyKey: false });
    const body = bulkBody([1, 2]);
    const first = at(0).handle({ idempotencyKey: "my key", body });

    // Act
    model.reconfigure({ honourIdempotencyKey: true });
    const second = at(1).handle({ idempotencyKey: "my key", body });

    // Assess
    expect(responseBody(second).requestId).not.toBe(responseBody(first).requestId);
    expect(model.stats()).toMatchObject({ duplicateDeliveriesByKey: 0, duplicateDeliveriesByContent: 2 });
  });
});

describe("carrier model: latency", () => {
  it("samples a lognormal latency whose p50 and p99 match the config", () => {
    // Prepare
    const { at } = modelOnFakeClock({ latencyMs: { dist: "lognormal", p50: 80, p99: 400 } });

    // Act
    const delays = range(0, 20_000)
      .map(() => at(0).handle({ body: bulkBody([1]) }))
      .map((d) => (d.kind === "response" ? d.delayMs : Number.NaN))
      .sort((a, b) => a - b);

    // Assess
    expect(delays[10_000]).toBeGreaterThan(80 * 0.97);
    expect(delays[10_000]).toBeLessThan(80 * 1.03);
    expect(delays[19_800]).toBeGreaterThan(400 * 0.95);
    expect(delays[19_800]).toBeLessThan(400 * 1.05);
  });

  it("keeps a uniform latency within its bounds, and delays errors too", () => {
    // Prepare
    const { at } = modelOnFakeClock({ latencyMs: { dist: "uniform", min: 20, max: 30 } });

    // Act
    const decisions = range(0, 200).map((i) => at(0).handle({ body: i % 2 === 0 ? bulkBody([1]) : {} }));

    // Assess
    const delays = decisions.map((d) => (d.kind === "response" || d.kind === "error" ? d.delayMs : -1));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...delays)).toBeLessThan(30);
  });
});

describe("carrier model: outages and faults", () => {
  it("answers 503 during a scheduled outage, by absolute or relative start", () => {
    // Prepare: absolute outage [1000, 1500)
    const { model, at } = modelOnFakeClock({ outages: [{ startMs: 1000, durationMs: 500 }] });
    const send = (t: number) => statusOf(at(t).handle({ body: bulkBody([1]) }));

    // Act
    const absolute = [999, 1000, 1499, 1500].map(send);
    at(2000);
    model.reconfigure({ outages: [{ startInMs: 100, durationMs: 50 }] });
    const relative = [2099, 2100, 2149, 2150].map(send);

    // Assess
    expect(absolute).toEqual([200, 503, 503, 200]);
    expect(relative).toEqual([200, 503, 503, 200]);
    expect(model.stats()).toMatchObject({ outageErrors: 4, accepted: 4 });
  });

  it("fails about the configured share of requests with 500 or 503", () => {
    // Prepare
    const { model, at } = modelOnFakeClock({ transientFailureRate: 0.2 });

    // Act
    const statuses = range(0, 2000).map(() => statusOf(at(0).handle({ body: bulkBody([1]) })));

    // Assess: binomial(2000, 0.2) has a standard deviation of about 18
    const failures = statuses.filter((s) => s !== 200).length;
    expect(model.stats().transientErrors).toBe(failures);
    expect(failures).toBeGreaterThan(400 - 90);
    expect(failures).toBeLessThan(400 + 90);
    expect(new Set(statuses)).toEqual(new Set([200, 500, 503]));
  });

  it.each([
    ["connectionResetRate", "reset"],
    ["timeoutRate", "timeout"],
  ] as const)("fails about the configured share of requests at %s", (rate, kind) => {
    // Prepare
    const { at } = modelOnFakeClock({ [rate]: 0.2 });

    // Act
    const decisions = range(0, 2000).map(() => at(0).handle({ body: bulkBody([1]) }));

    // Assess: binomial(2000, 0.2) has a standard deviation of about 18
    const failed = decisions.filter((d) => d.kind === kind).length;
    expect(failed).toBeGreaterThan(400 - 90);
    expect(failed).toBeLessThan(400 + 90);
  });

  it("delivers a timed-out request without answering it, and delivers nothing on a connection reset", () => {
    // Prepare
    const timeouts = modelOnFakeClock({ timeoutRate: 1, timeoutHangMs: 12_000 });
    const resets = modelOnFakeClock({ connectionResetRate: 1 });

    // Act
    const timedOut = timeouts.at(0).handle({ body: bulkBody([1, 2]) });
    const reset = resets.at(0).handle({ body: bulkBody([1, 2]) });

    // Assess
    expect(timedOut).toEqual({ kind: "timeout", hangMs: 12_000 });
    expect(timeouts.model.stats()).toMatchObject({ timeouts: 1, accepted: 0, recipientsAccepted: 2 });
    expect(reset.kind).toBe("reset");
    expect(resets.model.stats()).toMatchObject({ resets: 1, accepted: 0, recipientsAccepted: 0 });
  });
});

describe("carrier model: recipients", () => {
  it("rejects numbers that are not Korean mobiles and accepts the usual spellings of ones that are", () => {
    // Prepare
    const body: BulkSendRequest = {
      content: "hello",
      recipients: [
        { to: "010-1234-5678", ref: "a" },
        { to: "+82 10 1234 5678", ref: "b" },
        { to: "02-123-4567", ref: "c" },
        { to: "not a number", ref: "d" },
      ],
    };
    const { at } = modelOnFakeClock();

    // Act
    const { results } = responseBody(at(0).handle({ body }));

    // Assess
    expect(results.map((r) => [r.ref, r.status, r.errorCode])).toEqual([
      ["a", "ACCEPTED", undefined],
      ["b", "ACCEPTED", undefined],
      ["c", "REJECTED", "INVALID_NUMBER"],
      ["d", "REJECTED", "INVALID_NUMBER"],
    ]);
    expect(results.map((r) => r.carrierMessageId)).toEqual(["req-1-0", "req-1-1", undefined, undefined]);
  });

  it("finds no subscriber for about invalidRecipientRate of numbers, the same ones every time", () => {
    // Prepare
    const { model, at } = modelOnFakeClock({ invalidRecipientRate: 0.3 });
    const users = range(1, 1000);
    const invalidRefs = (content: string) =>
      responseBody(at(0).handle({ body: bulkBody(users, { content }) }))
        .results.filter((r) => r.errorCode === "INVALID_NUMBER")
        .map((r) => r.ref);

    // Act
    const first = invalidRefs("first");
    const second = invalidRefs("second");

    // Assess: binomial(1000, 0.3) has a standard deviation of about 14.5
    expect(first.length).toBeGreaterThan(300 - 60);
    expect(first.length).toBeLessThan(300 + 60);
    expect(second).toEqual(first);
    expect(model.stats().recipientsRejected).toBe(2 * first.length);
  });

  it("rejects about rejectRate of recipients with errorCode REJECTED", () => {
    // Prepare
    const { at } = modelOnFakeClock({ rejectRate: 0.2 });

    // Act
    const { results } = responseBody(at(0).handle({ body: bulkBody(range(1, 1000)) }));

    // Assess: binomial(1000, 0.2) has a standard deviation of about 12.6
    const rejected = results.filter((r) => r.errorCode === "REJECTED").length;
    expect(rejected).toBeGreaterThan(200 - 50);
    expect(rejected).toBeLessThan(200 + 50);
    expect(results.filter((r) => r.status === "ACCEPTED")).toHaveLength(1000 - rejected);
  });
});

describe("carrier model: duplicates", () => {
  it("replays the original response for a repeated Idempotency-Key and delivers nothing again", () => {
    // Prepare
    const { model, at } = modelOnFakeClock({ rejectRate: 0.5 });
    const key = idempotencyKey(1, 0);
    const body = bulkBody(range(1, 10));

    // Act
    const original = at(0).handle({ idempotencyKey: key, body });
    const replay = at(60_000).handle({ idempotencyKey: key, body });

    // Assess
    expect(replay).toEqual({ ...original, delayMs: 0 });
    expect(model.stats()).toMatchObject({
      accepted: 2,
      duplicateDeliveriesByKey: 1,
      duplicateDeliveriesByContent: 0,
      recipientsAccepted: responseBody(original).results.filter((r) => r.status === "ACCEPTED").length,
    });
  });

  it.each([10, 40])(
    "replays its own outcomes for %i recipients after other requests were decided",
    (recipients) => {
      // Prepare: half the recipients rejected at random, so each request decides differently
      const { at } = modelOnFakeClock({ rejectRate: 0.5 });
      const key = idempotencyKey(1, 0);
      const body = bulkBody(range(1, recipients));
      const original = at(0).handle({ idempotencyKey: key, body });
      const others = range(0, 5).map((i) =>
        at(1).handle({ idempotencyKey: idempotencyKey(2, i), body: bulkBody(range(1, 50), { logId: 2 }) }),
      );

      // Act
      const replay = at(2).handle({ idempotencyKey: key, body });

      // Assess
      expect(responseBody(replay)).toEqual(responseBody(original));
      expect(others.map((d) => statusOf(d))).toEqual(Array(5).fill(200));
    },
  );

  it("counts a replay as a request with no new recipients in the busiest second", () => {
    // Prepare
    const { model, at } = modelOnFakeClock();
    const key = idempotencyKey(1, 0);
    at(0).handle({ idempotencyKey: key, body: bulkBody([1, 2]) });

    // Act
    at(10).handle({ idempotencyKey: key, body: bulkBody([1, 2]) });

    // Assess
    expect(model.acceptedPerSecond()).toEqual([{ second: 0, requests: 2, recipients: 2 }]);
    expect(model.stats()).toMatchObject({
      maxAcceptedRequestsPerSecond: 2,
      maxAcceptedRecipientsPerSecond: 2,
    });
  });

  it("replays responses of more than 15 recipients and of keys not made by the handler", () => {
    // Prepare
    const { at } = modelOnFakeClock({ rejectRate: 0.5 });
    const body = bulkBody(range(1, 40));

    // Act
    const original = at(0).handle({ idempotencyKey: "my key", body });
    const replay = at(1).handle({ idempotencyKey: "my key", body });

    // Assess
    expect(responseBody(replay)).toEqual(responseBody(original));
  });

  it("forgets a key after idempotencyTtlMs, so the same chunk is delivered twice", () => {
    // Prepare
    const { model, at } = modelOnFakeClock({ idempotencyTtlMs: 1000 });
    const key = idempotencyKey(7, 3);
    const body = bulkBody(range(1, 10), { logId: 7 });

    // Act
    const original = at(0).handle({ idempotencyKey: key, body });
    const withinTtl = at(999).handle({ idempotencyKey: key, body });
    const afterTtl = at(1000).handle({ idempotencyKey: key, body });

    // Assess
    expect(responseBody(withinTtl).requestId).toBe(responseBody(original).requestId);
    expect(responseBody(afterTtl).requestId).not.toBe(responseBody(original).requestId);
    expect(model.stats()).toMatchObject({ duplicateDeliveriesByKey: 1, duplicateDeliveriesByContent: 10 });
  });

  it("with honourIdempotencyKey off delivers a repeated key again, as a keyless carrier would", () => {
    // Prepare
    const { model, at } = modelOnFakeClock({ honourIdempotencyKey: false });
    const key = idempotencyKey(2, 0);
    const body = bulkBody(range(1, 10), { logId: 2 });

    // Act
    const original = at(0).handle({ idempotencyKey: key, body });
    const retry = at(1).handle({ idempotencyKey: key, body });

    // Assess
    expect(responseBody(retry).requestId).not.toBe(responseBody(original).requestId);
    expect(model.stats()).toMatchObject({ duplicateDeliveriesByKey: 0, duplicateDeliveriesByContent: 10 });
  });

  it("counts a replayed key against the request limit but not the recipient limit", () => {
    // Prepare: the first request fills the recipient window
    const { at } = modelOnFakeClock({ rateLimit: { requestsPerSecond: 2, recipientsPerSecond: 10 } });
    const key = idempotencyKey(1, 0);
    const body = bulkBody(range(1, 10));
    at(0).handle({ idempotencyKey: key, body });

    // Act
    const replay = at(0).handle({ idempotencyKey: key, body });
    const thirdRequest = at(0).handle({ idempotencyKey: key, body });

    // Assess
    expect(statusOf(replay)).toBe(200);
    expect(thirdRequest).toMatchObject({ kind: "rate-limited", retryAfterSeconds: 1 });
  });

  it("refuses a key reused for a different request with 422", () => {
    // Prepare
    const { model, at } = modelOnFakeClock();
    const key = idempotencyKey(1, 0);
    at(0).handle({ idempotencyKey: key, body: bulkBody([1, 2]) });

    // Act
    const otherRecipients = at(0).handle({ idempotencyKey: key, body: bulkBody([1, 3]) });
    const otherContent = at(0).handle({ idempotencyKey: key, body: bulkBody([1, 2], { content: "other" }) });

    // Assess
    expect(otherRecipients).toMatchObject({ kind: "error", status: 422, code: "IDEMPOTENCY_CONFLICT" });
    expect(statusOf(otherContent)).toBe(422);
    expect(model.stats()).toMatchObject({ badRequests: 2, recipientsAccepted: 2 });
  });

  it("refuses a key reused with refs not made by the handler, or with another template", () => {
    // Prepare
    const { at } = modelOnFakeClock();
    const withRefs = (refs: string[], templateId?: string): BulkSendRequest => ({
      content: "x",
      ...(templateId === undefined ? {} : { templateId }),
      recipients: refs.map((ref, i) => ({ to: phoneOf(i + 1), ref })),
    });
    at(0).handle({ idempotencyKey: "refs", body: withRefs(["order-a", "order-b"]) });
    at(0).handle({ idempotencyKey: "template", body: withRefs(["order-a"], "welcome") });

    // Act
    const otherRefs = at(0).handle({ idempotencyKey: "refs", body: withRefs(["order-a", "order-c"]) });
    const otherTemplate = at(0).handle({
      idempotencyKey: "template",
      body: withRefs(["order-a"], "goodbye"),
    });
    const sameAgain = at(0).handle({ idempotencyKey: "refs", body: withRefs(["order-a", "order-b"]) });

    // Assess
    expect([otherRefs, otherTemplate].map(statusOf)).toEqual([422, 422]);
    expect(statusOf(sameAgain)).toBe(200);
  });

  it("counts accepted deliveries of a (ref, content) pair already accepted as duplicates", () => {
    // Prepare: a campaign's refs, and refs the handler would never make
    const { model, at } = modelOnFakeClock();
    const other: BulkSendRequest = { content: "x", recipients: [{ to: phoneOf(1), ref: "user-1" }] };

    // Act: the same chunk under two keys, the same users with another text, a foreign ref twice
    at(0).handle({ idempotencyKey: "a", body: bulkBody(range(1, 10)) });
    at(0).handle({ idempotencyKey: "b", body: bulkBody(range(1, 10)) });
    at(0).handle({ body: bulkBody(range(1, 10), { content: "another campaign text" }) });
    at(0).handle({ body: other });
    at(0).handle({ body: other });

    // Assess
    expect(model.stats().duplicateDeliveriesByContent).toBe(10 + 1);
  });

  it("tells apart refs that only pack alike if leading zeros were ignored", () => {
    // Prepare
    const { model, at } = modelOnFakeClock();
    const withRef = (ref: string): BulkSendRequest => ({
      content: "x",
      recipients: [{ to: phoneOf(1), ref }],
    });

    // Act
    for (const ref of ["1:2", "01:2", "1:02", "1:2"]) at(0).handle({ body: withRef(ref) });

    // Assess
    expect(model.stats().duplicateDeliveriesByContent).toBe(1);
  });
});

describe("carrier model: validation", () => {
  const invalid: [string, unknown, string][] = [
    ["no recipients", { content: "x", recipients: [] }, "body.recipients"],
    ["a recipient without to", { content: "x", recipients: [{ ref: "1:1" }] }, "body.recipients.0.to"],
    [
      "an unknown key",
      { content: "x", recipients: [{ to: "01012345678", ref: "1", cc: "" }] },
      "body.recipients.0.cc",
    ],
    ["content too long", { ...bulkBody([1]), content: "x".repeat(MAX_CONTENT_LENGTH + 1) }, "body.content"],
    ["not an object", "hello", "body"],
  ];

  it.each(invalid)("answers 400 naming the field for %s", (_name, body, field) => {
    // Prepare
    const { model, at } = modelOnFakeClock();

    // Act
    const decision = at(0).handle({ body });

    // Assess
    expect(decision).toMatchObject({ kind: "error", status: 400, code: "BAD_REQUEST" });
    expect((decision as { message: string }).message.startsWith(`${field}: `)).toBe(true);
    expect(model.stats()).toMatchObject({ badRequests: 1, requests: 1 });
  });

  it("answers 400 naming Idempotency-Key for a key longer than 255 characters", () => {
    // Prepare
    const { at } = modelOnFakeClock();

    // Act
    const decision = at(0).handle({ idempotencyKey: "k".repeat(256), body: bulkBody([1]) });

    // Assess
    expect(decision).toMatchObject({ status: 400, message: expect.stringMatching(/^Idempotency-Key: /) });
  });

  it("accepts exactly the bodies the carrier-api schema accepts", () => {
    // Prepare: bodies at and just past every limit
    const recipients = (count: number) => bulkBody(range(1, count)).recipients;
    const bodies: unknown[] = [
      { content: "x".repeat(MAX_CONTENT_LENGTH), recipients: recipients(1) },
      { content: "", recipients: recipients(1) },
      { content: "x", templateId: "t".repeat(64), recipients: recipients(1) },
      { content: "x", templateId: "t".repeat(65), recipients: recipients(1) },
      { content: "x", templateId: undefined, recipients: recipients(1) },
      { content: "x", recipients: recipients(MAX_RECIPIENTS_PER_REQUEST) },
      { content: "x", recipients: recipients(MAX_RECIPIENTS_PER_REQUEST + 1) },
      { content: "x", recipients: [{ to: "0".repeat(32), ref: "r".repeat(128) }] },
      { content: "x", recipients: [{ to: "0".repeat(33), ref: "r" }] },
      { content: "x", recipients: [{ to: "0", ref: "r".repeat(129) }] },
      { content: "x", recipients: [{ to: "0", ref: 1 }] },
      { content: "x", recipients: [null] },
      { content: "x", recipients: {} },
      Object.assign(Object.create(null), { content: "x", recipients: recipients(1) }),
      Object.assign(Object.create({ inherited: true }), { content: "x", recipients: recipients(1) }),
      new (class {
        content = "x";
        recipients = recipients(1);
      })(),
      { content: "x", recipients: recipients(1), extra: true },
      null,
      [],
    ];
    const { at } = modelOnFakeClock();

    // Act
    const verdicts = bodies.map((body) => statusOf(at(0).handle({ body })) !== 400);

    // Assess
    expect(verdicts).toEqual(bodies.map((body) => bulkSendRequestSchema.safeParse(body).success));
  });

  it("throws a ValidationError naming the field for a bad config", () => {
    // Prepare
    const { model } = modelOnFakeClock();

    // Act
    const reconfigure = () => model.reconfigure({ transientFailureRate: 2 });

    // Assess
    expect(reconfigure).toThrow(ValidationError);
    expect(reconfigure).toThrow(/^carrier\.transientFailureRate: /);
  });
});

describe("carrier model: determinism and bookkeeping", () => {
  const noisy = {
    latencyMs: { dist: "lognormal", p50: 50, p99: 500 },
    transientFailureRate: 0.2,
    timeoutRate: 0.1,
    connectionResetRate: 0.1,
    rejectRate: 0.1,
    invalidRecipientRate: 0.1,
  } as const;
  const traffic = (handle: (t: number, userIds: number[]) => CarrierDecision) =>
    range(0, 300).map((i) => handle(i * 7, range(i * 10, 10)));

  it("decides the same way for the same seed, and differently for another", () => {
    // Prepare
    const runs = [1, 1, 2].map((seed) => modelOnFakeClock(noisy, seed));

    // Act
    const [a, b, c] = runs.map(({ at }) => traffic((t, users) => at(t).handle({ body: bulkBody(users) })));

    // Assess
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("starts over from the seed after reset()", () => {
    // Prepare
    const { model, at } = modelOnFakeClock(noisy, 5);
    const first = traffic((t, users) => at(t).handle({ body: bulkBody(users) }));

    // Act
    model.reset();
    const again = traffic((t, users) => at(t).handle({ body: bulkBody(users) }));

    // Assess
    expect(again).toEqual(first);
    expect(model.stats().requests).toBe(300);
  });

  it("finds the busiest 1-second sliding window, which whole seconds can miss", () => {
    // Prepare: two accepted requests in second 0 and three in second 1, four of them within 1 s
    const { model, at } = modelOnFakeClock();

    // Act
    for (const t of [0, 600, 1100, 1500, 1550]) at(t).handle({ body: bulkBody([1, 2]) });

    // Assess
    expect(model.acceptedPerSecond()).toEqual([
      { second: 0, requests: 2, recipients: 4 },
      { second: 1, requests: 3, recipients: 6 },
    ]);
    expect(model.stats()).toMatchObject({
      maxAcceptedRequestsPerSecond: 4,
      maxAcceptedRecipientsPerSecond: 8,
    });
  });

  it("logs each request's outcome, status and delay, and answers each failure with its code and words", () => {
    // Prepare: 5 ms latency, an outage at [100, 200)
    const { model, at } = modelOnFakeClock({
      latencyMs: { dist: "fixed", value: 5 },
      outages: [{ startMs: 100, durationMs: 100 }],
    });
    const key = idempotencyKey(1, 0);
    const body = bulkBody([1]);
    const once = (
      patch: Parameters<typeof model.reconfigure>[0],
      undo: Parameters<typeof model.reconfigure>[0],
    ) => {
      model.reconfigure(patch);
      const decision = at(300).handle({ body });
      model.reconfigure(undo);
      return decision;
    };

    const overOneRequestASecond = () => {
      at(1000).reconfigure({ rateLimit: { requestsPerSecond: 1 } });
      at(1000).handle({ body });
      return at(1000).handle({ body });
    };

    // Act
    const decisions = [
      at(0).handle({ idempotencyKey: key, body }),
      at(0).handle({ idempotencyKey: key, body }),
      at(0).handle({ idempotencyKey: key, body: bulkBody([2]) }),
      at(0).handle({ body: {} }),
      at(100).handle({ body }),
      once({ connectionResetRate: 1 }, { connectionResetRate: 0 }),
      once({ transientFailureRate: 1 }, { transientFailureRate: 0 }),
      once({ timeoutRate: 1 }, { timeoutRate: 0 }),
      overOneRequestASecond(),
    ];

    // Assess
    expect(
      model
        .requests(20)
        .reverse()
        .map((r) => [r.requestId, r.outcome, r.status, r.delayMs]),
    ).toEqual([
      ["req-1", "accepted", 200, 5],
      ["req-2", "replayed", 200, 5],
      ["req-3", "conflict", 422, 5],
      ["req-4", "bad-request", 400, 5],
      ["req-5", "outage", 503, 5],
      ["req-6", "reset", null, 5],
      ["req-7", "transient", expect.any(Number), 5],
      ["req-8", "timeout", null, null],
      ["req-9", "accepted", 200, 5],
      ["req-10", "rate-limited", 429, 5],
    ]);
    expect(decisions[2]).toMatchObject({
      code: "IDEMPOTENCY_CONFLICT",
      message: "Idempotency-Key: already used for a different request",
    });
    expect(decisions[4]).toMatchObject({
      status: 503,
      code: "SERVICE_UNAVAILABLE",
      message: "carrier outage",
    });
    expect([
      { status: 500, code: "INTERNAL_ERROR", message: "internal error" },
      { status: 503, code: "SERVICE_UNAVAILABLE", message: "service temporarily unavailable" },
    ]).toContainEqual({
      status: (decisions[6] as { status: number }).status,
      code: (decisions[6] as { code: string }).code,
      message: (decisions[6] as { message: string }).message,
    });
  });

  it("answers random failures with 500 INTERNAL_ERROR or 503 SERVICE_UNAVAILABLE, each with its words", () => {
    // Prepare
    const { model, at } = modelOnFakeClock({ transientFailureRate: 1 });

    // Act
    const answers = range(0, 50).map((i) => {
      const d = at(i).handle({ body: bulkBody([1]) }) as { status: number; code: string; message: string };
      return `${d.status} ${d.code} ${d.message}`;
    });

    // Assess
    expect(new Set(answers)).toEqual(
      new Set([
        "500 INTERNAL_ERROR internal error",
        "503 SERVICE_UNAVAILABLE service temporarily unavailable",
      ]),
    );
    expect(new Set(model.requests(50).map((r) => r.outcome))).toEqual(new Set(["transient"]));
  });

  it("keeps the most recent requests, newest first, up to the log size", () => {
    // Prepare
    let nowMs = 0;
    const model = createCarrierModel({}, { seed: 1, now: () => nowMs, requestLogSize: 3 });

    // Act
    for (const t of [10, 20, 30, 40]) {
      nowMs = t;
      model.handle({ idempotencyKey: `k${t}`, body: t === 30 ? {} : bulkBody([1]) });
    }

    // Assess
    expect(model.requests(10).map((r) => [r.atMs, r.outcome, r.status])).toEqual([
      [40, "accepted", 200],
      [30, "bad-request", 400],
      [20, "accepted", 200],
    ]);
    expect(model.requests(1)).toHaveLength(1);
  });
});
