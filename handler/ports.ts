import type { BulkSendRequest, BulkSendResponse } from "./carrier/carrier-api";

/**
 * What the handler needs from the outside world. AWS, the live engine and the virtual engine give
 * it different adapters; its logic is the same in all three.
 */
export interface CarrierPort {
  /**
   * Sends one bulk request. Throws (handler/errors.ts) CarrierRateLimitedError (429),
   * CarrierTransientError (5xx, 408, 409, timeout, connection reset, unreadable response),
   * CarrierRejectedRequestError (a request that can never succeed: its recipients fail for good) or
   * CarrierMisconfiguredError (credentials or URL: nothing is recorded); resolves with
   * per-recipient results otherwise.
   */
  sendBulk(request: BulkSendRequest, idempotencyKey: string): Promise<BulkSendResponse>;
}

export interface RecipientResult {
  userId: number;
  phone: string;
  status: "SENT" | "FAILED";
  carrierMessageId: string | null;
  errorCode: string | null;
  /**
   * Deliveries of the recipient's message that reached the handler: the failed attempts recorded
   * for its chunk (across redrives, which restart the SQS receive count) plus this one.
   */
  attempts: number;
  /** Why a FAILED result failed, in words (the carrier's message); null when the code says it all. */
  errorDetail?: string | null;
}

export interface MalformedMessage {
  messageId: string;
  body: string;
  error: string;
  receiveCount: number;
}

/** One message of a campaign. */
export interface ChunkRef {
  logId: number;
  chunkId: number;
}

/** One record's recipients, as the batch lookups take them. */
export interface CampaignChunk {
  logId: number;
  userIds: readonly number[];
}

/** One record's results, as the batch write takes them. */
export interface CampaignResults {
  logId: number;
  results: readonly RecipientResult[];
}

/**
 * One delivery of a message that did not complete: a transient carrier failure or timeout, a 429
 * deferral, a malformed body, a database failure or a record the invocation had no time for.
 * Kept apart from the message, so the reason outlives it (in the DLQ, after a purge or redrive).
 */
export interface FailedAttempt {
  /** Null when the body is too malformed to name its campaign and chunk. */
  logId: number | null;
  chunkId: number | null;
  messageId: string;
  receiveCount: number;
  /** Stable: CARRIER_HTTP_503, CARRIER_TIMEOUT, CARRIER_RATE_LIMITED, MALFORMED_MESSAGE, ... */
  code: string;
  /** The carrier's own error code and message where it gave one. */
  detail: string;
}

export interface DeliveryStore {
  /** Phone numbers of the users that exist; unknown IDs are absent from the map. */
  findPhones(userIds: readonly number[]): Promise<Map<number, string>>;
  /** Users of this campaign that already have a final result (SENT or FAILED). */
  findRecorded(logId: number, userIds: readonly number[]): Promise<Set<number>>;
  /**
   * Stores final results; a user that already has one keeps it, so a redelivery never counts
   * twice. Moves the campaign's counters and status (SENDING, then COMPLETED, PARTIAL or FAILED).
   */
  recordResults(logId: number, results: readonly RecipientResult[]): Promise<void>;
  recordMalformed(message: MalformedMessage): Promise<void>;
  /**
   * findRecorded for all of an invocation's records in one round trip: per campaign (logId), the
   * users among the chunks' that already have a final result.
   */
  findRecordedBatch(chunks: readonly CampaignChunk[]): Promise<Map<number, Set<number>>>;
  /** recordResults for all of an invocation's records, in one transaction: all are stored or none. */
  recordResultsBatch(batches: readonly CampaignResults[]): Promise<void>;
  /** Appends failed attempts (one batch's worth in one write). */
  recordAttempts(attempts: readonly FailedAttempt[]): Promise<void>;
  /**
   * How many failed attempts of each chunk are recorded, over every delivery and redrive, in the
   * order asked: one round trip for an invocation's records.
   */
  countAttempts(chunks: readonly ChunkRef[]): Promise<number[]>;
}

/** Lets the handler push a record's next delivery out (Retry-After on a 429). */
export interface VisibilityPort {
  changeVisibility(eventSourceArn: string, receiptHandle: string, timeoutSeconds: number): Promise<void>;
}
