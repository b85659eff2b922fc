import { ValidationError } from "../domain/errors";
import type {
  BulkSendRequest,
  BulkSendResponse,
  CarrierRecipientResult,
  RejectionCode,
} from "../handler/carrier/carrier-api";
import { MAX_RECIPIENTS_PER_REQUEST } from "../handler/carrier/carrier-api";
import { createRandom, hashString, hashToUnit } from "../sim/random";
import { checkIdempotencyKey, mobileNumberOf, parseBulkRequest } from "./bulk-request";
import {
  type CarrierModelConfig,
  DEFAULT_CARRIER_CONFIG,
  mergeCarrierConfig,
  parseCarrierConfig,
  type ResolvedCarrierConfig,
} from "./config";
import { createDeliveryLedger } from "./delivery-ledger";
import { idOf, logIdOf, packIdempotencyKey, packRecipientRef } from "./handler-ids";
import { createIdempotencyCache, type RememberedRequest } from "./idempotency-cache";
import { createLatencySampler } from "./latency";
import { createRateLimiter } from "./rate-limiter";
import { createRequestLog, type RequestOutcome, type RequestSummary } from "./request-log";
import { createThroughputMeter, type SecondCount } from "./throughput";

export interface CarrierRequest {
  idempotencyKey?: string;
  body: unknown;
}

/**
 * What the carrier does with one request, decided when it arrives. `delayMs` is how long the
 * answer takes; a timeout never answers (the connection closes after `hangMs`).
 */
export type CarrierDecision =
  | { kind: "response"; status: 200; body: BulkSendResponse; delayMs: number }
  | { kind: "rate-limited"; status: 429; retryAfterSeconds: number; message: string; delayMs: number }
  | { kind: "error"; status: 400 | 422 | 500 | 503; code: CarrierErrorCode; message: string; delayMs: number }
  | { kind: "timeout"; hangMs: number }
  | { kind: "reset"; delayMs: number };

export type CarrierErrorCode =
  | "BAD_REQUEST"
  | "IDEMPOTENCY_CONFLICT"
  | "INTERNAL_ERROR"
  | "SERVICE_UNAVAILABLE";

export interface CarrierStats {
  requests: number;
  /** Requests the carrier processed and answered 200, replays from the idempotency cache included. */
  accepted: number;
  rateLimited: number;
  /** Random 500/503 answers. */
  transientErrors: number;
  /** 503 answers during a scheduled outage. */
  outageErrors: number;
  /** Requests the carrier processed (their recipients were delivered) but never answered. */
  timeouts: number;
  resets: number;
  /** 400s, and 422s for an idempotency key reused with a different body. */
  badRequests: number;
  recipientsAccepted: number;
  recipientsRejected: number;
  /**
   * Most requests that got through the limiter and were processed (answered 200 or timed out
   * afterwards) in any 1-second sliding window, by arrival time.
   */
  maxAcceptedRequestsPerSecond: number;
  /** Most recipients accepted in any 1-second sliding window, by arrival time. */
  maxAcceptedRecipientsPerSecond: number;
  /** Accepted deliveries of a (ref, content) pair that had already been accepted: duplicate SMS. */
  duplicateDeliveriesByContent: number;
  /** Requests answered from the idempotency cache (nothing delivered again). */
  duplicateDeliveriesByKey: number;
}

export interface CarrierModel {
  handle(request: CarrierRequest): CarrierDecision;
  stats(): CarrierStats;
  /** Processed requests and accepted recipients per whole second of the clock (busy seconds only). */
  acceptedPerSecond(): SecondCount[];
  config(): ResolvedCarrierConfig;
  /** Validates and applies a partial config; rate changes keep the tokens already earned. */
  reconfigure(patch: CarrierModelConfig): ResolvedCarrierConfig;
  /** Forgets all traffic (stats, limiter, idempotency keys, deliveries) and restarts the seed. */
  reset(): void;
  /** Summaries of the most recent requests, newest first. */
  requests(limit: number): RequestSummary[];
}

export interface CarrierModelOptions {
  seed: number;
  /** The model's clock in ms; only read, never waited on. */
  now: () => number;
  /** How many recent requests `requests()` can return. */
  requestLogSize?: number;
}

