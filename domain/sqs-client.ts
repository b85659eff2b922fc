import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SmsimEnv } from "./env";
import { SmsimError } from "./errors";

/**
 * An SQS client for the environment: with SQS_ENDPOINT (ElasticMQ) it signs with dummy
 * credentials, which ElasticMQ accepts; otherwise the SDK's default credential chain applies.
 */
export function createSqsClient(env: Pick<SmsimEnv, "sqsEndpoint" | "awsRegion">): SQSClient {
  if (env.sqsEndpoint === undefined) return new SQSClient({ region: env.awsRegion });
  return new SQSClient({
    endpoint: env.sqsEndpoint,
    region: env.awsRegion,
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
}

export interface QueueUrls {
  queueUrl: string;
  dlqUrl: string;
}

/** Structurally a PipelineConfig (infra/pipeline-config.ts): only the queue names matter here. */
export interface QueueNames {
  queue: { name: string };
  dlq: { name: string };
}

export class QueueNotFoundError extends SmsimError {
  constructor(
    readonly queueName: string,
    options?: ErrorOptions,
  ) {
    super("QUEUE_NOT_FOUND", `queue ${JSON.stringify(queueName)} does not exist`, options);
  }
}

/** The queues' URLs: the ones given (QUEUE_URL / DLQ_URL) win, the rest come from GetQueueUrl. */
export async function resolveQueueUrls(
  client: SQSClient,
  config: QueueNames,
  known: Partial<Pick<SmsimEnv, "queueUrl" | "dlqUrl">> = {},
): Promise<QueueUrls> {
  const [queueUrl, dlqUrl] = await Promise.all([
    known.queueUrl ?? queueUrlOf(client, config.queue.name),
    known.dlqUrl ?? queueUrlOf(client, config.dlq.name),
  ]);
  return { queueUrl, dlqUrl };
}

async function queueUrlOf(client: SQSClient, name: string): Promise<string> {
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!QueueUrl) throw new QueueNotFoundError(name);
    return QueueUrl;
  } catch (error) {
    if (error instanceof QueueDoesNotExist) throw new QueueNotFoundError(name, { cause: error });
    throw error;
  }
}

/** A queue's approximate message counts, as GetQueueAttributes reports them. */
export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function readQueueDepth(client: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
