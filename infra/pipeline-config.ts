import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { describeValue } from "../domain/errors";
import { parseWith } from "../domain/validation";
import { parseCloudFormationYaml } from "./cloudformation-yaml";
import { OverrideError, TemplateError } from "./errors";

export const DEFAULT_TEMPLATE_PATH = resolve(dirname(fileURLToPath(import.meta.url)), "template.yaml");

export interface QueueConfig {
  logicalId: string;
  name: string;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  delaySeconds: number;
  receiveWaitSeconds: number;
}

export interface SourceQueueConfig extends QueueConfig {
  maxReceiveCount: number;
}

export interface LambdaConfig {
  logicalId: string;
  functionName: string;
  runtime: string;
  architecture: "x86_64" | "arm64";
  timeoutSeconds: number;
  memoryMb: number;
  /** null when the function has no reserved concurrency (it shares the account's pool). */
  reservedConcurrency: number | null;
  /** Handler settings, from the function's environment. */
  recordParallelism: number;
  carrierRetries: number;
  carrierTimeoutMs: number;
  rateLimitMaxWaitMs: number;
}

export interface EventSourceMappingConfig {
  logicalId: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** null when the mapping has no ScalingConfig: it may scale to the ESM's own limit. */
  maximumConcurrency: number | null;
  reportBatchItemFailures: boolean;
}

export const ALARM_STATISTICS = ["Sum", "Average", "Minimum", "Maximum", "SampleCount"] as const;
export const COMPARISON_OPERATORS = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
] as const;
export const TREAT_MISSING_DATA = ["missing", "notBreaching", "breaching", "ignore"] as const;

export interface AlarmConfig {
  logicalId: string;
  name: string;
  description: string | null;
  metricName: string;
  namespace: string;
  dimensions: { name: string; value: string }[];
  statistic: (typeof ALARM_STATISTICS)[number];
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: (typeof COMPARISON_OPERATORS)[number];
  treatMissingData: (typeof TREAT_MISSING_DATA)[number];
  /** Logical IDs of the topics notified on a transition into each state. */
  alarmActions: string[];
  okActions: string[];
  insufficientDataActions: string[];
}

export interface PipelineConfig {
  templatePath: string;
  queue: SourceQueueConfig;
  dlq: QueueConfig;
  lambda: LambdaConfig;
  esm: EventSourceMappingConfig;
  alarms: AlarmConfig[];
  /**
   * The region the stack deploys to, from the template's `Metadata.smsim.Region` (CloudFormation
   * takes the region at deploy time, so the template says it for smsim); null when it names none.
   */
  region: string | null;
  /** Where the template is legal but against AWS's advice (e.g. maxReceiveCount < 5). */
  warnings: string[];
}

export type TemplateOverrides = Record<string, unknown>;

export interface LoadPipelineConfigOptions {
  templatePath?: string;
  /** "<LogicalId>.<Property.Path>": value, applied to the template's Properties before validation. */
  overrides?: TemplateOverrides;
}

/** A `--set` value: JSON when it parses as JSON (numbers, booleans, lists), else the text itself. */
export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `--set LogicalId.Property.Path=value` flags as template overrides. */
export function overridesFromFlags(flags: readonly string[]): TemplateOverrides {
  const overrides: TemplateOverrides = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new OverrideError(flag, "expected <LogicalId>.<Property.Path>=value");
    overrides[flag.slice(0, eq).trim()] = parseSetValue(flag.slice(eq + 1));
  }
  return overrides;
}

export function loadPipelineConfig(options: LoadPipelineConfigOptions = {}): PipelineConfig {
  const templatePath = resolve(options.templatePath ?? DEFAULT_TEMPLATE_PATH);
  let text: string;
  try {
    text = readFileSync(templatePath, "utf8");
  } catch (error) {
    throw new TemplateError(`cannot read template ${templatePath}: ${(error as Error).message}`);
  }
  return pipelineConfigFromYaml(text, templatePath, options.overrides);
}

