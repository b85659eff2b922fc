import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { ValidationError } from "../domain/errors";
import { VisibilityChangeError } from "./errors";
import type { VisibilityPort } from "./ports";

export interface SqsVisibilityOptions {
  client: SQSClient;
  /** Used for every record when set (env QUEUE_URL); otherwise derived from the record's ARN. */
  queueUrl?: string;
  /** A non-AWS SQS endpoint such as ElasticMQ's (env SQS_ENDPOINT), which names queues under it. */
  endpoint?: string;
}

const QUEUE_ARN = /^arn:(aws[\w-]*):sqs:([a-z0-9-]+):(\d{12}):([\w-]+(?:\.fifo)?)$/;

/**
 * Each partition's endpoint domain. aws and aws-us-gov: sqs.<region>.amazonaws.com
 * (https://docs.aws.amazon.com/general/latest/gr/sqs-service.html,
 * https://docs.aws.amazon.com/govcloud-us/latest/UserGuide/using-govcloud-endpoints.html); the
 * China regions: "the endpoint domain for both the Beijing and Ningxia Regions is amazonaws.com.cn"
 * (https://docs.amazonaws.cn/en_us/general/latest/gr/endpoints-Beijing.html).
 */
const PARTITION_DOMAINS: Readonly<Record<string, string>> = {
  aws: "amazonaws.com",
  "aws-us-gov": "amazonaws.com",
  "aws-cn": "amazonaws.com.cn",
};

/**
 * arn:aws:sqs:region:account:name -> https://sqs.region.amazonaws.com/account/name (the partition
 * names the domain), or `${endpoint}/account/name` for ElasticMQ-style endpoints.
 */
export function queueUrlFromArn(arn: string, endpoint?: string): string {
  const match = QUEUE_ARN.exec(arn);
  if (!match) throw new ValidationError("eventSourceARN", arn, "not an SQS queue ARN");
  const [, partition, region, account, name] = match;
  if (endpoint) return `${endpoint.replace(/\/+$/, "")}/${account}/${name}`;
  const domain = PARTITION_DOMAINS[partition as string];
  if (domain === undefined) {
    throw new ValidationError(
      "eventSourceARN",
      arn,
      `no known SQS endpoint for partition ${partition}; set QUEUE_URL`,
    );
  }
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

export function createSqsVisibility(options: SqsVisibilityOptions): VisibilityPort {
  const { client, queueUrl, endpoint } = options;
  return {
    async changeVisibility(eventSourceArn, receiptHandle, timeoutSeconds) {
      try {
        await client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl ?? queueUrlFromArn(eventSourceArn, endpoint),
            ReceiptHandle: receiptHandle,
            VisibilityTimeout: timeoutSeconds,
          }),
        );
      } catch (cause) {
        throw new VisibilityChangeError(
          `ChangeMessageVisibility to ${timeoutSeconds} s failed for ${eventSourceArn}: ${(cause as Error).message}`,
          { cause },
        );
      }
    },
  };
}
