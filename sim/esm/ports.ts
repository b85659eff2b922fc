import type { SQSEvent, SQSMessageAttributes } from "aws-lambda";

/** A message as ReceiveMessage returns it, with every system attribute Lambda puts on a record. */
export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
  };
  messageAttributes: SQSMessageAttributes;
}

/**
 * The event source mapping's view of a queue. The live engine adapts real SQS (ElasticMQ or AWS);
 * the virtual engine adapts its in-memory queue model.
 */
export interface QueuePort {
  /** ARN of the queue, as it appears in records' eventSourceARN. */
  readonly arn: string;
  readonly region: string;
  /**
   * Up to `maxMessages` (<= 10), waiting up to `waitSeconds` for the first one (long polling).
   * `signal` ends the wait early when the mapping stops; an adapter may ignore it.
   */
  receive(maxMessages: number, waitSeconds: number, signal?: AbortSignal): Promise<QueueMessage[]>;
  /**
   * Optional: the same as calling receive(maxMessages, waitSeconds) until it returns messages, each
   * empty long poll counted as SQS would, in one call. The virtual queue offers it so an idle month
   * of polling costs nothing; the mapping uses it only while its scaling is settled and idle.
   */
  receiveWhenAvailable?(maxMessages: number, waitSeconds: number): Promise<QueueMessage[]>;
  /** DeleteMessageBatch of 1-10 receipt handles; resolves with the ones that could not be deleted. */
  deleteBatch(receiptHandles: readonly string[]): Promise<string[]>;
}

/** How one invocation ended, as the event source mapping sees it. */
export type InvocationOutcome =
  | { kind: "returned"; payload: unknown }
  | { kind: "error"; error: unknown }
  | { kind: "timeout" }
  | { kind: "throttled" };

/** The function behind the mapping: in-process, through the Lambda Invoke API, or a model of it. */
export interface FunctionPort {
  invoke(event: SQSEvent, timeoutMs: number): Promise<InvocationOutcome>;
}
