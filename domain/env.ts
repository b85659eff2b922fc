import { DEFAULT_MYSQL_URL, parseMysqlUrl } from "./db/mysql";
import { ValidationError } from "./errors";

/** ElasticMQ's fixed region; the SDK needs one even though ElasticMQ ignores it. */
export const LOCAL_SQS_REGION = "elasticmq";

/** Where the pipeline's services are, from the environment. Unset optional variables are undefined. */
export interface SmsimEnv {
  /** SQS_ENDPOINT: e.g. http://127.0.0.1:9324 for ElasticMQ; undefined = real AWS. */
  sqsEndpoint: string | undefined;
  /** AWS_REGION; undefined = the AWS SDK's own chain (profile config) decides. */
  awsRegion: string | undefined;
  mysqlUrl: string;
  carrierBaseUrl: string | undefined;
  carrierApiKey: string | undefined;
  slackWebhookUrl: string | undefined;
  /** QUEUE_URL / DLQ_URL; undefined = look the queue up by name (GetQueueUrl). */
  queueUrl: string | undefined;
  dlqUrl: string | undefined;
}

export const ENV_VARIABLES = {
  sqsEndpoint: "SQS_ENDPOINT",
  awsRegion: "AWS_REGION",
  mysqlUrl: "MYSQL_URL",
  carrierBaseUrl: "CARRIER_BASE_URL",
  carrierApiKey: "CARRIER_API_KEY",
  slackWebhookUrl: "SLACK_WEBHOOK_URL",
  queueUrl: "QUEUE_URL",
  dlqUrl: "DLQ_URL",
} as const satisfies Record<keyof SmsimEnv, string>;

type Source = Readonly<Record<string, string | undefined>>;

export function readEnv(source: Source = process.env): SmsimEnv {
  // CloudFormation passes unset parameters as "", so empty means unset.
  const get = (key: keyof SmsimEnv) => {
    const value = source[ENV_VARIABLES[key]]?.trim();
    return value ? value : undefined;
  };
  const url = (key: keyof SmsimEnv) => {
    const value = get(key);
    if (value !== undefined) checkHttpUrl(ENV_VARIABLES[key], value);
    return value;
  };
  const sqsEndpoint = url("sqsEndpoint");
  const mysqlUrl = get("mysqlUrl") ?? DEFAULT_MYSQL_URL;
  parseMysqlUrl(mysqlUrl);
  return {
    sqsEndpoint,
    awsRegion: get("awsRegion") ?? (sqsEndpoint ? LOCAL_SQS_REGION : undefined),
    mysqlUrl,
    carrierBaseUrl: url("carrierBaseUrl"),
    carrierApiKey: get("carrierApiKey"),
    slackWebhookUrl: url("slackWebhookUrl"),
    queueUrl: url("queueUrl"),
    dlqUrl: url("dlqUrl"),
  };
}

/** The setting's value, or a ValidationError naming its variable when it is unset. */
export function requireEnv<K extends keyof SmsimEnv>(env: SmsimEnv, key: K): NonNullable<SmsimEnv[K]> {
  const value = env[key];
  if (value === undefined) throw new ValidationError(ENV_VARIABLES[key], value, "is required");
  return value as NonNullable<SmsimEnv[K]>;
}

function checkHttpUrl(variable: string, value: string) {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ValidationError(variable, value, "not a URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ValidationError(variable, value, "expected an http:// or https:// URL");
  }
}
