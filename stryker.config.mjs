// @ts-check
/**
 * Mutation testing of the core models (`npm run test:mutation`, Node 22 or later): each mutant of
 * these files must make a service-free test fail. Scores and survivors: docs/TESTING.md.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  coverageAnalysis: "perTest",
  mutate: [
    "sim/virtual/sqs-queue-model.ts",
    "sim/esm/*.ts",
    "!sim/esm/errors.ts",
    // Wiring of real SQS, MySQL and HTTP for the live engine: the live end-to-end tests guard it.
    "!sim/esm/local-consumer.ts",
    "sim/virtual/lambda-model.ts",
    "sim/alarms/*.ts",
    "!sim/alarms/errors.ts",
    "handler/*.ts",
    "!handler/index.ts",
    "!handler/errors.ts",
    // SQL against MariaDB: its tests need the server, so they are not service-free.
    "!handler/mysql-delivery-store.ts",
    "provider-mock/model.ts",
    "provider-mock/rate-limiter.ts",
    "sim/thresholds/*.ts",
    "!sim/thresholds/errors.ts",
  ],
  // TypeScript 7 has no JavaScript API for a type-checking checker; the typecheck runs in npm test.
  checkers: [],
  // Stryker rewrites tsconfig.json's paths for its sandbox through TypeScript's JavaScript API, which
  // TypeScript 7 no longer has. Our tsconfig has no extends or references to rewrite, so point the
  // step at a file that does not exist and it is skipped.
  tsconfigFile: "tsconfig.stryker-skips-rewrite.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".cache/stryker-tmp",
  // The sandbox needs the sources, not the Node binary and caches under .cache/.
  ignorePatterns: ["/.cache"],
  // `npx stryker run --incremental` reuses the last run's results for unchanged code and tests.
  incrementalFile: ".cache/stryker-incremental.json",
  concurrency: 2,
  thresholds: { high: 90, low: 85, break: null },
};
