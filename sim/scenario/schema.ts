import { z } from "zod";
import {
  carrierConfigSchema,
  DEFAULT_CARRIER_CONFIG,
  mergeCarrierConfig,
  probabilitySchema,
  type ResolvedCarrierConfig,
} from "../../provider-mock/config";
import { DEFAULT_ESM_BACKOFF, type EsmBackoff } from "../esm/esm-backoff";
import { ThresholdSyntaxError } from "../thresholds/errors";
import { parseThresholdExpression, parseThresholdKey } from "../thresholds/threshold-parser";
import {
  DAY_MS,
  DURATION_EXPECTED,
  durationToMs,
  formatDuration,
  TIME_OF_DAY_EXPECTED,
  timeOfDayToMs,
} from "./durations";

const duration = (check: "positive" | "nonnegative") =>
  z.string().transform((text, ctx) => {
    const ms = durationToMs(text);
    if (ms === null) ctx.addIssue({ code: "custom", message: DURATION_EXPECTED });
    else if (check === "positive" && ms <= 0)
      ctx.addIssue({ code: "custom", message: "must be longer than 0" });
    return ms ?? z.NEVER;
  });

const timeOfDay = z.string().transform((text, ctx) => {
  const ms = timeOfDayToMs(text);
  if (ms === null) ctx.addIssue({ code: "custom", message: TIME_OF_DAY_EXPECTED });
  return ms ?? z.NEVER;
});

const count = z.number().int().nonnegative();
const positive = z.number().positive();

/**
 * The mock carrier's config (provider-mock), with outages as duration strings relative to the
 * scenario's start; what is not given takes provider-mock's defaults.
 */
const carrierSchema = carrierConfigSchema
  .extend({
    outages: z
      .array(z.strictObject({ start: duration("nonnegative"), duration: duration("positive") }))
      .optional(),
  })
  .transform(
    ({ outages, ...rest }): ResolvedCarrierConfig =>
      mergeCarrierConfig(
        DEFAULT_CARRIER_CONFIG,
        { ...rest, outages: outages?.map((o) => ({ startMs: o.start, durationMs: o.duration })) },
        0,
      ),
  );

const campaignEntry = z
  .strictObject({
    name: z.string().min(1),
    executor: z.literal("campaign").optional(),
    start: duration("nonnegative"),
    recipients: z.number().int().positive(),
    /** Malformed bodies enqueued alongside the campaign (poison messages). */
    malformed: count.default(0),
  })
  .transform((e) => ({
    executor: "campaign" as const,
    name: e.name,
    startMs: e.start,
    recipients: e.recipients,
    malformed: e.malformed,
  }));

const dailyEntry = z
  .strictObject({
    name: z.string().min(1),
    executor: z.literal("daily"),
    at: timeOfDay,
    days: z.number().int().positive(),
    recipients: z.number().int().positive(),
  })
  .transform((e) => ({
    executor: e.executor,
    name: e.name,
    atMs: e.at,
    days: e.days,
    recipients: e.recipients,
  }));

const constantArrivalRateEntry = z
  .strictObject({
    name: z.string().min(1),
    executor: z.literal("constant-arrival-rate"),
    rate: positive,
    timeUnit: duration("positive").default(1000),
    duration: duration("positive"),
    start: duration("nonnegative").default(0),
    recipients: z.number().int().positive().default(1),
  })
  .transform((e) => ({
    executor: e.executor,
    name: e.name,
    rate: e.rate,
    timeUnitMs: e.timeUnit,
    durationMs: e.duration,
    startMs: e.start,
    recipients: e.recipients,
  }));

const rampingArrivalRateEntry = z
  .strictObject({
    name: z.string().min(1),
    executor: z.literal("ramping-arrival-rate"),
    startRate: z.number().nonnegative().default(0),
    timeUnit: duration("positive").default(1000),
    stages: z
      .array(z.strictObject({ target: z.number().nonnegative(), duration: duration("nonnegative") }))
      .min(1),
    start: duration("nonnegative").default(0),
    recipients: z.number().int().positive().default(1),
  })
  .transform((e) => ({
    executor: e.executor,
    name: e.name,
    startRate: e.startRate,
    timeUnitMs: e.timeUnit,
    stages: e.stages.map((s) => ({ target: s.target, durationMs: s.duration })),
    startMs: e.start,
    recipients: e.recipients,
  }));

