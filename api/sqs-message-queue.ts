import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { MessageQueuePort } from "./ports";

/** The producer's queue in production: SendMessageBatch on an SQS (or ElasticMQ) queue. */
export function createSqsMessageQueue(client: SQSClient, queueUrl: string): MessageQueuePort {
  return {
    async sendBatch(entries) {
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.map((e) => ({ Id: e.id, MessageBody: e.body })),
        }),
      );
      const succeeded = new Set((result.Successful ?? []).map((s) => s.Id));
      // An entry SQS reported neither way did not make it either.
      const failedIds = entries.map((e) => e.id).filter((id) => !succeeded.has(id));
      const rejectedIds = (result.Failed ?? [])
        .filter((f) => f.SenderFault && f.Id)
        .map((f) => f.Id as string);
      return { failedIds, rejectedIds };
    },
  };
}
