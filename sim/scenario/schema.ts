import { z } from "zod";
import {
  carrierConfigSchema,
  DEFAULT_CARRIER_CONFIG,
  mergeCarrierConfig,
  probabilitySchema,
  type ResolvedCarrierConfig,
} from "../../provider-mock/config";
import type { PriceList } from "../../reports/cost";
import { DEFAULT_ESM_BACKOFF, type EsmBackoff } from "../esm/esm-backoff";
import { ThresholdSyntaxError } from "../thresholds/errors";
import { parseThresholdKey, parseThresholdSpec, type ThresholdSpec } from "../thresholds/threshold-parser";
import {
  DAY_MS,
  DURATION_EXPECTED,
  durationToMs,
  formatDuration,
  TIME_OF_DAY_EXPECTED,
  timeOfDayToMs,
} from "./durations";

/** A k6 duration: a string ("90s", "1d2h", "1500us", "250") or a number of milliseconds, as in k6. */
const duration = (check: "positive" | "nonnegative") =>
  z
    .union([z.string(), z.number()], { error: DURATION_EXPECTED })
    .meta({
      description: 'a k6 duration: "500ms", "90s", "1h30m", "12d14h", "1500us", or a number of milliseconds',
    })
    .transform((value, ctx) => {
      const ms = typeof value === "number" ? Math.round(value) : durationToMs(value);
      if (ms === null || !Number.isFinite(ms)) ctx.addIssue({ code: "custom", message: DURATION_EXPECTED });
      else if (check === "positive" && ms <= 0)
        ctx.addIssue({ code: "custom", message: "must be longer than 0 (smsim counts whole milliseconds)" });
      else if (ms < 0) ctx.addIssue({ code: "custom", message: "must not be negative" });
      return ms ?? z.NEVER;
    });

const timeOfDay = z.string().transform((text, ctx) => {
  const ms = timeOfDayToMs(text);
  if (ms === null) ctx.addIssue({ code: "custom", message: TIME_OF_DAY_EXPECTED });
  return ms ?? z.NEVER;
});

const count = z.number().int().nonnegative();

/** The seed of a scenario that names none. */
export const DEFAULT_SEED = 1;
const positive = z.number().positive();

/**
 * The mock carrier's config (provider-mock), with outages as duration strings relative to the
 * scenario's start; what is not given takes provider-mock's defaults.
 */
const carrierSchema = carrierConfigSchema
  .extend({
    outages: z
      .array(
        z.strictObject({
          start: duration("nonnegative").meta({
            description: "When the outage begins, after the scenario's start.",
          }),
          duration: duration("positive").meta({
            description: "How long the carrier answers 503 to everything.",
          }),
        }),
      )
      .optional()
      .meta({
        description:
          'Carrier outages: 503 for every request, e.g. [{ start: "2h", duration: "15m" }]. Default none.',
      }),
  })
  .transform(
    ({ outages, ...rest }): ResolvedCarrierConfig =>
      mergeCarrierConfig(
        DEFAULT_CARRIER_CONFIG,
        { ...rest, outages: outages?.map((o) => ({ startMs: o.start, durationMs: o.duration })) },
        0,
      ),
  );

const trafficName = z
  .string()
  .min(1)
  .meta({ description: "Unique name of the entry: its campaign name in metrics, thresholds and reports." });
const timeUnit = duration("positive")
  .default(1000)
  .meta({ description: 'The period rates are given per. Default "1s".' });
const arrivalStart = duration("nonnegative")
  .optional()
  .meta({ description: "When sending begins, after the scenario's start. Default 0." });
const recipientsPerArrival = z
  .number()
  .int()
  .positive()
  .default(1)
  .meta({ description: "Recipients of each send (one admin API request). Default 1." });

const campaignEntry = z
  .strictObject({
    name: trafficName,
    executor: z.literal("campaign").optional().meta({ description: "One bulk send (the default executor)." }),
    start: duration("nonnegative").meta({
      description: "When the send happens, after the scenario's start.",
    }),
    recipients: z.number().int().positive().meta({ description: "Recipients of the send." }),
    malformed: count.default(0).meta({
      description:
        "Malformed bodies (poison messages) enqueued alongside the campaign; they reach the DLQ. Default 0.",
    }),
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
    name: trafficName,
    executor: z.literal("daily").meta({ description: "One send a day at the same time." }),
    at: timeOfDay.meta({ description: 'Time of day of each send, "HH:MM".' }),
    days: z.number().int().positive().meta({ description: "How many days it sends, from day 1." }),
    recipients: z.number().int().positive().meta({ description: "Recipients of each send." }),
  })
  .transform((e) => ({
    executor: e.executor,
    name: e.name,
    atMs: e.at,
    days: e.days,
    recipients: e.recipients,
  }));

