import type { LambdaConfig } from "../../infra/pipeline-config";

/**
 * The variables infra/template.yaml gives the function literally (the handler's tuning), from
 * the pipeline's settings after any overrides. Where the services are (MYSQL_URL,
 * CARRIER_BASE_URL, SQS_ENDPOINT...) is the deployment's business, so it is not among them.
 */
export function templateEnvironment(lambda: LambdaConfig): Record<string, string> {
  return {
    CARRIER_TIMEOUT_MS: String(lambda.carrierTimeoutMs),
    RECORD_PARALLELISM: String(lambda.recordParallelism),
    CARRIER_RETRIES: String(lambda.carrierRetries),
    RATE_LIMIT_MAX_WAIT_MS: String(lambda.rateLimitMaxWaitMs),
  };
}