const trafficEntry = z.discriminatedUnion("executor", [
  campaignEntry,
  dailyEntry,
  constantArrivalRateEntry,
  rampingArrivalRateEntry,
]);
export type TrafficEntry = z.output<typeof trafficEntry>;

/** When an entry's sending ends, in milliseconds after the scenario's start. */
function trafficEndMs(entry: TrafficEntry): number {
  switch (entry.executor) {
    case "campaign":
      return entry.startMs;
    case "daily":
      return (entry.days - 1) * DAY_MS + entry.atMs;
    case "constant-arrival-rate":
      return entry.startMs + entry.durationMs;
    case "ramping-arrival-rate":
      return entry.startMs + entry.stages.reduce((sum, s) => sum + s.durationMs, 0);
  }
}

/** The field of an entry that decides where it ends, for errors. */
const SPAN_FIELD: Record<TrafficEntry["executor"], string> = {
  campaign: "start",
  daily: "days",
  "constant-arrival-rate": "duration",
  "ramping-arrival-rate": "stages",
};

/**
 * What the event source mapping assumes where AWS publishes no numbers (sim/esm/esm-backoff.ts):
 * the throttled-batch retry schedule and how fast concurrency backs off and comes back.
 */
const esmBackoffSchema = z
  .strictObject({
    throttleRetry: z
      .strictObject({
        initial: duration("positive").optional(),
        multiplier: z.number().min(1).optional(),
        max: duration("positive").optional(),
      })
      .optional(),
    shrinkPerMinute: positive.optional(),
    recoverPerMinute: positive.optional(),
    floor: z.number().int().positive().optional(),
  })
  .transform(
    ({ throttleRetry: retry, ...rest }): EsmBackoff => ({
      throttleRetryInitialMs: retry?.initial ?? DEFAULT_ESM_BACKOFF.throttleRetryInitialMs,
      throttleRetryMultiplier: retry?.multiplier ?? DEFAULT_ESM_BACKOFF.throttleRetryMultiplier,
      throttleRetryMaxMs: retry?.max ?? DEFAULT_ESM_BACKOFF.throttleRetryMaxMs,
      shrinkPerMinute: rest.shrinkPerMinute ?? DEFAULT_ESM_BACKOFF.shrinkPerMinute,
      recoverPerMinute: rest.recoverPerMinute ?? DEFAULT_ESM_BACKOFF.recoverPerMinute,
      floor: rest.floor ?? DEFAULT_ESM_BACKOFF.floor,
    }),
  )
  .refine((b) => b.throttleRetryMaxMs >= b.throttleRetryInitialMs, {
    path: ["throttleRetry", "max"],
    message: "must be at least throttleRetry.initial",
  });

const thresholdExpressions = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: 'expected an expression like "count == 0" or a list of them',
  })
  .transform((e) => (typeof e === "string" ? [e] : e));

/** The fields of a scenario file, before cross-field checks. */
export const scenarioFields = z.strictObject({
  name: z
    .string()
    .regex(/^[\w.-]+$/, "expected letters, digits, '_', '-' or '.' (it names the run's folder)"),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  duration: duration("positive"),
  infra: z
    .strictObject({
      template: z.string().min(1).optional(),
      overrides: z.record(z.string(), z.unknown()).default({}),
    })
    .prefault({}),
  users: z
    .strictObject({
      count: z.number().int().positive().optional(),
      invalidRate: probabilitySchema.default(0),
    })
    .prefault({}),
  carrier: carrierSchema.prefault({}),
  handler: z
    .strictObject({
      recordParallelism: z.number().int().positive().optional(),
      retries: count.optional(),
    })
    .default({}),
  /**
   * What the virtual engine charges for the stack its models make instant (defaults: production
   * estimates, docs/ARCHITECTURE.md; `smsim calibrate` prints the local stack's), and how late SQS
   * metrics may resume after a queue's idle spell (docs/CONFORMANCE.md).
   */
  stack: z
    .strictObject({
      storeQueryMs: z.number().nonnegative().default(2),
      carrierRoundTripMs: z.number().nonnegative().default(5),
    })
    .prefault({}),
  sqsMetrics: z.strictObject({ resumeDelay: duration("nonnegative").default(15 * 60_000) }).prefault({}),
  esm: esmBackoffSchema.prefault({}),
  traffic: z.array(trafficEntry).min(1),
  thresholds: z.record(z.string().min(1), thresholdExpressions).default({}),
});

