import { type BulkSendRequest, recipientRef } from "../../handler/carrier/carrier-api";
import type { CarrierModelConfig } from "../config";
import { type CarrierDecision, type CarrierModel, createCarrierModel } from "../model";

/** A Korean mobile number unique to `userId`. */
export function phoneOf(userId: number): string {
  return `010${String(userId).padStart(8, "0")}`;
}

/** A bulk body for `userIds` of campaign `logId`, refs and numbers as the handler makes them. */
export function bulkBody(
  userIds: readonly number[],
  { logId = 1, content = "Your code is 1234" }: { logId?: number; content?: string } = {},
): BulkSendRequest {
  return {
    content,
    recipients: userIds.map((userId) => ({ to: phoneOf(userId), ref: recipientRef(logId, userId) })),
  };
}

export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** A model on a fake clock that starts at 0 ms; latency is 0 unless the config says otherwise. */
export function modelOnFakeClock(config: CarrierModelConfig = {}, seed = 1) {
  let nowMs = 0;
  const model = createCarrierModel(
    { latencyMs: { dist: "fixed", value: 0 }, ...config },
    { seed, now: () => nowMs },
  );
  return {
    model,
    /** Moves the clock to `ms`. */
    at(ms: number): CarrierModel {
      nowMs = ms;
      return model;
    },
  };
}

export function statusOf(decision: CarrierDecision): number | "timeout" | "reset" {
  return decision.kind === "timeout" || decision.kind === "reset" ? decision.kind : decision.status;
}

export function responseBody(decision: CarrierDecision) {
  if (decision.kind !== "response")
    throw new Error(`expected a 200 response, got ${JSON.stringify(decision)}`);
  return decision.body;
}
