import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { type QueueDepth, type QueueUrls, readQueueDepth } from "../../domain/sqs-client";
import type { PipelineConfig } from "../../infra/pipeline-config";
import { LiveEngineError } from "./errors";
import type { RealQueueSettings } from "./time-scale";

export interface RunQueues extends QueueUrls {
  /** Deletes the queues this run created; leaves given ones alone. */
  dispose(): Promise<void>;
}

const SQS_MAX_NAME = 80;

/**
 * The run's own queue pair on whatever SQS the client talks to (ElasticMQ or AWS): the template's
 * names suffixed with the run id, the template's settings (in real seconds), and a RedrivePolicy
 * to its own DLQ. Nothing another run left behind can reach it.
 */
export async function createRunQueues(
  client: SQSClient,
  pipeline: Pick<PipelineConfig, "queue" | "dlq">,
  settings: { queue: RealQueueSettings; dlq: RealQueueSettings },
  runId: string,
): Promise<RunQueues> {
  const named = (name: string) => `${name.slice(0, SQS_MAX_NAME - runId.length - 1)}-${runId}`;
  const dlqUrl = await createQueue(client, named(pipeline.dlq.name), attributesOf(settings.dlq));
  const dlqArn = await queueArn(client, dlqUrl);
  const queueUrl = await createQueue(client, named(pipeline.queue.name), {
    ...attributesOf(settings.queue),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: pipeline.queue.maxReceiveCount,
    }),
  });
  return {
    queueUrl,
    dlqUrl,
    async dispose() {
      await Promise.all(
        [queueUrl, dlqUrl].map((url) => client.send(new DeleteQueueCommand({ QueueUrl: url }))),
      );
    },
  };
}

/**
 * Queues given by URL (QUEUE_URL / DLQ_URL, e.g. a deployed stack's): used as they are, after
 * checking both are empty, since a run counts everything in them as its own.
 */
export async function givenRunQueues(client: SQSClient, urls: QueueUrls): Promise<RunQueues> {
  for (const url of [urls.queueUrl, urls.dlqUrl]) {
    const total = queueTotal(await readQueueDepth(client, url));
    if (total > 0) {
      throw new LiveEngineError(`${url} holds ${total} messages; a live run needs empty queues`);
    }
  }
  return { ...urls, dispose: async () => {} };
}

export async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new LiveEngineError(`GetQueueAttributes gave no QueueArn for ${queueUrl}`);
  return arn;
}

/**
 * The bodies of the messages visible in a queue nobody else receives from, without deleting them:
 * each is hidden for `hideSeconds` so it is read once. Stops after `expected` bodies or when
 * receives keep coming back empty (SQS short polls sample only some of its servers).
 */
export async function readBodies(
  client: SQSClient,
  queueUrl: string,
  expected: number,
  hideSeconds = 300,
): Promise<string[]> {
  const bodies: string[] = [];
  for (let empty = 0; bodies.length < expected && empty < 3; ) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: hideSeconds,
      }),
    );
    if (Messages.length === 0) empty++;
    for (const message of Messages) if (message.Body !== undefined) bodies.push(message.Body);
  }
  return bodies;
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new LiveEngineError(`CreateQueue gave no QueueUrl for ${name}`);
  return QueueUrl;
}

function attributesOf(settings: RealQueueSettings): Record<string, string> {
  return {
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(settings.retentionSeconds),
    DelaySeconds: String(settings.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(settings.receiveWaitSeconds),
  };
}

/** Every message a queue holds: visible, in flight or delayed. */
export function queueTotal(depth: QueueDepth): number {
  return depth.visible + depth.inFlight + depth.delayed;
}
