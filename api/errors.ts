import { SmsimError } from "../domain/errors";

/** The audience matched no user: no campaign was created. */
export class EmptyAudienceError extends SmsimError {
  constructor(audience: string) {
    super("AUDIENCE_EMPTY", `audience: matched no users (${audience}); nothing was queued`);
  }
}

/**
 * Enqueueing stopped part-way (the audience query failed): the campaign is marked ENQUEUE_FAILED
 * with the recipients queued so far, which the consumer will still deliver.
 */
export class EnqueueAbortedError extends SmsimError {
  constructor(
    readonly logId: number,
    readonly queuedCount: number,
    cause: unknown,
  ) {
    super(
      "ENQUEUE_ABORTED",
      `campaign ${logId}: enqueueing stopped after ${queuedCount} recipients: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}

export class CampaignNotFoundError extends SmsimError {
  constructor(readonly logId: number) {
    super("CAMPAIGN_NOT_FOUND", `campaign ${logId} not found`);
  }
}

/** The campaign cannot be resumed; the message says why. */
export class ResumeRefusedError extends SmsimError {
  constructor(
    readonly logId: number,
    reason: string,
  ) {
    super("RESUME_REFUSED", `campaign ${logId} cannot be resumed: ${reason}`);
  }
}

/** A resume claimed the campaign while this producer was still enqueueing it: this one stopped. */
export class EnqueueTakenOverError extends SmsimError {
  constructor(readonly logId: number) {
    super("ENQUEUE_TAKEN_OVER", `campaign ${logId}: another producer resumed it; this one stopped`);
  }
}