/**
 * Fields of a k6 `options.scenarios` block that a pasted block may keep: `startTime` is k6's name
 * for `start`; VUs and graceful stops have no meaning here (each arrival is one admin API request,
 * which never waits for a free VU), so they are accepted and not used.
 */
const k6Fields = {
  startTime: duration("nonnegative")
    .optional()
    .meta({ description: "k6's name for start; give one of the two." }),
  preAllocatedVUs: count
    .optional()
    .meta({ description: "Accepted from a pasted k6 block; unused (an arrival never waits for a VU)." }),
  maxVUs: count.optional().meta({
    description:
      "Accepted from a pasted k6 block; unused, but must be at least preAllocatedVUs as k6 requires.",
  }),
  gracefulStop: duration("nonnegative")
    .optional()
    .meta({ description: "Accepted from a pasted k6 block; unused." }),
};

/**
 * `start` or k6's `startTime`, not both. The VU counts are unused, but a block k6 would refuse
 * (lib/executor: maxVUs below preAllocatedVUs, or maxVUs alone) is refused here too.
 */
function startOf(
  e: { start?: number; startTime?: number; preAllocatedVUs?: number; maxVUs?: number },
  ctx: z.RefinementCtx,
): number {
  if (e.start !== undefined && e.startTime !== undefined)
    ctx.addIssue({ code: "custom", path: ["startTime"], message: "give start or k6's startTime, not both" });
  if (e.maxVUs !== undefined && e.preAllocatedVUs === undefined)
    ctx.addIssue({ code: "custom", path: ["maxVUs"], message: "k6 needs preAllocatedVUs with maxVUs" });
  if (e.maxVUs !== undefined && e.preAllocatedVUs !== undefined && e.maxVUs < e.preAllocatedVUs)
    ctx.addIssue({
      code: "custom",
      path: ["maxVUs"],
      message: `must be at least preAllocatedVUs (${e.preAllocatedVUs}), as k6 requires`,
    });
  return e.start ?? e.startTime ?? 0;
}

const constantArrivalRateEntry = z
  .strictObject({
    name: trafficName,
    executor: z
      .literal("constant-arrival-rate")
      .meta({ description: "k6's constant-arrival-rate: a send every timeUnit / rate." }),
    rate: positive.meta({ description: "Sends per timeUnit." }),
    timeUnit: timeUnit,
    duration: duration("positive").meta({ description: "How long it sends, from start." }),
    start: arrivalStart,
    recipients: recipientsPerArrival,
    ...k6Fields,
  })
  .transform((e, ctx) => ({
    executor: e.executor,
    name: e.name,
    rate: e.rate,
    timeUnitMs: e.timeUnit,
    durationMs: e.duration,
    startMs: startOf(e, ctx),
    recipients: e.recipients,
  }));

const rampingArrivalRateEntry = z
  .strictObject({
    name: trafficName,
    executor: z.literal("ramping-arrival-rate").meta({
      description: "k6's ramping-arrival-rate: the rate moves linearly through stages (k6's cal()).",
    }),
    startRate: z
      .number()
      .nonnegative()
      .default(0)
      .meta({ description: "Sends per timeUnit at the start. Default 0." }),
    timeUnit: timeUnit,
    stages: z
      .array(
        z.strictObject({
          target: z
            .number()
            .nonnegative()
            .meta({ description: "Rate reached at the stage's end, per timeUnit." }),
          duration: duration("nonnegative").meta({ description: "How long the stage lasts." }),
        }),
      )
      .min(1)
      .meta({ description: "The rate's stages, in order." }),
    start: arrivalStart,
    recipients: recipientsPerArrival,
    ...k6Fields,
  })
  .transform((e, ctx) => ({
    executor: e.executor,
    name: e.name,
    startRate: e.startRate,
    timeUnitMs: e.timeUnit,
    stages: e.stages.map((s) => ({ target: s.target, durationMs: s.duration })),
    startMs: startOf(e, ctx),
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
        initial: duration("positive")
          .optional()
          .meta({ description: 'First retry of a throttled batch. Default "1s".' }),
        multiplier: z
          .number()
          .min(1)
          .optional()
          .meta({ description: "Each retry waits this many times the last. Default 2." }),
        max: duration("positive")
          .optional()
          .meta({ description: 'Longest wait between retries. Default "5m".' }),
      })
      .optional()
      .meta({ description: "How a poller retries a batch Lambda throttled (AWS publishes no schedule)." }),
    shrinkPerMinute: positive.optional().meta({
      description: "How fast the mapping's concurrency backs off under throttles, per minute. Default 60.",
    }),
    recoverPerMinute: positive
      .optional()
      .meta({ description: "How fast it comes back once throttles stop, per minute. Default 300." }),
    floor: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: "Concurrency it never backs off below. Default 2." }),
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

