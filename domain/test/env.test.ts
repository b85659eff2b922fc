import { describe, expect, it } from "vitest";
import { DEFAULT_MYSQL_URL } from "../db/mysql";
import { readEnv, requireEnv } from "../env";
import { ValidationError } from "../errors";

function thrown(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("readEnv", () => {
  it("defaults to real AWS and the local database when nothing is set", () => {
    // Prepare, Act
    const env = readEnv({});
    // Assess
    expect(env).toEqual({
      sqsEndpoint: undefined,
      awsRegion: undefined,
      mysqlUrl: DEFAULT_MYSQL_URL,
      carrierBaseUrl: undefined,
      carrierApiKey: undefined,
      slackWebhookUrl: undefined,
      queueUrl: undefined,
      dlqUrl: undefined,
    });
  });

  it("uses ElasticMQ's region with an SQS_ENDPOINT unless AWS_REGION says otherwise", () => {
    // Prepare
    const endpoint = { SQS_ENDPOINT: "http://127.0.0.1:9324" };
    // Act
    const local = readEnv(endpoint);
    const explicit = readEnv({ ...endpoint, AWS_REGION: "ap-northeast-2" });
    // Assess
    expect(local).toMatchObject({ sqsEndpoint: "http://127.0.0.1:9324", awsRegion: "elasticmq" });
    expect(explicit.awsRegion).toBe("ap-northeast-2");
  });

  it("treats empty values as unset, as CloudFormation passes unset parameters", () => {
    // Prepare, Act
    const env = readEnv({ CARRIER_API_KEY: "", SLACK_WEBHOOK_URL: "  ", MYSQL_URL: "" });
    // Assess
    expect(env).toMatchObject({
      carrierApiKey: undefined,
      slackWebhookUrl: undefined,
      mysqlUrl: DEFAULT_MYSQL_URL,
    });
  });

  it.each([
    ["SQS_ENDPOINT", "localhost:9324"],
    ["CARRIER_BASE_URL", "ftp://carrier.example"],
    ["SLACK_WEBHOOK_URL", "hooks.slack.com/x"],
    ["QUEUE_URL", "not a url"],
    ["DLQ_URL", "::"],
    ["MYSQL_URL", "postgres://db/smsim"],
  ])("names %s and its value when it is not a valid URL", (variable, value) => {
    // Prepare, Act
    const error = thrown(() => readEnv({ [variable]: value }));
    // Assess
    expect(error.field).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(JSON.stringify(value));
  });
});

describe("requireEnv", () => {
  it("returns a set value and names the variable of an unset one", () => {
    // Prepare
    const env = readEnv({ CARRIER_BASE_URL: "http://127.0.0.1:4010" });
    // Act
    const baseUrl = requireEnv(env, "carrierBaseUrl");
    const error = thrown(() => requireEnv(env, "slackWebhookUrl"));
    // Assess
    expect(baseUrl).toBe("http://127.0.0.1:4010");
    expect(error.field).toBe("SLACK_WEBHOOK_URL");
    expect(error.message).toContain("is required");
  });
});
