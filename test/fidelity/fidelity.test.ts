import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv, type SmsimEnv } from "../../domain/env";
import { compareSummaries, formatComparison } from "../../sim/compare/compare-summaries";
import { parseTolerances } from "../../sim/compare/tolerances";
import { runLiveScenario } from "../../sim/live/live-engine";
import { loadScenario } from "../../sim/scenario/load-scenario";
import { runVirtualScenario } from "../../sim/virtual/virtual-engine";
import { startTestElasticMq, type TestElasticMq } from "../support/elasticmq";
import { TEST_MYSQL_SERVER } from "../support/test-database";

const SCENARIOS_DIR = resolve(import.meta.dirname, "../../scenarios/fidelity");

/**
 * Each fidelity scenario (about 20,000 recipients) on both engines: the virtual engine's model
 * and the real stack must agree on where recipients end up, on the alarm's transitions and on how
 * long campaigns take to drain (sim/compare's default tolerances). The live runs take about a
 * minute each: that is the price of checking the model against the real thing.
 */
describe("fidelity: the virtual engine against the real stack", () => {
  let mq: TestElasticMq;
  let slack: { url: string; posts: number; server: Server };
  let env: SmsimEnv;

  beforeAll(async () => {
    mq = await startTestElasticMq();
    const server = createServer((request, response) => {
      slack.posts++;
      request.resume().on("end", () => response.end("ok"));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    slack = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack`, posts: 0, server };
    env = readEnv({ SQS_ENDPOINT: mq.endpoint, MYSQL_URL: `${TEST_MYSQL_SERVER}/smsim` });
  });
  afterAll(async () => {
    await mq?.stop();
    slack?.server.close();
  });

  it.each(["transient-failures", "carrier-outage", "rate-limit", "throttle-trap"])(
    "%s: both engines agree",
    async (name) => {
      // Prepare
      const scenario = await loadScenario(resolve(SCENARIOS_DIR, `${name}.ts`));
      const alarmSeconds = Math.max(...scenario.pipeline.alarms.map((a) => a.periodSeconds));
      const postsBefore = slack.posts;
      // Act
      const virtual = await runVirtualScenario(scenario);
      const live = await runLiveScenario(scenario, { env, slackWebhookUrl: slack.url, log: () => {} });
      const comparison = compareSummaries(
        virtual.summary,
        live.summary,
        parseTolerances([`alarm=${alarmSeconds}`]),
      );
      const table = formatComparison(comparison, ["virtual", "live"]);
      process.stdout.write(`\n${scenario.name}\n${table}\n`);
      // Assess
      expect(comparison.ok, table).toBe(true);
      expect(virtual.summary.thresholds.filter((t) => !t.ok)).toEqual([]);
      expect(live.summary.thresholds.filter((t) => !t.ok)).toEqual([]);
      expect(slack.posts - postsBefore).toBe(live.summary.notifications.length);
    },
    300_000,
  );
});