const usd = z.number().nonnegative();
const pricesSchema = z
  .strictObject({
    region: z.string().min(1).meta({ description: "The region these prices are for, e.g. ap-northeast-2." }),
    source: z
      .string()
      .min(1)
      .default("the scenario's prices")
      .meta({ description: "Where the prices come from, printed with the cost." }),
    sqsPerMillionRequests: usd.meta({ description: "SQS standard queue, per million requests." }),
    lambdaPerMillionRequests: usd.meta({ description: "Lambda, per million requests." }),
    lambdaPerGbSecond: z
      .strictObject({
        x86_64: usd.meta({ description: "Lambda on x86_64, per GB-second." }),
        arm64: usd.meta({ description: "Lambda on arm64, per GB-second." }),
      })
      .meta({ description: "Lambda duration, per GB-second, by architecture." }),
    alarmPerMonth: usd.meta({ description: "A CloudWatch standard-resolution alarm, per month." }),
  })
  .transform((p): PriceList => p);

/** k6's object form of a threshold: `{ threshold: "count < 10", abortOnFail: true, delayAbortEval: "10m" }`. */
const thresholdObject = z.strictObject({
  threshold: z.string().min(1).meta({ description: 'The expression, e.g. "p(95) < 60".' }),
  abortOnFail: z
    .boolean()
    .optional()
    .meta({ description: "Stop a live run when it fails (checked each scenario minute)." }),
  delayAbortEval: z
    .union([z.string(), z.number()])
    .optional()
    .meta({ description: "Run time before abortOnFail is checked, a k6 duration." }),
});
const thresholdSpec = z.union([z.string().min(1), thresholdObject]);

const thresholdExpressions = z
  .union([thresholdSpec, z.array(thresholdSpec).min(1)], {
    error:
      'expected an expression like "count == 0", an object { threshold, abortOnFail, delayAbortEval }, or a list of them',
  })
  .transform((e) => (Array.isArray(e) ? e : [e]));

