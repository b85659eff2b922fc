import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { LOCAL_SQS_REGION, type SmsimEnv } from "../../domain/env";
import { LOCAL_SQS_ENDPOINT, servicesUp } from "../../infra/local/services";
import { loadPipelineConfig } from "../../infra/pipeline-config";

type Source = Readonly<Record<string, string | undefined>>;

/**
 * Where a live run's SQS is: SQS_ENDPOINT when set; real AWS when it is unset and AWS credentials
 * are at hand; otherwise the local stack, brought up as `smsim services up` does (MariaDB and
 * ElasticMQ on 127.0.0.1:9324) if it is not running. Only the endpoint and credentials differ:
 * the run itself takes the same code path on all three.
 */
export async function resolveLiveTarget(
  env: SmsimEnv,
  log: (line: string) => void,
  source: Source = process.env,
): Promise<SmsimEnv> {
  if (env.sqsEndpoint !== undefined) return env;
  if (hasAwsCredentials(source)) {
    log(`SQS: AWS (${env.awsRegion ?? "region from the AWS config"}); SQS_ENDPOINT is unset`);
    return env;
  }
  await servicesUp({ env, config: loadPipelineConfig(), log });
  return { ...env, sqsEndpoint: LOCAL_SQS_ENDPOINT, awsRegion: LOCAL_SQS_REGION };
}

/** Whether the AWS SDK's default chain has something to find (variables, profile files, a role). */
export function hasAwsCredentials(source: Source, home = homedir()): boolean {
  const variables = [
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  ];
  if (variables.some((name) => source[name]?.trim())) return true;
  const files = [source.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials")];
  return files.some((file) => existsSync(file));
}
