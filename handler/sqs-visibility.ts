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

const QUEUE_ARN = /^arn:aws[\w-]*:sqs:([a-z0-9-]+):(\d{12}):([\w-]+(?:\.fifo)?)$/;

/**
 * arn:aws:sqs:region:account:name -> https://sqs.region.amazonaws.com/account/name, or
 * `${endpoint}/account/name` for ElasticMQ-style endpoints.
 */
export function queueUrlFromArn(arn: string, endpoint?: string): string {
  const match = QUEUE_ARN.exec(arn);
  if (!match) throw new ValidationError("eventSourceARN", arn, "not an SQS queue ARN");
  const [, region, account, name] = match;
  const base = endpoint ? endpoint.replace(/\/+$/, "") : `https://sqs.${region}.amazonaws.com`;
  return `${base}/${account}/${name}`;
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
