import { describe, expect, it } from "vitest";
import { ValidationError } from "../../domain/errors";
import { readLambdaConfig } from "../lambda-config";

function env(overrides: Record<string, string | undefined> = {}) {
  return {
    MYSQL_URL: "mysql://app:pw@db.internal:3306/smsim",
    CARRIER_BASE_URL: "https://carrier.example",
    ...overrides,
  };
}

describe("readLambdaConfig", () => {
  it("takes the handler's defaults for unset tuning variables", () => {
    // Prepare
    const source = env({ CARRIER_API_KEY: "" });
    // Act
    const config = readLambdaConfig(source);
    // Assess
    expect(config).toMatchObject({
      carrierBaseUrl: "https://carrier.example",
      carrierTimeoutMs: 5_000,
      recordParallelism: 1,
      carrierRetries: 0,
      logLevel: "info",
    });
    expect(config.env.carrierApiKey).toBeUndefined();
  });

  it("reads the template's variables", () => {
    // Prepare
    const source = env({
      CARRIER_TIMEOUT_MS: "3000",
      RECORD_PARALLELISM: "2",
      CARRIER_RETRIES: "1",
      RATE_LIMIT_MAX_WAIT_MS: " 500 ",
      LOG_LEVEL: "DEBUG",
    });
    // Act
    const config = readLambdaConfig(source);
    // Assess
    expect(config).toMatchObject({
      carrierTimeoutMs: 3_000,
      recordParallelism: 2,
      carrierRetries: 1,
      rateLimitMaxWaitMs: 500,
      logLevel: "debug",
    });
  });

  it.each([
    [{ MYSQL_URL: undefined }, /MYSQL_URL: is required/],
    [{ MYSQL_URL: "  " }, /MYSQL_URL: is required/],
    [{ CARRIER_BASE_URL: undefined }, /CARRIER_BASE_URL: is required/],
    [{ CARRIER_TIMEOUT_MS: "5s" }, /CARRIER_TIMEOUT_MS: expected a whole number \(got "5s"\)/],
    [{ RATE_LIMIT_MAX_WAIT_MS: "-5" }, /RATE_LIMIT_MAX_WAIT_MS: expected a whole number \(got "-5"\)/],
    [{ RECORD_PARALLELISM: "0" }, /RECORD_PARALLELISM: .* \(got 0\)/],
    [{ CARRIER_RETRIES: "11" }, /CARRIER_RETRIES: .* \(got 11\)/],
    [
      { LOG_LEVEL: "verbose" },
      /LOG_LEVEL: expected one of debug, info, warn, error, silent \(got "verbose"\)/,
    ],
  ])("refuses %o, naming the variable and its value", (overrides, message) => {
    // Prepare
    const source = env(overrides);
    // Act
    const read = () => readLambdaConfig(source);
    // Assess
    expect(read).toThrow(ValidationError);
    expect(read).toThrow(message);
  });
});
