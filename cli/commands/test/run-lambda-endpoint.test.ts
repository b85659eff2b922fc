import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import type { FastifyInstance } from "fastify";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createMysqlPool, dropDatabase } from "../../../domain/db/mysql";
import { buildLambda } from "../../../infra/build/build-lambda";
import { createCarrierServer } from "../../../provider-mock/server";
import { closedPort } from "../../../test/support/closed-port";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { TEST_MYSQL_SERVER } from "../../../test/support/test-database";
import { startLambdaServe } from "./lambda-serve-process";
import { smsim } from "./run-smsim";

/** `smsim lambda serve` as the README starts it, with the function's services. */
async function serveLambda(zipPath: string, env: Record<string, string>) {
  const child = await startLambdaServe(["--zip", zipPath], { ...env, LOG_LEVEL: "silent" });
  return { url: child.url, stop: () => child.kill("SIGTERM") };
}

describe("smsim run --invoke lambda --lambda-endpoint URL, as the README sets it up", () => {
  let dir: string;
  let zipPath: string;
  let mq: TestElasticMq;
  let carrier: FastifyInstance;
  let scenarioPath: string;
  const database = `smsim_invoke_${randomBytes(4).toString("hex")}`;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-lambda-endpoint-"));
    carrier = createCarrierServer({ seed: 4 });
    const [built, started, carrierUrl] = await Promise.all([
      buildLambda(join(dir, "lambda")),
      startTestElasticMq(),
      carrier.listen({ port: 0, host: "127.0.0.1" }),
    ]);
    zipPath = built.zipPath;
    mq = started;
    env = {
      SQS_ENDPOINT: mq.endpoint,
      AWS_REGION: "elasticmq",
      MYSQL_URL: `${TEST_MYSQL_SERVER}/${database}`,
      CARRIER_BASE_URL: carrierUrl,
    };
    scenarioPath = join(dir, "invoke.json");
    await writeFile(
      scenarioPath,
      JSON.stringify({
        name: "invoke-endpoint",
        seed: 4,
        duration: "2m",
        users: { count: 300, invalidRate: 0.05 },
        carrier: { latencyMs: { dist: "fixed", value: 5 } },
        traffic: [{ name: "burst", start: "5s", recipients: 300 }],
        thresholds: { recipients_unaccounted: ["count == 0"] },
      }),
    );
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await Promise.all([mq?.stop(), carrier?.close(), dropDatabase(`${TEST_MYSQL_SERVER}/${database}`)]);
    await rm(dir, { recursive: true, force: true });
  });

  const stubEnv = (variables: Record<string, string>) => {
    for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
  };
  const runThrough = (endpoint: string, ...flags: string[]) =>
    smsim(
      "run",
      scenarioPath,
      "--engine",
      "live",
      "--invoke",
      "lambda",
      "--lambda-endpoint",
      endpoint,
      ...flags,
    );
  const queueUrls = async () => (await mq.client.send(new ListQueuesCommand({}))).QueueUrls ?? [];

  it("accounts for every recipient when the function and the run share their services", async () => {
    // Prepare: one set of variables for both commands, as the README exports them.
    const fn = await serveLambda(zipPath, env);
    stubEnv(env);
    const queuesBefore = await queueUrls();
    try {
      // Act
      const run = await runThrough(fn.url, "--out", join(dir, "out"), "--no-progress");
      // Assess
      expect(run.stderr).not.toContain("does not report");
      expect(run.code).toBe(0);
      const summary = JSON.parse(await readFile(join(dir, "out", "summary.json"), "utf8"));
      expect(summary.recipients).toMatchObject({ requested: 300, unaccounted: 0, pending: 0, inDlq: 0 });
      expect(summary.recipients.sent + summary.recipients.failed).toBe(300);
      expect(summary.carrier.requests).toBeGreaterThan(0);
      // The function's database is left as the run found it: empty; the run's queues are gone.
      const pool = createMysqlPool(env.MYSQL_URL as string);
      const [rows] = await pool.query<RowDataPacket[]>(
        "SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM messaging_result) AS results",
      );
      await pool.end();
      expect(rows[0]).toEqual({ users: 0, results: 0 });
      expect(await queueUrls()).toEqual(queuesBefore);
    } finally {
      fn.stop();
    }
  });

  it("refuses, before enqueueing, a function that writes to another database, and says what to set", async () => {
    // Prepare
    const fn = await serveLambda(zipPath, { ...env, MYSQL_URL: `${TEST_MYSQL_SERVER}/smsim_elsewhere` });
    stubEnv(env);
    const queuesBefore = await queueUrls();
    try {
      // Act
      const run = await runThrough(fn.url);
      // Assess
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `MYSQL_URL: the function writes to mysql://127.0.0.1:3306/smsim_elsewhere, the run would count in mysql://127.0.0.1:3306/${database}`,
      );
      expect(run.stderr).toContain("export the same MYSQL_URL for both");
      expect(run.stderr).toContain("[LAMBDA_SETUP]");
      expect(await queueUrls()).toEqual(queuesBefore);
    } finally {
      fn.stop();
    }
  });

  it("says within seconds that nothing answers at an endpoint that is down", {
    timeout: 15_000,
  }, async () => {
    // Prepare
    const port = await closedPort();
    stubEnv(env);
    const queuesBefore = await queueUrls();
    // Act
    const run = await runThrough(`http://127.0.0.1:${port}`);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `the Lambda endpoint http://127.0.0.1:${port} is not reachable (ECONNREFUSED)`,
    );
    expect(run.stderr).toContain("npx smsim lambda serve");
    expect(run.stderr).toContain("[LAMBDA_UNREACHABLE]");
    expect(await queueUrls()).toEqual(queuesBefore);
  });
});
