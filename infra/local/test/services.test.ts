import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv } from "../../../domain/env";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { createTestDatabase, type TestDatabase } from "../../../test/support/test-database";
import { servicesStatus } from "../services";

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("servicesStatus", () => {
  let mq: TestElasticMq;
  let db: TestDatabase;
  beforeAll(async () => {
    [mq, db] = await Promise.all([startTestElasticMq(), createTestDatabase("services")]);
  });
  afterAll(async () => {
    await Promise.all([mq?.stop(), db?.drop()]);
  });

  it("reports the services the environment points at as up", async () => {
    // Prepare
    const env = readEnv({ SQS_ENDPOINT: mq.endpoint, MYSQL_URL: db.url });
    // Act
    const statuses = await servicesStatus({ env, config: mq.config });
    // Assess
    expect(statuses).toEqual([
      {
        service: "mariadb",
        endpoint: expect.stringMatching(/^mysql:\/\/127\.0\.0\.1:3306\/smsim_services_/),
        up: true,
      },
      { service: "elasticmq", endpoint: mq.endpoint, up: true },
    ]);
  });

  it("reports down what does not answer, or lacks the template's queues", async () => {
    // Prepare
    const port = await closedPort();
    const nothing = readEnv({
      SQS_ENDPOINT: `http://127.0.0.1:${port}`,
      MYSQL_URL: `mysql://root@127.0.0.1:${port}/x`,
    });
    const renamed = { ...mq.config, queue: { ...mq.config.queue, name: "other-queue" } };
    // Act
    const down = await servicesStatus({ env: nothing, config: mq.config });
    const wrongQueues = await servicesStatus({
      env: readEnv({ SQS_ENDPOINT: mq.endpoint }),
      config: renamed,
    });
    // Assess
    expect(down.map((s) => [s.service, s.up])).toEqual([
      ["mariadb", false],
      ["elasticmq", false],
    ]);
    expect(wrongQueues.find((s) => s.service === "elasticmq")?.up).toBe(false);
  });
});
