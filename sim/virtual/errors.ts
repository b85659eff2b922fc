import { SmsimError } from "../../domain/errors";

/** The scheduler was used in a way that would break virtual time (e.g. two concurrent runs). */
export class SchedulerError extends SmsimError {
  constructor(message: string) {
    super("SCHEDULER_MISUSE", message);
  }
}

/** SQS's ReceiptHandleIsInvalid: never issued by this queue, or superseded by a newer receive. */
export class ReceiptHandleError extends SmsimError {
  constructor(
    readonly receiptHandle: string,
    reason: string,
  ) {
    super("RECEIPT_HANDLE_INVALID", `ReceiptHandle ${JSON.stringify(receiptHandle)}: ${reason}`);
  }
}

/** SQS's MessageNotInflight: the visibility of a message nobody holds cannot change. */
export class MessageNotInflightError extends SmsimError {
  constructor(readonly receiptHandle: string) {
    super("MESSAGE_NOT_INFLIGHT", `ReceiptHandle ${JSON.stringify(receiptHandle)}: message is not in flight`);
  }
}

/** StartMessageMoveTask refused, e.g. a task is already running on the queue. */
export class MoveTaskError extends SmsimError {
  constructor(message: string) {
    super("MOVE_TASK_REFUSED", message);
  }
}

/** What SQS calls a SendMessageBatch it refuses whole (SendMessageBatch API reference, Errors). */
export type BatchRequestErrorCode =
  | "EmptyBatchRequest"
  | "TooManyEntriesInBatchRequest"
  | "InvalidBatchEntryId"
  | "BatchEntryIdsNotDistinct"
  | "BatchRequestTooLong";

/** SendMessageBatch refused as a whole: none of its entries is sent. */
export class BatchRequestError extends SmsimError {
  constructor(
    readonly awsCode: BatchRequestErrorCode,
    reason: string,
  ) {
    super("SQS_BATCH_REQUEST_REFUSED", `${awsCode}: ${reason}`);
  }
}

/** SQS's PurgeQueueInProgress: the queue was purged less than 60 seconds ago. */
export class PurgeInProgressError extends SmsimError {
  constructor(queueName: string, sinceMs: number) {
    super(
      "PURGE_QUEUE_IN_PROGRESS",
      `${queueName}: PurgeQueueInProgress, purged ${Math.round(sinceMs / 1000)} s ago; one purge per 60 s`,
    );
  }
}

/** Lambda's Runtime.MarshalError: the handler returned something JSON cannot carry. */
export class LambdaMarshalError extends SmsimError {
  constructor(cause: unknown) {
    super("LAMBDA_MARSHAL_ERROR", `Runtime.MarshalError: ${(cause as Error).message ?? String(cause)}`, {
      cause,
    });
  }
}
