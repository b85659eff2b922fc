import { setTimeout as delay } from "node:timers/promises";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { slackMessageFor } from "../alarm-notification";
import { createSlackNotifier } from "../slack-notifier";
import { dlqAlarmNotification } from "./fixtures";

const servers: FastifyInstance[] = [];

/** How the webhook answers one request: Slack's "ok" by default, after `after` settles if given. */
interface Answer {
  status?: number;
  body?: string;
  after?: Promise<unknown>;
}

/** A Slack-like incoming webhook on loopback that keeps what it received and answers as told. */
async function webhookReceiver(answer: (requestIndex: number) => Answer = () => ({})) {
  const received: { contentType: string | undefined; body: unknown }[] = [];
  const app = Fastify();
  app.post("/services/T000/B000/secret", async (request, reply) => {
    const { status = 200, body = status === 200 ? "ok" : "invalid_payload", after } = answer(received.length);
    received.push({ contentType: request.headers["content-type"], body: request.body });
    await after;
    return reply.code(status).type("text/plain").send(body);
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  servers.push(app);
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/services/T000/B000/secret`, received, app };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("Slack notifier", () => {
  it("POSTs the Slack message as JSON to the webhook and records the delivery", async () => {
    // Prepare
    const receiver = await webhookReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    const notification = dlqAlarmNotification(2);

    // Act
    const record = await notifier.notify(notification);

    // Assess
    expect(receiver.received).toEqual([
      { contentType: "application/json", body: JSON.parse(JSON.stringify(slackMessageFor(notification))) },
    ]);
    expect(record).toEqual({
      atMs: Date.parse("2026-11-06T10:05:00Z"),
      alarm: "messaging-dlq-alarm",
      state: "ALARM",
      text: slackMessageFor(notification).text,
      delivery: "delivered",
    });
    expect(notifier.notifications).toEqual([record]);
  });

  it("records a rejected POST with its status instead of throwing", async () => {
    // Prepare
    const receiver = await webhookReceiver(() => ({ status: 400 }));
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });

    // Act
    const record = await notifier.notify(dlqAlarmNotification());

    // Assess
    expect(record.delivery).toBe("failed");
    expect(record.error).toBe("HTTP 400: invalid_payload");
  });

  it("records an error page by its status and its first 200 characters, not the whole page", async () => {
    // Prepare: a proxy in front of Slack answering with an HTML page
    const page = `<html><body>${"Bad gateway. ".repeat(100)}</body></html>`;
    const receiver = await webhookReceiver(() => ({ status: 502, body: page }));
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });

    // Act
    const record = await notifier.notify(dlqAlarmNotification());

    // Assess
    expect(record.delivery).toBe("failed");
    expect(record.error).toBe(`HTTP 502: ${page.slice(0, 200)}`);
  });

  it("gives up on a webhook that does not answer within timeoutMs and records the timeout", async () => {
    // Prepare: the webhook answers after 2 s
    const receiver = await webhookReceiver(() => ({ after: delay(2_000) }));
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, timeoutMs: 100 });

    // Act
    const record = await notifier.notify(dlqAlarmNotification());

    // Assess
    expect(record.delivery).toBe("failed");
    expect(record.error).toBe("TimeoutError: The operation was aborted due to timeout");
  });

  it("flush waits for every POST started so far, not only the last one", async () => {
    // Prepare: the first POST is answered half a second after the second
    const receiver = await webhookReceiver((i) => (i === 0 ? { after: delay(500) } : {}));
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });

    // Act
    void notifier.notify(dlqAlarmNotification(1));
    void notifier.notify(dlqAlarmNotification(2));
    await notifier.flush();

    // Assess
    expect(notifier.notifications.map((n) => n.delivery)).toEqual(["delivered", "delivered"]);
  });

  it("records an unreachable webhook instead of throwing, and flush waits for it", async () => {
    // Prepare: a port that was just released refuses connections.
    const receiver = await webhookReceiver();
    await receiver.app.close();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });

    // Act
    void notifier.notify(dlqAlarmNotification());
    const pending = notifier.notifications[0]?.delivery;
    await notifier.flush();

    // Assess
    expect(pending).toBe("pending");
    expect(notifier.notifications[0]?.delivery).toBe("failed");
    expect(notifier.notifications[0]?.error).toMatch(/fetch failed|ECONNREFUSED/);
  });

  it("keeps notifications in memory when no webhook is configured", async () => {
    // Prepare
    const notifier = createSlackNotifier();

    // Act
    await notifier.notify(dlqAlarmNotification());

    // Assess
    expect(notifier.notifications.map((n) => [n.alarm, n.state, n.delivery])).toEqual([
      ["messaging-dlq-alarm", "ALARM", "not-configured"],
    ]);
  });

  it.each([
    "hooks.slack.com/services/x",
    // pasted from a Slack message, which wraps links in angle brackets
    "<https://hooks.slack.com/services/T000/B000/secret>",
  ])("rejects the webhook URL %s, which does not start with http(s)://", (webhookUrl) => {
    // Act
    const act = () => createSlackNotifier({ webhookUrl });

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(`webhookUrl: must be an http(s) URL (got "${webhookUrl}")`);
  });
});
