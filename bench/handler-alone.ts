/**
 * The production handler with nothing around it, for the live-stack bench: invoked directly with
 * a campaign's messages as the producer writes them, on the ports a deployed function has (the
 * MySQL store, the HTTP carrier client, SQS visibility), through the same in-process function as
 * `smsim consume`. No queue and no event source mapping: what the handler's own work costs, the
 * part of the pipeline that the ElasticMQ ceiling does not do.
 */
import { createHash, randomUUID } from "node:crypto";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse } from "aws-lambda";
import type { Pool } from "mysql2/promise";
import { encodeMessageBody, RECIPIENTS_PER_MESSAGE } from "../domain/message-body";
import type { PipelineConfig } from "../infra/pipeline-config";
import { createLocalFunction, invocationsInFlightOf } from "../sim/esm/local-consumer";
import { sqsEventOf, sqsRecordOf } from "../sim/esm/sqs-event";
import { createSqsQueuePort } from "../sim/esm/sqs-queue-port";

export interface HandlerAloneOptions {
  pipeline: PipelineConfig;
  /** Sized by storeConnectionsOf(pipeline), as the consumer's. */
  pool: Pool;
  carrierUrl: string;
  /** For the visibility port; a carrier without a rate limit never makes the handler call it. */
  client: SQSClient;
  queueUrl: string;
  /** A campaign whose recipients are users 1..recipients and none has a result yet. */
  logId: number;
  recipients: number;
  content: string;
}

/**
 * Delivers the campaign in batches of the mapping's BatchSize, as many at once as the mapping's
 * concurrency allows; resolves with the seconds it took. Throws if any record comes back failed,
 * since the figure would then not be the cost of delivering everyone.
 */
export async function deliverWithHandlerAlone(options: HandlerAloneOptions): Promise<number> {
  const { pipeline, recipients, logId, content } = options;
  const local = createLocalFunction({ ...options, carrier: { baseUrl: options.carrierUrl } });
  // Records name the queue as the mapping's would: its ARN and region, asked of the queue itself.
  const queue = await createSqsQueuePort(options.client, options.queueUrl);
  const messages = Math.ceil(recipients / RECIPIENTS_PER_MESSAGE);
  const recordOf = (chunkId: number) => {
    const first = chunkId * RECIPIENTS_PER_MESSAGE + 1;
    const last = Math.min(recipients, first + RECIPIENTS_PER_MESSAGE - 1);
    const userIds = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    const body = encodeMessageBody({ v: 1, logId, chunkId, userIds, content });
    const now = String(Date.now());
    const message = {
      messageId: randomUUID(),
      receiptHandle: randomUUID(),
      body,
      md5OfBody: createHash("md5").update(body).digest("hex"),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: now,
        SenderId: "bench",
        ApproximateFirstReceiveTimestamp: now,
      },
      messageAttributes: {},
    };
    return sqsRecordOf(message, queue);
  };

  const concurrency = invocationsInFlightOf(pipeline);
  const timeoutMs = pipeline.lambda.timeoutSeconds * 1000;
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < messages) {
          const first = next;
          next = Math.min(messages, next + pipeline.esm.batchSize);
          const records = Array.from({ length: next - first }, (_, i) => recordOf(first + i));
          const outcome = await local.fn.invoke(sqsEventOf(records), timeoutMs);
          const failed =
            outcome.kind === "returned"
              ? (JSON.parse(String(outcome.payload)) as SQSBatchResponse).batchItemFailures.length
              : records.length;
          if (failed > 0) throw new Error(`handler alone: ${failed} records failed (${outcome.kind})`);
        }
      }),
    );
  } finally {
    await local.close();
  }
  return (performance.now() - started) / 1000;
}