const ACCEPTED = 0;
const INVALID_NUMBER = 1;
const REJECTED = 2;
const REJECTION_CODE_OF: readonly (RejectionCode | undefined)[] = [undefined, "INVALID_NUMBER", "REJECTED"];
/** "-0", "-1", ...: a carrier message id is the request id and the recipient's index. */
const MESSAGE_SUFFIXES = Array.from({ length: MAX_RECIPIENTS_PER_REQUEST }, (_, i) => `-${i}`);
/** Up to this many recipients, outcome codes (2 bits each) pack into one small integer. */
const PACKED_RECIPIENTS = 15;

/**
 * The mock carrier's behaviour, pure and clock-injected. Order of checks for a request:
 * outage (503) -> connection reset -> request-rate limit (429) -> validation (400) -> transient
 * failure (500/503) -> idempotency replay -> recipient-rate limit (429) -> delivery -> timeout.
 *
 * So a replayed idempotency key still counts against the request limit (like a real gateway) but
 * not against the recipient limit, and a timeout happens after delivery: the SMS went out but the
 * client never hears so, which is exactly when a retry without the same key sends it twice.
 */
export function createCarrierModel(config: CarrierModelConfig, options: CarrierModelOptions): CarrierModel {
  const { seed, now } = options;
  let current = mergeCarrierConfig(DEFAULT_CARRIER_CONFIG, parseCarrierConfig(config), now());
  const invalidNumberSeed = hashString("invalid-numbers", seed);
  // Scratch for the request being handled; handle() is synchronous, so one buffer serves all.
  const outcomes = new Uint8Array(MAX_RECIPIENTS_PER_REQUEST);
  const packedRefs = new Float64Array(MAX_RECIPIENTS_PER_REQUEST);

  const freshState = () => {
    const root = createRandom(seed);
    const latencyRandom = root.fork("latency");
    return {
      faults: root.fork("faults"),
      rejections: root.fork("rejections"),
      latencyRandom,
      sampleLatency: createLatencySampler(current.latencyMs, latencyRandom),
      requestBucket: createRateLimiter(current.rateLimit.requestsPerSecond, now()),
      recipientBucket: createRateLimiter(current.rateLimit.recipientsPerSecond, now()),
      meter: createThroughputMeter(),
      ledger: createDeliveryLedger(),
      cache: createIdempotencyCache(),
      log: createRequestLog(options.requestLogSize ?? 1000),
      sequence: 0,
      counts: {
        requests: 0,
        accepted: 0,
        rateLimited: 0,
        transientErrors: 0,
        outageErrors: 0,
        timeouts: 0,
        resets: 0,
        badRequests: 0,
        recipientsAccepted: 0,
        recipientsRejected: 0,
        duplicateDeliveriesByContent: 0,
        duplicateDeliveriesByKey: 0,
      },
    };
  };
  let state = freshState();

  const inOutage = (at: number): boolean => {
    for (const outage of current.outages) {
      if (at >= outage.startMs && at < outage.startMs + outage.durationMs) return true;
    }
    return false;
  };

  const resultsOf = (requestId: string, body: BulkSendRequest): BulkSendResponse => {
    const results: CarrierRecipientResult[] = new Array(body.recipients.length);
    for (let i = 0; i < results.length; i++) {
      const { to, ref } = body.recipients[i] as BulkSendRequest["recipients"][number];
      const code = outcomes[i] as number;
      results[i] =
        code === ACCEPTED
          ? { ref, to, status: "ACCEPTED", carrierMessageId: requestId + (MESSAGE_SUFFIXES[i] as string) }
          : { ref, to, status: "REJECTED", errorCode: REJECTION_CODE_OF[code] };
    }
    return { requestId, results };
  };

  /** Decides every recipient's fate into `outcomes`; returns how many were accepted. */
  const deliver = (body: BulkSendRequest, contentId: number): number => {
    const { invalidRecipientRate, rejectRate } = current;
    let accepted = 0;
    for (let i = 0; i < body.recipients.length; i++) {
      const { to, ref } = body.recipients[i] as BulkSendRequest["recipients"][number];
      const mobile = mobileNumberOf(to);
      let code = ACCEPTED;
      // Whether a subscriber exists depends on the number alone, so every retry meets the same fate.
      if (
        mobile === null ||
        (invalidRecipientRate > 0 && hashToUnit(mobile, invalidNumberSeed) < invalidRecipientRate)
      ) {
        code = INVALID_NUMBER;
      } else if (rejectRate > 0 && state.rejections.next() < rejectRate) {
        code = REJECTED;
      }
      outcomes[i] = code;
      if (code !== ACCEPTED) continue;
      accepted++;
      if (state.ledger.recordAccepted(contentId, ref, packedRefs[i]))
        state.counts.duplicateDeliveriesByContent++;
    }
    return accepted;
  };

  const remember = (
    key: string,
    packedKey: number,
    requestSeq: number,
    fingerprint: number,
    count: number,
    at: number,
  ): void => {
    let packed: number | Uint8Array;
    if (count <= PACKED_RECIPIENTS) {
      packed = 0;
      for (let i = count - 1; i >= 0; i--) packed = packed * 4 + (outcomes[i] as number);
    } else {
      packed = outcomes.slice(0, count);
    }
    state.cache.set(
      key,
      { requestSeq, fingerprint, outcomes: packed },
      at + current.idempotencyTtlMs,
      at,
      packedKey,
    );
  };

  const recall = (remembered: RememberedRequest, count: number): void => {
    const packed = remembered.outcomes;
    if (typeof packed !== "number") {
      outcomes.set(packed);
      return;
    }
    let rest = packed;
    for (let i = 0; i < count; i++) {
      outcomes[i] = rest % 4;
      rest = Math.floor(rest / 4);
    }
  };

  const fail = (
    summary: RequestSummary,
    outcome: RequestOutcome,
    status: 400 | 422 | 500 | 503,
    code: CarrierErrorCode,
    message: string,
  ): CarrierDecision => {
    summary.outcome = outcome;
    return { kind: "error", status, code, message, delayMs: state.sampleLatency() };
  };

  const rateLimited = (summary: RequestSummary, waitSeconds: number, what: string): CarrierDecision => {
    state.counts.rateLimited++;
    summary.outcome = "rate-limited";
    const retryAfterSeconds = Math.max(1, Math.ceil(waitSeconds));
    const message = `${what} rate limit exceeded; retry after ${retryAfterSeconds} s`;
    return { kind: "rate-limited", status: 429, retryAfterSeconds, message, delayMs: state.sampleLatency() };
  };

  /** Decides one request at `summary.atMs`, filling in the summary's outcome and counts. */
  const decide = (body: unknown, summary: RequestSummary): CarrierDecision => {
    const s = state;
    const counts = s.counts;
    const at = summary.atMs;
    const key = summary.idempotencyKey;
    if (inOutage(at)) {
      counts.outageErrors++;
      return fail(summary, "outage", 503, "SERVICE_UNAVAILABLE", "carrier outage");
    }
    if (current.connectionResetRate > 0 && s.faults.next() < current.connectionResetRate) {
      counts.resets++;
      summary.outcome = "reset";
      return { kind: "reset", delayMs: s.sampleLatency() };
    }
    const requestWait = s.requestBucket.take(1, at);
    if (requestWait > 0) return rateLimited(summary, requestWait, "request");

    let request: BulkSendRequest;
    try {
      if (key !== null) checkIdempotencyKey(key);
      request = parseBulkRequest(body);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      counts.badRequests++;
      return fail(summary, "bad-request", 400, "BAD_REQUEST", error.message);
    }
    const count = request.recipients.length;
    summary.recipients = count;
    if (current.transientFailureRate > 0 && s.faults.next() < current.transientFailureRate) {
      counts.transientErrors++;
      return s.faults.next() < 0.5
        ? fail(summary, "transient", 500, "INTERNAL_ERROR", "internal error")
        : fail(summary, "transient", 503, "SERVICE_UNAVAILABLE", "service temporarily unavailable");
    }

    const contentId = s.ledger.contentId(request.content);
    for (let i = 0; i < count; i++) {
      packedRefs[i] = packRecipientRef((request.recipients[i] as BulkSendRequest["recipients"][number]).ref);
    }
    const keyed = key !== null && current.honourIdempotencyKey;
    const fingerprint = keyed ? fingerprintOf(contentId, request, packedRefs) : 0;
    const packedKey = keyed ? packIdempotencyKey(key) : -1;
    const remembered = keyed ? s.cache.get(key, at, packedKey) : undefined;
    if (remembered !== undefined) {
      if (remembered.fingerprint !== fingerprint) {
        counts.badRequests++;
        const message = "Idempotency-Key: already used for a different request";
        return fail(summary, "conflict", 422, "IDEMPOTENCY_CONFLICT", message);
      }
      counts.accepted++;
      counts.duplicateDeliveriesByKey++;
      s.meter.record(at, 1, 0);
      recall(remembered, count);
      summary.outcome = "replayed";
      const replay = resultsOf(`req-${remembered.requestSeq}`, request);
      return { kind: "response", status: 200, body: replay, delayMs: s.sampleLatency() };
    }

    const recipientWait = s.recipientBucket.take(count, at);
    if (recipientWait > 0) return rateLimited(summary, recipientWait, "recipient");

    const accepted = deliver(request, contentId);
    summary.accepted = accepted;
    counts.recipientsAccepted += accepted;
    counts.recipientsRejected += count - accepted;
    s.meter.record(at, 1, accepted);
    if (keyed) remember(key, packedKey, s.sequence, fingerprint, count, at);
    if (current.timeoutRate > 0 && s.faults.next() < current.timeoutRate) {
      counts.timeouts++;
      summary.outcome = "timeout";
      return { kind: "timeout", hangMs: current.timeoutHangMs };
    }
    counts.accepted++;
    const response = resultsOf(summary.requestId, request);
    return { kind: "response", status: 200, body: response, delayMs: s.sampleLatency() };
  };

  return {
    handle(request) {
      state.counts.requests++;
      const summary: RequestSummary = {
        requestId: `req-${++state.sequence}`,
        atMs: now(),
        idempotencyKey: request.idempotencyKey ?? null,
        recipients: 0,
        accepted: 0,
        outcome: "accepted",
        status: null,
        delayMs: null,
      };
      const decision = decide(request.body, summary);
      if (decision.kind !== "timeout") {
        summary.delayMs = decision.delayMs;
        if (decision.kind !== "reset") summary.status = decision.status;
      }
      state.log.add(summary);
      return decision;
    },

    stats() {
      return {
        ...state.counts,
        maxAcceptedRequestsPerSecond: state.meter.maxRequestsPerSecond(),
        maxAcceptedRecipientsPerSecond: state.meter.maxRecipientsPerSecond(),
      };
    },
    acceptedPerSecond: () => state.meter.perSecond(),
    config: () => structuredClone(current),
    reconfigure(patch) {
      const at = now();
      current = mergeCarrierConfig(current, parseCarrierConfig(patch), at);
      state.requestBucket.setRate(current.rateLimit.requestsPerSecond, at);
      state.recipientBucket.setRate(current.rateLimit.recipientsPerSecond, at);
      state.sampleLatency = createLatencySampler(current.latencyMs, state.latencyRandom);
      return structuredClone(current);
    },
    reset() {
      state = freshState();
    },
    requests: (limit) => state.log.recent(limit),
  };
}

/**
 * FNV-1a over the content id, template and recipient refs (packed where the handler made them):
 * the same request gives the same fingerprint. Phone numbers are left out for speed; a ref names
 * the user, and the user's number.
 */
function fingerprintOf(contentId: number, body: BulkSendRequest, packedRefs: Float64Array): number {
  let hash = mixText(mix(FNV_OFFSET, contentId), body.templateId ?? "");
  for (let i = 0; i < body.recipients.length; i++) {
    const packed = packedRefs[i] as number;
    hash =
      packed < 0
        ? mixText(hash, (body.recipients[i] as BulkSendRequest["recipients"][number]).ref)
        : mix(mix(hash, idOf(packed)), logIdOf(packed));
  }
  return hash;
}

const FNV_OFFSET = 0x811c9dc5;

function mix(hash: number, value: number): number {
  return Math.imul(hash ^ value, 0x01000193);
}

function mixText(hash: number, text: string): number {
  let mixed = hash;
  for (let i = 0; i < text.length; i++) mixed = mix(mixed, text.charCodeAt(i));
  // A separator, so ("ab", "c") and ("a", "bc") differ.
  return mix(mixed, 0xff);
}
