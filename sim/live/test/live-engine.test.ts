import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv } from "../../../domain/env";
import { isKoreanMobile } from "../../../domain/phone";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { TEST_MYSQL_SERVER } from "../../../test/support/test-database";
import { parseScenario } from "../../scenario/load-scenario";
import { syntheticUsers } from "../../seed/synthetic-users";
import { runLiveScenario } from "../live-engine";

/** A local stand-in for Slack's incoming webhook: keeps every POSTed body. */
async function startSlackReceiver(): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => {
      text += chunk;
    });
    request.on("end", () => {
      bodies.push(JSON.parse(text));
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

/**
 * Two campaigns 80 minutes apart with two poison messages, over fast settings (2 s visibility,
 * one-minute alarm periods): the run only finishes in test time if idle gaps are skipped.
 */
function smokeScenario() {
  return parseScenario({
    name: "live-smoke",
    seed: 9,
    duration: "2h",
    infra: {
      overrides: {
        "MessagingQueue.VisibilityTimeout": 2,
        "MessagingLambda.Timeout": 2,
        "MessagingLambda.Environment.Variables.CARRIER_TIMEOUT_MS": "500",
        "DLQAlarm.Period": 60,
      },
    },
    users: { count: 500, invalidRate: 0.1 },
    carrier: { latencyMs: { dist: "fixed", value: 5 } },
    traffic: [
      { name: "morning", start: "10s", recipients: 300, malformed: 2 },
      { name: "evening", start: "1h30m", recipients: 200 },
    ],
    thresholds: { recipients_unaccounted: ["count == 0"], dlq_messages: ["count == 2"] },
  });
}

describe("the live engine", () => {
  let mq: TestElasticMq;
  const runLines: string[] = [];
  let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
  beforeAll(async () => {
    [mq, slack] = await Promise.all([startTestElasticMq(), startSlackReceiver()]);
  });
  afterAll(async () => {
    await mq?.stop();
    slack?.server.close();
  });

  it("runs a scenario on ElasticMQ, MariaDB and the mock carrier, and counts from them", async () => {
    // Prepare
    const scenario = smokeScenario();
    const env = readEnv({ SQS_ENDPOINT: mq.endpoint, MYSQL_URL: `${TEST_MYSQL_SERVER}/smsim` });
    const lines: string[] = [];
    // The seeded users 1..500: those without a Korean mobile number fail without a carrier call,
    // so the carrier hears of each chunk of 10 with at least one valid number, once.
    const valid = [...syntheticUsers(scenario.seed, 500, { invalidRate: 0.1 })].map((u) =>
      isKoreanMobile(u.phone),
    );
    const invalid = valid.filter((v) => !v).length;
    const chunksToCarrier = Array.from({ length: 50 }, (_, i) => valid.slice(i * 10, i * 10 + 10)).filter(
      (c) => c.includes(true),
    ).length;
    // Act
    const { summary, timeline } = await runLiveScenario(scenario, {
      env,
      slackWebhookUrl: slack.url,
      log: (line) => {
        lines.push(line);
        runLines.push(line);
      },
    });
    // Assess
    expect(summary.engine).toBe("live");
    expect(summary.scenarioSeconds).toBe(7200);
    expect(summary.recipients).toEqual({
      requested: 500,
      sent: 500 - invalid,
      failed: invalid,
      inDlq: 0,
      pending: 0,
      expired: 0,
      unaccounted: 0,
    });
    expect(summary.queue).toMatchObject({ sent: 52, movedToDlq: 2, maxApproximateReceiveCount: 3 });
    expect(summary.carrier).toMatchObject({
      requests: chunksToCarrier,
      duplicateDeliveries: 0,
    });
    expect(summary.campaigns.map((c) => [c.name, c.recipients, c.startSeconds])).toEqual([
      ["morning", 300, expect.closeTo(10, 0)],
      ["evening", 200, expect.closeTo(5400, 0)],
    ]);
    expect(summary.alarms[0]?.transitions.at(-1)?.to).toBe("ALARM");
    expect(slack.bodies).toHaveLength(1);
    expect(JSON.stringify(slack.bodies[0])).toContain("ALARM");
    expect(summary.thresholds.every((t) => t.ok)).toBe(true);
    expect(timeline.minutes).toBe(120);
    expect(timeline.dlqDepth[119]).toBe(2);
    expect(lines.filter((line) => line.includes("behind the schedule"))).toEqual([]);
  });

  it("stops the run when a threshold with abortOnFail fails (k6's object form)", async () => {
    // Prepare: the smoke scenario whose two poison messages reach the DLQ within its first minute
    const smoke = smokeScenario();
    const scenario = parseScenario({
      ...smoke.input,
      thresholds: { dlq_messages: [{ threshold: "count < 1", abortOnFail: true }] },
    });
    const env = readEnv({ SQS_ENDPOINT: mq.endpoint, MYSQL_URL: `${TEST_MYSQL_SERVER}/smsim` });
    const lines: string[] = [];
    // Act
    const { summary } = await runLiveScenario(scenario, { env, log: (line) => lines.push(line) });
    // Assess: stopped at the first minute's reading; the evening campaign (1h30m) never sent
    expect(summary.abortedBy).toEqual({
      atSeconds: 60,
      metric: "dlq_messages",
      expression: "count < 1",
      value: 2,
    });
    expect(summary.scenarioSeconds).toBe(60);
    expect(summary.recipients.requested).toBe(300);
    expect(summary.campaigns.map((c) => c.name)).toEqual(["morning"]);
    expect(summary.thresholds).toEqual([
      { metric: "dlq_messages", expression: "count < 1", value: 2, ok: false, noSamples: false },
    ]);
    expect(lines.some((line) => line.includes("with abortOnFail: the run stops"))).toBe(true);
  });

  it("leaves no database or queue of its own behind", async () => {
    // Prepare: the resources the run above named
    const [, database, queueUrl, dlqUrl] =
      /database \S+\/(\w+), queues (\S+) (\S+),/.exec(runLines.join("\n")) ?? [];
    const connection = await mysql.createConnection(TEST_MYSQL_SERVER);
    // Act
    const [databases] = await connection.query("SHOW DATABASES LIKE ?", [database]);
    await connection.end();
    const { QueueUrls = [] } = await mq.client.send(new ListQueuesCommand({}));
    // Assess
    expect(database).toMatch(/^smsim_live_/);
    expect(databases).toEqual([]);
    expect(QueueUrls).not.toContain(queueUrl);
    expect(QueueUrls).not.toContain(dlqUrl);
  });
});
