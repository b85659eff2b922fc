import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import type { FastifyInstance } from "fastify";
import { bypass, HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { dropDatabase } from "../../../domain/db/mysql";
import { readEnv } from "../../../domain/env";
import { parseMessageBody } from "../../../domain/message-body";
import { buildLambda } from "../../../infra/build/build-lambda";
import { createCarrierServer } from "../../../provider-mock/server";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { TEST_MYSQL_SERVER } from "../../../test/support/test-database";
import { createLambdaServer } from "../../lambda/lambda-server";
import { parseScenario } from "../../scenario/load-scenario";
import { runLiveScenario } from "../live-engine";

const REGION = "ap-northeast-2";
const SQS = `https://sqs.${REGION}.amazonaws.com`;
const LAMBDA = `https://lambda.${REGION}.amazonaws.com`;
const RECIPIENTS = 120;

interface SqsCall {
  url: string;
  action: string;
  input: Record<string, unknown>;
}

/**
 * AWS as far as the SDK can tell: msw answers the regional SQS and Lambda endpoints over HTTPS.
 * SQS calls are recorded, then carried out on a local ElasticMQ with queue URLs and ARNs rewritten
 * both ways, so the run really works; Lambda calls are recorded and served by a local host of the
 * artifact. Any other request that leaves the machine is recorded as unexpected.
 */
function fakeAws(mq: TestElasticMq) {
  const sqsCalls: SqsCall[] = [];
  const lambdaCalls: { method: string; url: string; payload: string }[] = [];
  const unexpected: string[] = [];
  let functionVariables: Record<string, string> = {};
  let lambdaHost = "";
  const toLocal = (text: string) =>
    text.replaceAll(SQS, mq.endpoint).replaceAll(`:sqs:${REGION}:`, ":sqs:elasticmq:");
  // Rewritten bodies change length: the length header is recomputed.
  const headersOf = (source: Headers) => {
    const headers = new Headers(source);
    headers.delete("content-length");
    return headers;
  };
  const toAws = (text: string) =>
    text.replaceAll(mq.endpoint, SQS).replaceAll(":sqs:elasticmq:", `:sqs:${REGION}:`);
  const server = setupServer(
    http.post(`${SQS}/`, async ({ request }) => {
      const body = await request.text();
      const action = (request.headers.get("x-amz-target") ?? "").replace("AmazonSQS.", "");
      sqsCalls.push({ url: request.url, action, input: JSON.parse(body) });
      let local: Response;
      try {
        local = await fetch(
          bypass(
            new Request(`${mq.endpoint}/`, {
              method: "POST",
              headers: headersOf(request.headers),
              body: toLocal(body),
            }),
          ),
        );
      } catch {
        // ElasticMQ drops a long poll on a queue deleted under it (the run's end): so may AWS.
        return HttpResponse.error();
      }
      return new HttpResponse(toAws(await local.text()), {
        status: local.status,
        headers: headersOf(local.headers),
      });
    }),
    http.get(`${LAMBDA}/2015-03-31/functions/:name/configuration`, ({ request, params }) => {
      lambdaCalls.push({ method: "GET", url: request.url, payload: "" });
      return HttpResponse.json({ FunctionName: params.name, Environment: { Variables: functionVariables } });
    }),
    http.post(`${LAMBDA}/2015-03-31/functions/:name/invocations`, async ({ request, params }) => {
      const payload = await request.text();
      lambdaCalls.push({ method: "POST", url: request.url, payload });
      const local = await fetch(
        bypass(
          new Request(`${lambdaHost}/2015-03-31/functions/${String(params.name)}/invocations`, {
            method: "POST",
            headers: request.headers,
            body: payload,
          }),
        ),
      );
      return new HttpResponse(await local.arrayBuffer(), { status: local.status, headers: local.headers });
    }),
  );
  server.listen({
    onUnhandledRequest(request) {
      const { hostname } = new URL(request.url);
      if (hostname !== "127.0.0.1" && hostname !== "localhost") unexpected.push(request.url);
    },
  });
  return {
    sqsCalls,
    lambdaCalls,
    unexpected,
    /** What GetFunctionConfiguration reports, and where the invocations are served. */
    deployFunction(variables: Record<string, string>, host: string) {
      functionVariables = variables;
      lambdaHost = host;
    },
    close: () => server.close(),
  };
}

function smallScenario() {
  return parseScenario({
    name: "aws-path",
    seed: 11,
    duration: "1m",
    users: { count: RECIPIENTS },
    carrier: { latencyMs: { dist: "fixed", value: 5 } },
    traffic: [{ name: "launch", start: "2s", recipients: RECIPIENTS }],
    thresholds: { recipients_unaccounted: ["count == 0"] },
  });
}

describe("the live engine on AWS (SQS_ENDPOINT unset), as AWS would see it", () => {
  let mq: TestElasticMq;
  let aws: ReturnType<typeof fakeAws>;
  let carrier: FastifyInstance;
  let carrierUrl: string;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-aws-path-"));
    carrier = createCarrierServer({ seed: 11 });
    [mq, carrierUrl] = await Promise.all([
      startTestElasticMq(),
      carrier.listen({ port: 0, host: "127.0.0.1" }),
    ]);
    aws = fakeAws(mq);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    aws.sqsCalls.length = 0;
    aws.lambdaCalls.length = 0;
  });
  afterAll(async () => {
    aws?.close();
    await Promise.all([mq?.stop(), carrier?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  /** AWS credentials and a region, and no SQS_ENDPOINT: the live target is AWS. */
  function awsEnvironment(mysqlUrl: string) {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    vi.stubEnv("AWS_REGION", REGION);
    vi.stubEnv("SQS_ENDPOINT", undefined);
    return readEnv({ AWS_REGION: REGION, MYSQL_URL: mysqlUrl, CARRIER_BASE_URL: carrierUrl });
  }

  const calls = (action: string) => aws.sqsCalls.filter((c) => c.action === action);

  it("creates the template's queue pair on the regional endpoint, enqueues in batches of 10 and deletes the pair", async () => {
    // Prepare
    const scenario = smallScenario();
    const env = awsEnvironment(`${TEST_MYSQL_SERVER}/smsim`);
    // Act
    const { summary } = await runLiveScenario(scenario, { env, log: () => {} });
    // Assess
    expect(summary.recipients).toMatchObject({ requested: RECIPIENTS, unaccounted: 0 });
    expect(aws.unexpected).toEqual([]);
    expect(new Set(aws.sqsCalls.map((c) => c.url))).toEqual(new Set([`${SQS}/`]));
    const { queue, dlq } = scenario.pipeline;
    const [createDlq, createQueue] = calls("CreateQueue").map((c) => c.input);
    const runId = String(createDlq?.QueueName).slice(`${dlq.name}-`.length);
    expect(createDlq).toEqual({
      QueueName: `${dlq.name}-${runId}`,
      Attributes: {
        VisibilityTimeout: String(dlq.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(dlq.retentionSeconds),
        DelaySeconds: String(dlq.delaySeconds),
        ReceiveMessageWaitTimeSeconds: String(dlq.receiveWaitSeconds),
      },
    });
    expect(createQueue).toMatchObject({
      QueueName: `${queue.name}-${runId}`,
      Attributes: {
        VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(queue.retentionSeconds),
      },
    });
    const redrive = (createQueue?.Attributes as Record<string, string> | undefined)?.RedrivePolicy ?? "";
    expect(JSON.parse(redrive)).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:${REGION}:000000000000:${dlq.name}-${runId}`,
      maxReceiveCount: queue.maxReceiveCount,
    });
    const queueUrl = `${SQS}/000000000000/${queue.name}-${runId}`;
    const batches = calls("SendMessageBatch").map(
      (c) => c.input as { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] },
    );
    expect(batches.every((b) => b.QueueUrl === queueUrl && b.Entries.length <= 10)).toBe(true);
    const bodies = batches.flatMap((b) => b.Entries.map((e) => parseMessageBody(e.MessageBody)));
    expect(bodies.every((b) => b.userIds.length <= 10)).toBe(true);
    expect(bodies.flatMap((b) => b.userIds).sort((a, b) => a - b)).toEqual(
      Array.from({ length: RECIPIENTS }, (_, i) => i + 1),
    );
    expect(
      calls("DeleteQueue")
        .map((c) => c.input.QueueUrl)
        .sort(),
    ).toEqual([queueUrl, `${SQS}/000000000000/${dlq.name}-${runId}`].sort());
  });

  it("invokes the deployed function (--lambda-endpoint aws) with SQS events of the run's queue", async () => {
    // Prepare: the function as deployed, writing to the database the run counts in.
    const database = `${TEST_MYSQL_SERVER}/smsim_aws_${Date.now().toString(36)}`;
    const scenario = smallScenario();
    const env = awsEnvironment(database);
    const { zipPath } = await buildLambda(join(dir, "lambda"));
    const host = await createLambdaServer({
      zipPath,
      env: {
        MYSQL_URL: database,
        CARRIER_BASE_URL: carrierUrl,
        SQS_ENDPOINT: mq.endpoint,
        AWS_REGION: REGION,
        LOG_LEVEL: "silent",
      },
    });
    aws.deployFunction(
      { MYSQL_URL: database, CARRIER_BASE_URL: carrierUrl },
      await host.listen({ port: 0, host: "127.0.0.1" }),
    );
    try {
      // Act
      const { summary } = await runLiveScenario(scenario, {
        env,
        invoke: "lambda",
        lambdaEndpoint: "aws",
        log: () => {},
      });
      // Assess
      expect(summary.recipients).toMatchObject({ requested: RECIPIENTS, unaccounted: 0 });
      expect(aws.unexpected).toEqual([]);
      const name = scenario.pipeline.lambda.functionName;
      const [check, ...invocations] = aws.lambdaCalls;
      expect(check).toMatchObject({
        method: "GET",
        url: `${LAMBDA}/2015-03-31/functions/${name}/configuration`,
      });
      expect(invocations.length).toBeGreaterThan(0);
      const queueName = String(calls("CreateQueue")[1]?.input.QueueName);
      for (const call of invocations) {
        expect(call.url).toBe(`${LAMBDA}/2015-03-31/functions/${name}/invocations`);
        const event = JSON.parse(call.payload) as SQSEvent;
        expect(event.Records.length).toBeGreaterThan(0);
        expect(event.Records.length).toBeLessThanOrEqual(scenario.pipeline.esm.batchSize);
        for (const record of event.Records) {
          expect(record).toMatchObject({
            eventSource: "aws:sqs",
            eventSourceARN: `arn:aws:sqs:${REGION}:000000000000:${queueName}`,
            awsRegion: REGION,
          });
        }
      }
      const delivered = invocations.flatMap((c) =>
        (JSON.parse(c.payload) as SQSEvent).Records.flatMap((r) => parseMessageBody(r.body).userIds),
      );
      expect(new Set(delivered).size).toBe(RECIPIENTS);
      expect(calls("DeleteQueue")).toHaveLength(2);
    } finally {
      await host.close();
      await dropDatabase(database);
    }
  });
});