/**
 * A scenario as written in a scenario file (durations as k6 strings), and what it becomes once
 * parsed (durations in milliseconds, defaults filled in). Paths and the pipeline are resolved by
 * load-scenario, which knows where the file is.
 */
export const scenarioSchema = scenarioFields
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    for (const [i, entry] of s.traffic.entries()) {
      const first = seen.get(entry.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["traffic", i, "name"],
          message: `duplicate of traffic[${first}].name`,
        });
      }
      seen.set(entry.name, i);
      const endMs = trafficEndMs(entry);
      // Arrival-rate executors stop sending just before endMs; campaigns send at endMs itself.
      const instant = entry.executor === "campaign" || entry.executor === "daily";
      if (instant ? endMs >= s.duration : endMs > s.duration) {
        ctx.addIssue({
          code: "custom",
          path: ["traffic", i, SPAN_FIELD[entry.executor]],
          message: `sends after the scenario ends (duration ${formatDuration(s.duration)})`,
        });
      }
    }
    for (const [i, outage] of s.carrier.outages.entries()) {
      if (outage.startMs >= s.duration) {
        ctx.addIssue({
          code: "custom",
          path: ["carrier", "outages", i, "start"],
          message: `starts after the scenario ends (duration ${formatDuration(s.duration)})`,
        });
      }
    }
    for (const [key, expressions] of Object.entries(s.thresholds)) {
      const problem = thresholdSyntaxProblem(key, expressions);
      if (problem) {
        const path = ["thresholds", key, ...problem.at];
        ctx.addIssue({ code: "custom", path, message: problem.message, params: { got: problem.got } });
      }
    }
    const largest = largestCampaign(s.traffic);
    if (s.users.count !== undefined && s.users.count < largest) {
      ctx.addIssue({
        code: "custom",
        path: ["users", "count"],
        message: `must be at least the largest campaign's recipients (${largest})`,
      });
    }
  })
  .transform((s) => ({
    name: s.name,
    description: s.description ?? null,
    seed: s.seed,
    durationMs: s.duration,
    infra: { template: s.infra.template ?? null, overrides: s.infra.overrides },
    users: { count: s.users.count ?? largestCampaign(s.traffic), invalidRate: s.users.invalidRate },
    carrier: s.carrier,
    handler: s.handler,
    esm: s.esm,
    traffic: s.traffic,
    thresholds: s.thresholds,
    stack: s.stack,
    sqsMetrics: s.sqsMetrics,
  }));

/** What a scenario file's default export (or JSON/YAML document) holds. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;

/** The sim/thresholds parser's complaint about a threshold, so a typo fails at load, not after a run. */
function thresholdSyntaxProblem(
  key: string,
  expressions: readonly string[],
): { at: number[]; message: string; got: string } | null {
  try {
    parseThresholdKey(key);
  } catch (error) {
    if (error instanceof ThresholdSyntaxError) return { at: [], message: error.message, got: key };
    throw error;
  }
  for (const [i, expression] of expressions.entries()) {
    try {
      parseThresholdExpression(key, expression);
    } catch (error) {
      if (error instanceof ThresholdSyntaxError) return { at: [i], message: error.message, got: expression };
      throw error;
    }
  }
  return null;
}

function largestCampaign(traffic: readonly TrafficEntry[]): number {
  return Math.max(...traffic.map((entry) => entry.recipients));
}