export function pipelineConfigFromYaml(
  text: string,
  templatePath = "<inline>",
  overrides: TemplateOverrides = {},
): PipelineConfig {
  const doc = parseCloudFormationYaml(text);
  const resources = doc.Resources;
  if (!isObject(resources)) throw new TemplateError(`${templatePath}: Resources: missing`);
  for (const [key, value] of Object.entries(overrides)) applyOverride(resources, key, value);
  return { ...buildConfig(resources, templatePath), region: regionOf(doc.Metadata, templatePath) };
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ref = z.object({ Ref: z.string() });
const getAtt = z.object({ "Fn::GetAtt": z.tuple([z.string(), z.string()]) });

const queueProps = z
  .object({
    QueueName: z.string().min(1).max(80),
    VisibilityTimeout: int(0, 43_200).default(30),
    MessageRetentionPeriod: int(60, 1_209_600).default(345_600),
    DelaySeconds: int(0, 900).default(0),
    ReceiveMessageWaitTimeSeconds: int(0, 20).default(0),
    RedrivePolicy: z
      .object({ deadLetterTargetArn: getAtt, maxReceiveCount: int(1, 1000) })
      .strict()
      .optional(),
  })
  .strict();

const functionProps = z
  .object({
    FunctionName: z.string().min(1),
    Runtime: z.string().min(1),
    Architectures: z
      .array(z.enum(["x86_64", "arm64"]))
      .length(1)
      .default(["x86_64"]),
    Handler: z.string().min(1),
    CodeUri: z.unknown().optional(),
    Code: z.unknown().optional(),
    Role: z.unknown().optional(),
    Timeout: int(1, 900).default(3),
    MemorySize: int(128, 10_240).default(128),
    ReservedConcurrentExecutions: int(0, 1000).optional(),
    Environment: z
      .object({ Variables: z.record(z.string(), z.unknown()) })
      .strict()
      .optional(),
  })
  .strict();

const esmProps = z
  .object({
    EventSourceArn: getAtt,
    FunctionName: ref,
    BatchSize: int(1, 10_000).default(10),
    MaximumBatchingWindowInSeconds: int(0, 300).default(0),
    FunctionResponseTypes: z.array(z.literal("ReportBatchItemFailures")).optional(),
    ScalingConfig: z
      .object({ MaximumConcurrency: int(2, 1000) })
      .strict()
      .optional(),
    Enabled: z.boolean().optional(),
  })
  .strict();

const alarmProps = z
  .object({
    AlarmName: z.string().min(1),
    AlarmDescription: z.string().optional(),
    MetricName: z.string().min(1),
    Namespace: z.string().min(1),
    Dimensions: z.array(z.object({ Name: z.string(), Value: z.string() }).strict()).default([]),
    Statistic: z.enum(ALARM_STATISTICS),
    Period: z.coerce.number().int().positive(),
    EvaluationPeriods: int(1, 100),
    DatapointsToAlarm: int(1, 100).optional(),
    Threshold: z.coerce.number(),
    ComparisonOperator: z.enum(COMPARISON_OPERATORS),
    TreatMissingData: z.enum(TREAT_MISSING_DATA).default("missing"),
    AlarmActions: z.array(ref).default([]),
    OKActions: z.array(ref).default([]),
    InsufficientDataActions: z.array(ref).default([]),
  })
  .strict();

type Resources = Record<string, unknown>;

function buildConfig(resources: Resources, templatePath: string): Omit<PipelineConfig, "region"> {
  const byType = (type: string) =>
    Object.entries(resources).filter(([, r]) => isObject(r) && r.Type === type) as [string, Resource][];
  const mappings = byType("AWS::Lambda::EventSourceMapping");
  if (mappings.length !== 1) {
    throw new TemplateError(
      `${templatePath}: expected one AWS::Lambda::EventSourceMapping, found ${mappings.length}`,
    );
  }
  const [esmId, esmResource] = mappings[0] as [string, Resource];
  const esmP = props(esmProps, esmId, esmResource);
  const queueId = esmP.EventSourceArn["Fn::GetAtt"][0];
  const queueP = props(queueProps, queueId, resourceOf(resources, queueId, "AWS::SQS::Queue", esmId));
  if (!queueP.RedrivePolicy)
    throw new TemplateError(`${queueId}.RedrivePolicy: missing; the pipeline needs a DLQ`);
  const dlqId = queueP.RedrivePolicy.deadLetterTargetArn["Fn::GetAtt"][0];
  const dlqP = props(queueProps, dlqId, resourceOf(resources, dlqId, "AWS::SQS::Queue", queueId));
  const fnId = esmP.FunctionName.Ref;
  const fnResource = resourceOf(
    resources,
    fnId,
    ["AWS::Serverless::Function", "AWS::Lambda::Function"],
    esmId,
  );
  const fnP = props(functionProps, fnId, fnResource);
  const env = fnP.Environment?.Variables ?? {};
  const envInt = (name: string, fallback: number, min: number) =>
    parseWith(int(min, 1_000_000), env[name] ?? fallback, `${fnId}.Environment.Variables.${name}`);

  const queue = queueConfig(queueId, queueP);
  const dlq = queueConfig(dlqId, dlqP);
  const lambda: LambdaConfig = {
    logicalId: fnId,
    functionName: fnP.FunctionName,
    runtime: fnP.Runtime,
    architecture: fnP.Architectures[0] ?? "x86_64",
    timeoutSeconds: fnP.Timeout,
    memoryMb: fnP.MemorySize,
    reservedConcurrency: fnP.ReservedConcurrentExecutions ?? null,
    recordParallelism: envInt("RECORD_PARALLELISM", 1, 1),
    carrierRetries: envInt("CARRIER_RETRIES", 0, 0),
    carrierTimeoutMs: envInt("CARRIER_TIMEOUT_MS", 5000, 1),
    rateLimitMaxWaitMs: envInt("RATE_LIMIT_MAX_WAIT_MS", 2000, 0),
  };
  const esm: EventSourceMappingConfig = {
    logicalId: esmId,
    batchSize: esmP.BatchSize,
    maxBatchingWindowSeconds: esmP.MaximumBatchingWindowInSeconds,
    maximumConcurrency: esmP.ScalingConfig?.MaximumConcurrency ?? null,
    reportBatchItemFailures: esmP.FunctionResponseTypes?.includes("ReportBatchItemFailures") ?? false,
  };
  const queueMaxReceive = queueP.RedrivePolicy.maxReceiveCount;
  const alarms = byType("AWS::CloudWatch::Alarm").map(([id, r]) => alarmConfig(id, props(alarmProps, id, r)));
  const source: SourceQueueConfig = { ...queue, maxReceiveCount: queueMaxReceive };
  checkRules(source, dlq, lambda, esm);
  return {
    templatePath,
    queue: source,
    dlq,
    lambda,
    esm,
    alarms,
    warnings: advice(source, dlq, lambda, esm),
  };
}

type Resource = { Type: string; Properties?: unknown };

function resourceOf(resources: Resources, id: string, type: string | string[], from: string): Resource {
  const resource = resources[id];
  const types = Array.isArray(type) ? type : [type];
  if (!isObject(resource))
    throw new TemplateError(`${from} refers to ${id}, which the template does not define`);
  if (!types.includes(String(resource.Type))) {
    throw new TemplateError(
      `${id}.Type: expected ${types.join(" or ")} (got ${describeValue(resource.Type)})`,
    );
  }
  return resource as Resource;
}

function props<T extends z.ZodType>(schema: T, id: string, resource: Resource): z.output<T> {
  try {
    return parseWith(schema, resource.Properties ?? {}, id);
  } catch (error) {
    throw new TemplateError((error as Error).message);
  }
}

function queueConfig(id: string, p: z.output<typeof queueProps>): QueueConfig {
  return {
    logicalId: id,
    name: p.QueueName,
    visibilityTimeoutSeconds: p.VisibilityTimeout,
    retentionSeconds: p.MessageRetentionPeriod,
    delaySeconds: p.DelaySeconds,
    receiveWaitSeconds: p.ReceiveMessageWaitTimeSeconds,
  };
}

function alarmConfig(id: string, p: z.output<typeof alarmProps>): AlarmConfig {
  const datapointsToAlarm = p.DatapointsToAlarm ?? p.EvaluationPeriods;
  if (datapointsToAlarm > p.EvaluationPeriods) {
    throw new TemplateError(
      `${id}.DatapointsToAlarm: must not exceed EvaluationPeriods (got ${datapointsToAlarm})`,
    );
  }
  if (p.Period < 60 ? ![10, 20, 30].includes(p.Period) : p.Period % 60 !== 0) {
    throw new TemplateError(`${id}.Period: must be 10, 20, 30 or a multiple of 60 (got ${p.Period})`);
  }
  return {
    logicalId: id,
    name: p.AlarmName,
    description: p.AlarmDescription ?? null,
    metricName: p.MetricName,
    namespace: p.Namespace,
    dimensions: p.Dimensions.map((d) => ({ name: d.Name, value: d.Value })),
    statistic: p.Statistic,
    periodSeconds: p.Period,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm,
    threshold: p.Threshold,
    comparisonOperator: p.ComparisonOperator,
    treatMissingData: p.TreatMissingData,
    alarmActions: p.AlarmActions.map((a) => a.Ref),
    okActions: p.OKActions.map((a) => a.Ref),
    insufficientDataActions: p.InsufficientDataActions.map((a) => a.Ref),
  };
}

/** Settings AWS itself rejects. */
function checkRules(
  queue: QueueConfig,
  _dlq: QueueConfig,
  lambda: LambdaConfig,
  esm: EventSourceMappingConfig,
) {
  if (lambda.timeoutSeconds > queue.visibilityTimeoutSeconds) {
    throw new TemplateError(
      `${lambda.logicalId}.Timeout: must not exceed ${queue.logicalId}.VisibilityTimeout ` +
        `(${queue.visibilityTimeoutSeconds}); Lambda rejects the mapping (got ${lambda.timeoutSeconds})`,
    );
  }
  if (esm.batchSize > 10 && esm.maxBatchingWindowSeconds < 1) {
    throw new TemplateError(
      `${esm.logicalId}.MaximumBatchingWindowInSeconds: must be >= 1 when BatchSize > 10 (got ${esm.maxBatchingWindowSeconds})`,
    );
  }
}

/** Settings AWS accepts but advises against (services-sqs-configure, services-sqs-scaling). */
function advice(
  queue: SourceQueueConfig,
  dlq: QueueConfig,
  lambda: LambdaConfig,
  esm: EventSourceMappingConfig,
) {
  const warnings: string[] = [];
  const recommended = 6 * lambda.timeoutSeconds + esm.maxBatchingWindowSeconds;
  if (queue.visibilityTimeoutSeconds < recommended) {
    warnings.push(
      `${queue.logicalId}.VisibilityTimeout ${queue.visibilityTimeoutSeconds}s is below AWS's advice of 6 x function timeout + batching window (${recommended}s), so a throttled or slow batch is retried before its messages count a receive (AWS Lambda guide, services-sqs-configure)`,
    );
  }
  if (queue.maxReceiveCount < 5) {
    warnings.push(
      `${queue.logicalId}.RedrivePolicy.maxReceiveCount ${queue.maxReceiveCount} is below AWS's advice of 5: throttled or rate-limited batches can reach the DLQ unprocessed (AWS Lambda guide, services-sqs-configure)`,
    );
  }
  if (dlq.retentionSeconds <= queue.retentionSeconds) {
    warnings.push(
      `${dlq.logicalId}.MessageRetentionPeriod should exceed ${queue.logicalId}'s: a message's expiry counts from its first enqueue, not its move (SQS developer guide, dead-letter queues)`,
    );
  }
  if (lambda.reservedConcurrency !== null && esm.maximumConcurrency !== null) {
    if (lambda.reservedConcurrency < esm.maximumConcurrency) {
      warnings.push(
        `${lambda.logicalId}.ReservedConcurrentExecutions ${lambda.reservedConcurrency} is below ${esm.logicalId}.ScalingConfig.MaximumConcurrency ${esm.maximumConcurrency}: Lambda will throttle (AWS Lambda guide, services-sqs-scaling)`,
      );
    }
  }
  return warnings;
}

function applyOverride(resources: Resources, key: string, value: unknown) {
  const [logicalId, ...path] = key.split(".");
  if (!logicalId || path.length === 0) {
    throw new OverrideError(key, "expected <LogicalId>.<Property.Path>");
  }
  const resource = resources[logicalId];
  if (!isObject(resource)) {
    throw new OverrideError(
      key,
      `no resource ${logicalId}; the template has ${Object.keys(resources).join(", ")}`,
    );
  }
  resource.Properties ??= {};
  let node = resource.Properties as Record<string, unknown>;
  for (const [i, segment] of path.slice(0, -1).entries()) {
    const next = node[segment];
    if (next === undefined) node[segment] = {};
    else if (!isObject(next)) {
      throw new OverrideError(key, `${[logicalId, ...path.slice(0, i + 1)].join(".")} is not an object`);
    }
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** An AWS region code as AWS writes them: us-east-1, ap-northeast-2, us-gov-west-1. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function regionOf(metadata: unknown, templatePath: string): string | null {
  const smsim = isObject(metadata) ? metadata.smsim : undefined;
  const region = isObject(smsim) ? smsim.Region : undefined;
  if (region === undefined) return null;
  if (typeof region !== "string" || !REGION.test(region))
    throw new TemplateError(
      `${templatePath}: Metadata.smsim.Region: expected a region code such as ap-northeast-2, got ${JSON.stringify(region)}`,
    );
  return region;
}
