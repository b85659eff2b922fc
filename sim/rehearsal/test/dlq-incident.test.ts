import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv } from "../../../domain/env";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { TEST_MYSQL_SERVER } from "../../../test/support/test-database";
import { rehearseDlqIncident } from "../dlq-incident";

/** A local stand-in for Slack's incoming webhook: keeps every POSTed body. */
async function startSlackReceiver(): Promise<{
  url: string;
  posts: { text: string }[];
  app: FastifyInstance;
}> {
  const posts: { text: string }[] = [];
  const app = Fastify();
  app.post("/hook", async (request) => {
    posts.push(request.body as { text: string });
    return "ok";
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/hook`, posts, app };
}

describe("smsim rehearse dlq-incident, scripted", () => {
  let mq: TestElasticMq;
  let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
  beforeAll(async () => {
    [mq, slack] = await Promise.all([startTestElasticMq(), startSlackReceiver()]);
  });
  afterAll(async () => {
    await mq?.stop();
    await slack?.app.close();
  });

  it("alarms on the dead-lettered campaign, then redrives it to exactly one delivery each", async () => {
    // Prepare
    const recipients = 200;
    const lines: string[] = [];
    const questions: string[] = [];
    // Act
    const result = await rehearseDlqIncident({
      recipients,
      env: readEnv({ SQS_ENDPOINT: mq.endpoint, MYSQL_URL: `${TEST_MYSQL_SERVER}/smsim` }),
      slackWebhookUrl: slack.url,
      prompt: async (question) => {
        questions.push(question);
      },
      log: (line) => lines.push(line),
    });
    // Assess
    expect(result.notification).toMatchObject({ alarm: "messaging-dlq-alarm", state: "ALARM" });
    expect(result.notification.delivery).toBe("delivered");
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]?.text).toContain("messaging-dlq-alarm is ALARM");
    expect(result.dlqBeforeRedrive.messages).toBe(recipients / 10);
    expect(result.dlqBeforeRedrive.peeked[0]?.userIds).toHaveLength(10);
    // The carrier's own code and message say why each message is there.
    expect(result.dlqBeforeRedrive.peeked[0]?.lastFailure).toMatch(
      /^CARRIER_HTTP_503 \(3x\): carrier SERVER_ERROR: HTTP 503: SERVICE_UNAVAILABLE: carrier outage$/,
    );
    expect(questions).toEqual(["press Enter to bring the carrier back", "press Enter to redrive the DLQ"]);
    expect(result).toMatchObject({
      passed: true,
      delivered: recipients,
      duplicates: 0,
      left: { queue: 0, dlq: 0 },
    });
    expect(result.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(lines.at(-1)).toContain(`${recipients}/${recipients} delivered exactly once, 0 duplicates`);
  }, 120_000);

  it("refuses a campaign of no recipients before touching any service", async () => {
    // Prepare
    const lines: string[] = [];
    // Act
    const rehearsal = rehearseDlqIncident({ recipients: 0, log: (line) => lines.push(line) });
    // Assess
    await expect(rehearsal).rejects.toThrow(/recipients.*0/);
    expect(lines).toEqual([]);
  });
});
