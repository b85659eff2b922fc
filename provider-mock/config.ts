import { z } from "zod";
import { parseWith } from "../domain/validation";

/** Requests or recipients per second; null means unlimited. */
export const rateSchema = z.number().positive().finite().nullable();
export const probabilitySchema = z.number().min(0).max(1);
export const durationMsSchema = z.number().nonnegative().finite();

export const latencySchema = z.discriminatedUnion("dist", [
  z
    .object({
      dist: z.literal("fixed").meta({ description: "Every answer takes the same time." }),
      value: durationMsSchema.meta({ description: "The latency, in ms." }),
    })
    .strict(),
  z
    .object({
      dist: z.literal("uniform").meta({ description: "Latency drawn evenly between min and max." }),
      min: durationMsSchema.meta({ description: "Shortest latency, in ms." }),
      max: durationMsSchema.meta({ description: "Longest latency, in ms." }),
    })
    .strict()
    .refine((u) => u.min <= u.max, { message: "must be >= min", path: ["max"] }),
  z
    .object({
      dist: z.literal("lognormal").meta({
        description: "Latency with a long tail, as networks have: a lognormal through p50 and p99.",
      }),
      p50: z.number().positive().finite().meta({ description: "Median latency, in ms." }),
      p99: z.number().finite().meta({ description: "99th percentile latency, in ms; at least p50." }),
    })
    .strict()
    .refine((l) => l.p99 >= l.p50, { message: "must be >= p50", path: ["p99"] }),
]);
export type LatencyDistribution = z.infer<typeof latencySchema>;

/** An outage at an absolute time of the model's clock, or `startInMs` after the config is applied. */
export const outageSchema = z
  .object({
    startMs: z.number().finite().optional(),
    startInMs: durationMsSchema.optional(),
    durationMs: z.number().positive().finite(),
  })
  .strict()
  .refine((o) => (o.startMs === undefined) !== (o.startInMs === undefined), {
    message: "give exactly one of startMs or startInMs",
    path: ["startMs"],
  });

/**
 * The carrier's behaviour as scenario files, the admin API and the CLI give it: every field is
 * optional and falls back to the current (or default) setting.
 */
export const carrierConfigSchema = z
  .object({
    rateLimit: z
      .object({
        requestsPerSecond: rateSchema.optional().meta({
          description:
            "Requests accepted in any sliding second; more are answered 429. Default null: no limit.",
        }),
        recipientsPerSecond: rateSchema
          .optional()
          .meta({ description: "Recipients accepted in any sliding second. Default null: no limit." }),
      })
      .strict()
      .optional()
      .meta({ description: "The carrier's rate limit, over a sliding 1-second window." }),
    latencyMs: latencySchema.optional().meta({
      description:
        'Answer latency in ms: { dist: "lognormal", p50, p99 } (default p50 50, p99 300), { dist: "fixed", value } or { dist: "uniform", min, max }.',
    }),
    transientFailureRate: probabilitySchema
      .optional()
      .meta({ description: "Share (0-1) of requests answered 500/503. Default 0." }),
    timeoutRate: probabilitySchema
      .optional()
      .meta({ description: "Share (0-1) of requests delivered and never answered. Default 0." }),
    connectionResetRate: probabilitySchema
      .optional()
      .meta({ description: "Share (0-1) of requests whose connection is reset. Default 0." }),
    invalidRecipientRate: probabilitySchema
      .optional()
      .meta({ description: "Share (0-1) of recipients rejected as invalid. Default 0." }),
    rejectRate: probabilitySchema
      .optional()
      .meta({ description: "Share (0-1) of whole requests refused. Default 0." }),
    outages: z
      .array(outageSchema)
      .max(10_000)
      .optional()
      .meta({ description: "Replaces the whole outage list." }),
    idempotencyTtlMs: z.number().int().positive().optional().meta({
      description: "How long the carrier remembers an Idempotency-Key, in ms. Default 86400000 (24 h).",
    }),
    honourIdempotencyKey: z.boolean().optional().meta({
      description:
        "false: the carrier ignores Idempotency-Key, as many real SMS APIs do, so a retry of a request it accepted (whose answer was lost) delivers again. Default true.",
    }),
    timeoutHangMs: durationMsSchema.optional().meta({
      description: "How long a timed-out request hangs before the connection closes, in ms. Default 30000.",
    }),
  })
  .strict();
export type CarrierModelConfig = z.infer<typeof carrierConfigSchema>;

export interface Outage {
  startMs: number;
  durationMs: number;
}

export interface ResolvedCarrierConfig {
  rateLimit: { requestsPerSecond: number | null; recipientsPerSecond: number | null };
  latencyMs: LatencyDistribution;
  transientFailureRate: number;
  timeoutRate: number;
  connectionResetRate: number;
  invalidRecipientRate: number;
  rejectRate: number;
  outages: Outage[];
  idempotencyTtlMs: number;
  honourIdempotencyKey: boolean;
  timeoutHangMs: number;
}

export const DEFAULT_CARRIER_CONFIG: ResolvedCarrierConfig = {
  rateLimit: { requestsPerSecond: null, recipientsPerSecond: null },
  latencyMs: { dist: "lognormal", p50: 50, p99: 300 },
  transientFailureRate: 0,
  timeoutRate: 0,
  connectionResetRate: 0,
  invalidRecipientRate: 0,
  rejectRate: 0,
  outages: [],
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  honourIdempotencyKey: true,
  timeoutHangMs: 30_000,
};

/** Validates a carrier config; a ValidationError names the field (prefixed by `where`) and value. */
export function parseCarrierConfig(input: unknown, where = "carrier"): CarrierModelConfig {
  return parseWith(carrierConfigSchema, input, where);
}

/** Applies a validated `patch` on top of `base`; relative outages start `startInMs` after `nowMs`. */
export function mergeCarrierConfig(
  base: ResolvedCarrierConfig,
  patch: CarrierModelConfig,
  nowMs: number,
): ResolvedCarrierConfig {
  const { rateLimit, outages, ...scalars } = patch;
  return {
    ...base,
    ...definedOnly(scalars),
    rateLimit: { ...base.rateLimit, ...definedOnly(rateLimit ?? {}) },
    outages:
      outages?.map((o) => ({ startMs: o.startMs ?? nowMs + (o.startInMs ?? 0), durationMs: o.durationMs })) ??
      base.outages,
  };
}

// An explicit `undefined` in a patch means "keep", like a missing key.
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
