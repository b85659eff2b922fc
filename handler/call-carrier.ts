import type { Clock } from "../domain/clock";
import type { BulkSendRequest, BulkSendResponse } from "./carrier/carrier-api";
import { CarrierTransientError } from "./errors";
import type { CarrierPort } from "./ports";
import type { TimeBudget } from "./time-budget";

export interface CarrierRetryPolicy {
  /** Extra attempts after a transient failure within the same invocation. */
  retries: number;
  /** Delay before the first retry; each further retry waits twice as long. */
  baseDelayMs: number;
}

/**
 * One bulk send, retried on transient failures while the policy and the time budget allow. Every
 * attempt carries the same Idempotency-Key, so a retry after a lost response sends nothing twice.
 */
export async function callCarrier(
  carrier: CarrierPort,
  request: BulkSendRequest,
  idempotencyKey: string,
  policy: CarrierRetryPolicy,
  clock: Clock,
  budget: TimeBudget,
): Promise<BulkSendResponse> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await carrier.sendBulk(request, idempotencyKey);
    } catch (error) {
      if (!(error instanceof CarrierTransientError) || attempt >= policy.retries) throw error;
      const delayMs = policy.baseDelayMs * 2 ** attempt;
      if (!budget.allowsCarrierCall(delayMs)) throw error;
      await clock.sleep(delayMs);
    }
  }
}
