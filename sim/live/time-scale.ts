import { CarrierRateLimitedError } from "../../handler/errors";
import type { CarrierPort, VisibilityPort } from "../../handler/ports";
import type { QueueConfig } from "../../infra/pipeline-config";
import type {
  CarrierModelConfig,
  LatencyDistribution,
  Outage,
  ResolvedCarrierConfig,
} from "../../provider-mock/config";
import type { Scenario } from "../scenario/load-scenario";

/** Queue attributes in real seconds, as CreateQueue takes them. */
export interface RealQueueSettings {
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  delaySeconds: number;
  receiveWaitSeconds: number;
}

/**
 * The settings that live outside the scenario clock, in real units. With --time-scale K every
 * scenario duration takes 1/K of the time, so what real services measure must shrink by K:
 *
 * - SQS: VisibilityTimeout, DelaySeconds, ReceiveMessageWaitTimeSeconds, MessageRetentionPeriod
 *   (whole seconds: visibility rounds up so it never undercuts the function timeout; retention
 *   stays >= 60, SQS's minimum), and the ESM's long-poll wait.
 * - The carrier: latencies and the hang of a timed-out request / K, rate limits x K, the
 *   idempotency TTL / K, outages re-timed in real ms (see carrierOutages).
 * - The HTTP client's timeout / K; ChangeMessageVisibility seconds / K and Retry-After x K, so the
 *   handler, which works in scenario time, reads and writes scenario seconds (scaledVisibility,
 *   scaledCarrier).
 *
 * What runs on the scenario clock needs nothing: the function timeout and cold starts (the Lambda
 * model), ESM scaling ticks, the handler's time budget and retry backoff, alarm periods (the
 * sampler evaluates every scenario minute) and traffic arrival times. MySQL, SQS and HTTP round
 * trips cannot shrink: at a large K they are what makes a run fall behind its schedule.
 */
export interface RealTimeSettings {
  queue: RealQueueSettings;
  dlq: RealQueueSettings;
  pollWaitSeconds: number;
  /** The HTTP carrier client's timeout. */
  carrierTimeoutMs: number;
  /** The carrier's config without outages (carrierOutages times those). */
  carrier: Omit<CarrierModelConfig, "outages">;
}

export function realTimeSettings(
  scenario: Pick<Scenario, "pipeline" | "carrier">,
  timeScale: number,
): RealTimeSettings {
  const { pipeline, carrier } = scenario;
  const shrinkMs = (ms: number) => ms / timeScale;
  const queue = (q: QueueConfig): RealQueueSettings => ({
    visibilityTimeoutSeconds: Math.ceil(q.visibilityTimeoutSeconds / timeScale),
    retentionSeconds: Math.max(60, Math.ceil(q.retentionSeconds / timeScale)),
    delaySeconds: Math.round(q.delaySeconds / timeScale),
    receiveWaitSeconds: Math.round(q.receiveWaitSeconds / timeScale),
  });
  const rate = (perSecond: number | null) => (perSecond === null ? null : perSecond * timeScale);
  return {
    queue: queue(pipeline.queue),
    dlq: queue(pipeline.dlq),
    pollWaitSeconds: Math.max(1, Math.round(20 / timeScale)),
    carrierTimeoutMs: Math.max(1, Math.round(shrinkMs(pipeline.lambda.carrierTimeoutMs))),
    carrier: {
      rateLimit: {
        requestsPerSecond: rate(carrier.rateLimit.requestsPerSecond),
        recipientsPerSecond: rate(carrier.rateLimit.recipientsPerSecond),
      },
      latencyMs: shrinkLatency(carrier.latencyMs, timeScale),
      transientFailureRate: carrier.transientFailureRate,
      timeoutRate: carrier.timeoutRate,
      connectionResetRate: carrier.connectionResetRate,
      invalidRecipientRate: carrier.invalidRecipientRate,
      rejectRate: carrier.rejectRate,
      idempotencyTtlMs: Math.max(1, Math.round(shrinkMs(carrier.idempotencyTtlMs))),
      timeoutHangMs: shrinkMs(carrier.timeoutHangMs),
    },
  };
}

function shrinkLatency(latency: LatencyDistribution, timeScale: number): LatencyDistribution {
  switch (latency.dist) {
    case "fixed":
      return { dist: "fixed", value: latency.value / timeScale };
    case "uniform":
      return { dist: "uniform", min: latency.min / timeScale, max: latency.max / timeScale };
    case "lognormal":
      return { dist: "lognormal", p50: latency.p50 / timeScale, p99: latency.p99 / timeScale };
  }
}

/**
 * The scenario's outages still to come at `elapsedMs` into the scenario, as the carrier's admin
 * API takes them: starting `startInMs` real ms from now, for their remaining real duration.
 * Re-sent after every jump of the clock, since a jump brings each outage closer.
 */
export function carrierOutages(
  outages: ResolvedCarrierConfig["outages"],
  elapsedMs: number,
  timeScale: number,
): { startInMs: number; durationMs: number }[] {
  return outages
    .filter((o: Outage) => o.startMs + o.durationMs > elapsedMs)
    .map((o) => {
      const start = Math.max(o.startMs, elapsedMs);
      return {
        startInMs: (start - elapsedMs) / timeScale,
        durationMs: (o.startMs + o.durationMs - start) / timeScale,
      };
    });
}

/** The handler asks for visibility in scenario seconds; SQS counts real ones. */
export function scaledVisibility(inner: VisibilityPort, timeScale: number): VisibilityPort {
  if (timeScale === 1) return inner;
  return {
    changeVisibility: (arn, handle, seconds) =>
      inner.changeVisibility(arn, handle, Math.ceil(seconds / timeScale)),
  };
}

/** The carrier's Retry-After is in real seconds; the handler reads scenario ones. */
export function scaledCarrier(inner: CarrierPort, timeScale: number): CarrierPort {
  if (timeScale === 1) return inner;
  return {
    async sendBulk(request, key) {
      try {
        return await inner.sendBulk(request, key);
      } catch (error) {
        if (!(error instanceof CarrierRateLimitedError)) throw error;
        throw new CarrierRateLimitedError(error.retryAfterSeconds * timeScale);
      }
    },
  };
}
