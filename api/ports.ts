/** One SQS message the producer sends: `id` is unique within its batch. */
export interface OutgoingMessage {
  id: string;
  body: string;
}

export interface BatchSendResult {
  /** Entries SQS did not accept. */
  failedIds: string[];
  /**
   * The subset of `failedIds` SQS blamed on the request itself (SenderFault): sending them again
   * cannot succeed, so the producer counts them as failed at once.
   */
  rejectedIds?: string[];
}

/** What the producer needs from the queue: SQS in production, a model of it in the simulator. */
export interface MessageQueuePort {
  /** Sends up to 10 entries in one call; throws when the call itself failed. */
  sendBatch(entries: readonly OutgoingMessage[]): Promise<BatchSendResult>;
}