/** The fields of a scenario file, before cross-field checks. */
export const scenarioFields = z.strictObject({
  $schema: z.string().optional().meta({
    description: "Where editors find this file's JSON Schema (scenarios/scenario.schema.json); ignored.",
  }),
  name: z
    .string()
    .regex(/^[\w.-]+$/, "expected letters, digits, '_', '-' or '.' (it names the run's folder)")
    .meta({
      description: "Names the run's report folder, reports/<name>: letters, digits, '_', '-' or '.'.",
    }),
  description: z.string().optional().meta({ description: "Free text for readers of the file." }),
  seed: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(DEFAULT_SEED).meta({
    description:
      "Seeds every random choice: the same seed gives the same run. `--seed` overrides it. Default 1.",
  }),
  duration: duration("positive").meta({
    description: 'Scenario time simulated, a k6 duration such as "30d2h"; every send must fall inside it.',
  }),
  infra: z
    .strictObject({
      template: z.string().min(1).optional().meta({
        description: "The CloudFormation template, relative to this file. Default infra/template.yaml.",
      }),
      overrides: z.record(z.string(), z.unknown()).default({}).meta({
        description:
          'Template properties changed for this run, by "LogicalId.Property.Path", e.g. { "MessagingQueue.VisibilityTimeout": 60 }.',
      }),
    })
    .prefault({})
    .meta({ description: "The template the run deploys, and what it changes in it." }),
  users: z
    .strictObject({
      count: z.number().int().positive().optional().meta({
        description:
          "Seeded users; campaigns take consecutive ranges. Default: the largest entry's recipients.",
      }),
      invalidRate: probabilitySchema.default(0).meta({
        description:
          "Share (0-1) of users whose number is not a valid mobile; they fail without a carrier call.",
      }),
    })
    .prefault({})
    .meta({ description: "The users campaigns send to." }),
  carrier: carrierSchema
    .prefault({})
    .meta({ description: "The mock carrier's behaviour; unset fields keep provider-mock's defaults." }),
  handler: z
    .strictObject({
      recordParallelism: z.number().int().positive().optional().meta({
        description: "Records of a batch sent at once. Default: the template's RECORD_PARALLELISM.",
      }),
      retries: count.optional().meta({
        description: "Carrier retries inside one invocation. Default: the template's CARRIER_RETRIES.",
      }),
    })
    .default({})
    .meta({ description: "The Lambda handler's settings, over the template's environment." }),
  stack: z
    .strictObject({
      storeQueryMs: z.number().nonnegative().default(2).meta({
        description:
          "What one MySQL query costs an invocation, in ms. Default 2; `smsim calibrate` measures it.",
      }),
      carrierRoundTripMs: z
        .number()
        .nonnegative()
        .default(5)
        .meta({ description: "Network round trip to the carrier, in ms, on top of its latency. Default 5." }),
    })
    .prefault({})
    .meta({
      description:
        "What the virtual engine charges for the stack its models make instant (production estimates; docs/CONFORMANCE.md).",
    }),
  sqsMetrics: z
    .strictObject({
      resumeDelay: duration("nonnegative")
        .default(15 * 60_000)
        .meta({
          description:
            'How late SQS metrics may resume after a queue idle 6 hours (AWS: up to 15 minutes). Default "15m".',
        }),
    })
    .prefault({})
    .meta({ description: "How SQS publishes its CloudWatch metrics." }),
  esm: esmBackoffSchema.prefault({}).meta({
    description:
      "What the event source mapping assumes where AWS publishes no numbers (sim/esm/esm-backoff.ts).",
  }),
  prices: pricesSchema.optional().meta({
    description:
      "List prices in USD for the region the template deploys to, when smsim has none for it (it prices us-east-1); read them off AWS's pricing pages or a bill.",
  }),
  traffic: z.array(trafficEntry).min(1).meta({
    description:
      "What reaches the admin API: campaign, daily, constant-arrival-rate or ramping-arrival-rate entries.",
  }),
  thresholds: z.record(z.string().min(1), thresholdExpressions).default({}).meta({
    description:
      'k6-style checks at the end: { "metric{tag:value}": "aggregation op number" }, e.g. { "dlq_messages": "count == 0" }.',
  }),
});

/**
 * A scenario as written in a scenario file (durations as k6 strings), and what it becomes once
 * parsed (durations in milliseconds, defaults filled in). Paths and the pipeline are resolved by
 * load-scenario, which knows where the file is.
 */
export const scenarioSchema = scenarioFields
  .superRefine(
    (s, ctx) => {
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
      // Cross-field checks need every field valid; the field errors are reported without them.
    },
    { when: (payload) => payload.issues.length === 0 },
  )
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
    prices: s.prices ?? null,
    stack: s.stack,
    sqsMetrics: s.sqsMetrics,
  }));

/** What a scenario file's default export (or JSON/YAML document) holds. */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;

/** The sim/thresholds parser's complaint about a threshold, so a typo fails at load, not after a run. */
function thresholdSyntaxProblem(
  key: string,
  expressions: readonly ThresholdSpec[],
): { at: number[]; message: string; got: string } | null {
  try {
    parseThresholdKey(key);
  } catch (error) {
    if (error instanceof ThresholdSyntaxError) return { at: [], message: error.message, got: key };
    throw error;
  }
  for (const [i, spec] of expressions.entries()) {
    try {
      parseThresholdSpec(key, spec);
    } catch (error) {
      if (error instanceof ThresholdSyntaxError)
        return { at: [i], message: error.message, got: typeof spec === "string" ? spec : spec.threshold };
      throw error;
    }
  }
  return null;
}

function largestCampaign(traffic: readonly TrafficEntry[]): number {
  return Math.max(...traffic.map((entry) => entry.recipients));
}
