import type { Command } from "commander";
import { z } from "zod";
import { ValidationError } from "../../domain/errors";
import { parseWith } from "../../domain/validation";
import {
  type CarrierModelConfig,
  durationMsSchema,
  probabilitySchema,
  rateSchema,
} from "../../provider-mock/config";
import { createCarrierServer } from "../../provider-mock/server";

interface CarrierFlags {
  port: string;
  host: string;
  rate?: string;
  recipientRate?: string;
  failureRate?: string;
  latencyMs?: string;
  seed: string;
}

const portSchema = z.number().int().min(0).max(65535);
const seedSchema = z.number().int();

export function registerCarrierCommand(program: Command): void {
  program
    .command("carrier")
    .description("Run the mock SMS carrier (a Korean bulk SMS API) over HTTP until interrupted")
    .option("--port <port>", "port to listen on (0 picks a free one)", "4010")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--rate <requestsPerSecond>", "request rate limit; over it the carrier answers 429")
    .option("--recipient-rate <recipientsPerSecond>", "recipient rate limit; over it the carrier answers 429")
    .option("--failure-rate <probability>", "share of requests answered 500 or 503, 0 to 1")
    .option("--latency-ms <ms>", "fixed response latency (default: lognormal, p50 50 ms, p99 300 ms)")
    .option("--seed <n>", "random seed", "1")
    .action(async (flags: CarrierFlags) => {
      const port = numberFlag("--port", flags.port, portSchema);
      const seed = numberFlag("--seed", flags.seed, seedSchema);
      const app = createCarrierServer({ model: carrierConfigOf(flags), seed });
      const url = await app.listen({ port, host: flags.host });
      process.stdout.write(`mock carrier listening on ${url} (admin: ${url}/__admin/stats)\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await app.close();
    });
}

function carrierConfigOf(flags: CarrierFlags): CarrierModelConfig {
  const latencyMs = optionalNumberFlag("--latency-ms", flags.latencyMs, durationMsSchema);
  // Flags left out stay undefined, which the config treats as "keep the default".
  return {
    rateLimit: {
      requestsPerSecond: optionalNumberFlag("--rate", flags.rate, rateSchema),
      recipientsPerSecond: optionalNumberFlag("--recipient-rate", flags.recipientRate, rateSchema),
    },
    transientFailureRate: optionalNumberFlag("--failure-rate", flags.failureRate, probabilitySchema),
    latencyMs: latencyMs === undefined ? undefined : { dist: "fixed", value: latencyMs },
  };
}

function numberFlag<T extends z.ZodType>(flag: string, raw: string, schema: T): z.output<T> {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) throw new ValidationError(flag, raw, "must be a number");
  return parseWith(schema, value, flag);
}

function optionalNumberFlag<T extends z.ZodType>(
  flag: string,
  raw: string | undefined,
  schema: T,
): z.output<T> | undefined {
  return raw === undefined ? undefined : numberFlag(flag, raw, schema);
}
