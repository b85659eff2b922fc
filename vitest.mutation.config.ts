import { defineConfig } from "vitest/config";

/**
 * The service-free tests that guard the core models: what `npm run test:mutation` runs against
 * each mutant. No global setup: nothing here starts MariaDB or ElasticMQ.
 */
export default defineConfig({
  test: {
    include: [
      "provider-mock/test/model.test.ts",
      "provider-mock/test/rate-limiter.test.ts",
      "handler/test/create-messaging-handler.test.ts",
      "handler/test/retry-after.test.ts",
      "handler/test/lambda-config.test.ts",
      "handler/test/sqs-visibility.test.ts",
      "handler/test/failed-attempt.test.ts",
      "handler/test/parse-sqs-event.test.ts",
      "sim/esm/test/*.test.ts",
      "sim/virtual/test/*.test.ts",
      "sim/alarms/test/*.test.ts",
      "sim/thresholds/test/*.test.ts",
      "test/conformance/*.test.ts",
    ],
    exclude: ["sim/esm/test/elasticmq-esm.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    // Whole-engine tests take seconds alone and far longer beside Stryker's other workers; a mutant
    // that hangs is still caught by Stryker's own timeout.
    testTimeout: 120_000,
  },
});
