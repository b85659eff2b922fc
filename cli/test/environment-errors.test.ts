import { afterEach, describe, expect, it, vi } from "vitest";
import { closedPort } from "../../test/support/closed-port";
import { smsim } from "../commands/test/run-smsim";

function stubEnv(variables: Record<string, string>) {
  // No region from a profile file on the developer's machine either.
  vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config");
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
  for (const name of ["SQS_ENDPOINT", "AWS_REGION", "MYSQL_URL", "CARRIER_BASE_URL"]) {
    vi.stubEnv(name, undefined);
  }
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
}

describe("a command whose environment is incomplete", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("says that neither SQS_ENDPOINT nor AWS_REGION is set, and how to set either", async () => {
    // Prepare
    stubEnv({});
    // Act
    const run = await smsim("send", "--user-ids", "1-3", "--content", "hi");
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("neither SQS_ENDPOINT nor AWS_REGION is set");
    expect(run.stderr).toContain("export SQS_ENDPOINT=http://127.0.0.1:9324");
    expect(run.stderr).toContain("export AWS_REGION=");
    expect(run.stderr).toContain("[SQS_TARGET_MISSING]");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("names MYSQL_URL and `smsim services up` when MySQL refuses connections", async () => {
    // Prepare
    const port = await closedPort();
    stubEnv({ MYSQL_URL: `mysql://root@127.0.0.1:${port}/smsim` });
    // Act
    const run = await smsim("db", "migrate");
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`MySQL (MYSQL_URL) at 127.0.0.1:${port} refuses connections`);
    expect(run.stderr).toContain("npx smsim services up");
    expect(run.stderr).toContain("[MYSQL_UNREACHABLE]");
  });

  it("names SQS_ENDPOINT and how to start ElasticMQ when nothing answers there", async () => {
    // Prepare
    const port = await closedPort();
    stubEnv({ SQS_ENDPOINT: `http://127.0.0.1:${port}`, AWS_REGION: "elasticmq" });
    // Act
    const run = await smsim("send", "--user-ids", "1-3", "--content", "hi");
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`SQS (SQS_ENDPOINT) at 127.0.0.1:${port} refuses connections`);
    expect(run.stderr).toContain("start ElasticMQ with `npx smsim services up`");
    expect(run.stderr).toContain("[SQS_UNREACHABLE]");
  });

  it("refuses to consume towards a carrier URL that refuses connections, before receiving anything", async () => {
    // Prepare: SQS is down too, so only a check made first can name the carrier.
    const [carrierPort, sqsPort] = [await closedPort(), await closedPort()];
    stubEnv({
      CARRIER_BASE_URL: `http://127.0.0.1:${carrierPort}`,
      SQS_ENDPOINT: `http://127.0.0.1:${sqsPort}`,
      AWS_REGION: "elasticmq",
    });
    // Act
    const run = await smsim("consume", "--timeout", "5");
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `the carrier (CARRIER_BASE_URL) at 127.0.0.1:${carrierPort} refuses connections`,
    );
    expect(run.stderr).toContain("npx smsim carrier --port 4010");
    expect(run.stderr).toContain("[CARRIER_UNREACHABLE]");
  });
});
