import type { z } from "zod";
import { readEnv, requireEnv, type SmsimEnv } from "../domain/env";
import { ValidationError } from "../domain/errors";
import { LOG_LEVELS, type LogLevel } from "../domain/logger";
import { parseWith } from "../domain/validation";
import { messagingHandlerSettingsSchema } from "./create-messaging-handler";

export interface LambdaConfig {
  env: SmsimEnv;
  carrierBaseUrl: string;
  carrierTimeoutMs: number;
  recordParallelism: number;
  carrierRetries: number;
  rateLimitMaxWaitMs: number;
  logLevel: LogLevel;
}

type Source = Readonly<Record<string, string | undefined>>;

/**
 * The function's settings from its environment (infra/template.yaml sets them). Unset tuning
 * variables take the handler's defaults; any bad value is a ValidationError naming the variable.
 */
export function readLambdaConfig(source: Source = process.env): LambdaConfig {
  // readEnv falls back to a local database; a deployed function must be told where its database is.
  if (!source.MYSQL_URL?.trim()) throw new ValidationError("MYSQL_URL", source.MYSQL_URL, "is required");
  const env = readEnv(source);
  const { shape } = messagingHandlerSettingsSchema;
  const logLevel = source.LOG_LEVEL?.trim().toLowerCase() || "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ValidationError("LOG_LEVEL", source.LOG_LEVEL, `expected one of ${LOG_LEVELS.join(", ")}`);
  }
  return {
    env,
    carrierBaseUrl: requireEnv(env, "carrierBaseUrl"),
    carrierTimeoutMs: wholeNumber(source, "CARRIER_TIMEOUT_MS", shape.carrierTimeoutMs),
    recordParallelism: wholeNumber(source, "RECORD_PARALLELISM", shape.recordParallelism),
    carrierRetries: wholeNumber(source, "CARRIER_RETRIES", shape.carrierRetries),
    rateLimitMaxWaitMs: wholeNumber(source, "RATE_LIMIT_MAX_WAIT_MS", shape.rateLimitMaxWaitMs),
    logLevel: logLevel as LogLevel,
  };
}

/** The variable as a number checked by the handler setting's own schema (which supplies the default). */
function wholeNumber(
  source: Source,
  variable: string,
  schema: z.ZodType<number, number | undefined>,
): number {
  const raw = source[variable]?.trim();
  if (raw && !/^\d+$/.test(raw)) throw new ValidationError(variable, raw, "expected a whole number");
  return parseWith(schema, raw ? Number(raw) : undefined, variable);
}
