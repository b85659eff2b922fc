import type { Clock } from "../../domain/clock";
import type { BulkSendRequest, BulkSendResponse } from "../carrier/carrier-api";
import { perRecordBatches } from "../per-record-batches";
import type {
  CarrierPort,
  DeliveryStore,
  FailedAttempt,
  MalformedMessage,
  RecipientResult,
  VisibilityPort,
} from "../ports";
import type { InvocationContext } from "../time-budget";

/** Virtual time: sleeping moves the clock on at once. */
export function manualClock(
  startMs = 1_700_000_000_000,
): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** A Lambda context whose deadline is `budgetMs` after the clock's current time. */
export function invocationContext(clock: Clock, budgetMs: number): InvocationContext {
  const deadline = clock.now() + budgetMs;
  return { getRemainingTimeInMillis: () => deadline - clock.now() };
}

type StoreOperation =
  | "findPhones"
  | "findRecorded"
  | "recordResults"
  | "recordMalformed"
  | "findRecordedBatch"
  | "recordResultsBatch"
  | "recordAttempts"
  | "countAttempts";

/** DeliveryStore port in memory, keeping a recipient's first result like the MySQL adapter. */
export function memoryStore(users: Record<number, string> = {}) {
  const results = new Map<string, RecipientResult & { logId: number }>();
  const malformed: MalformedMessage[] = [];
  const attempts: FailedAttempt[] = [];
  const failing = new Set<StoreOperation>();
  const calls: Partial<Record<StoreOperation, number>> = {};
  const check = (operation: StoreOperation) => {
    calls[operation] = (calls[operation] ?? 0) + 1;
    if (failing.has(operation)) throw new Error(`${operation}: connection lost`);
  };
  const single: Omit<DeliveryStore, "findRecordedBatch" | "recordResultsBatch"> = {
    async findPhones(userIds) {
      check("findPhones");
      return new Map(userIds.flatMap((id) => (users[id] === undefined ? [] : [[id, users[id]] as const])));
    },
    async findRecorded(logId, userIds) {
      check("findRecorded");
      return new Set(userIds.filter((id) => results.has(`${logId}:${id}`)));
    },
    async recordResults(logId, recipientResults) {
      check("recordResults");
      for (const result of recipientResults) {
        const key = `${logId}:${result.userId}`;
        if (!results.has(key)) results.set(key, { ...result, logId });
      }
    },
    async recordMalformed(message) {
      check("recordMalformed");
      malformed.push(message);
    },
    async recordAttempts(failed) {
      check("recordAttempts");
      attempts.push(...failed);
    },
    async countAttempts(chunks) {
      check("countAttempts");
      return chunks.map(
        ({ logId, chunkId }) => attempts.filter((a) => a.logId === logId && a.chunkId === chunkId).length,
      );
    },
  };
  const batches = perRecordBatches(single);
  const store: DeliveryStore = {
    ...single,
    async findRecordedBatch(chunks) {
      check("findRecordedBatch");
      return batches.findRecordedBatch(chunks);
    },
    async recordResultsBatch(results) {
      check("recordResultsBatch");
      return batches.recordResultsBatch(results);
    },
  };
  return {
    ...store,
    malformed,
    attempts,
    failOn: (operation: StoreOperation) => failing.add(operation),
    /** How many times each operation was called. */
    calls,
    result: (logId: number, userId: number) => results.get(`${logId}:${userId}`),
    results: (logId: number) => [...results.values()].filter((r) => r.logId === logId),
  };
}

export type CarrierStep = "accept" | Error | ((request: BulkSendRequest) => BulkSendResponse);

/**
 * CarrierPort that answers each call with the next scripted step, then accepts everything.
 * Accepting rejects the numbers in `rejectNumbers`, as a carrier rejects a blocked subscriber.
 */
export function scriptedCarrier(
  options: { steps?: CarrierStep[]; rejectNumbers?: string[]; onCall?: () => void } = {},
) {
  const steps = [...(options.steps ?? [])];
  const calls: { request: BulkSendRequest; key: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const accept = (request: BulkSendRequest): BulkSendResponse => ({
    requestId: `req-${calls.length}`,
    results: request.recipients.map((r) =>
      options.rejectNumbers?.includes(r.to)
        ? { ref: r.ref, to: r.to, status: "REJECTED", errorCode: "BLOCKED" }
        : { ref: r.ref, to: r.to, status: "ACCEPTED", carrierMessageId: `cm-${r.ref}` },
    ),
  });
  const carrier: CarrierPort = {
    async sendBulk(request, key) {
      calls.push({ request, key });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        // Lets other records' calls start, as a network round trip would.
        await new Promise((resolve) => setImmediate(resolve));
        options.onCall?.();
        const step = steps.shift() ?? "accept";
        if (step instanceof Error) throw step;
        return step === "accept" ? accept(request) : step(request);
      } finally {
        inFlight--;
      }
    },
  };
  return {
    ...carrier,
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

export function recordingVisibility(options: { fail?: boolean } = {}) {
  const changes: { arn: string; receiptHandle: string; seconds: number }[] = [];
  const visibility: VisibilityPort = {
    async changeVisibility(arn, receiptHandle, seconds) {
      // Lets other records go on meanwhile, as a network round trip would.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.fail) throw new Error("AccessDenied");
      changes.push({ arn, receiptHandle, seconds });
    },
  };
  return { ...visibility, changes };
}
