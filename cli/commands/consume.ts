import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { unrefClock } from "../../domain/clock";
import { createMysqlPool } from "../../domain/db/mysql";
import { readEnv, requireEnv } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { createJsonLogger, LOG_LEVELS, type LogLevel } from "../../domain/logger";
import { createSqsClient, type QueueDepth, readQueueDepth, resolveQueueUrls } from "../../domain/sqs-client";
import { loadPipelineConfig, overridesFromFlags } from "../../infra/pipeline-config";
import type { EventSourceMapping } from "../../sim/esm/event-source-mapping";
import { startFunctionThreads } from "../../sim/esm/function-threads";
import {
  createLocalFunction,
  createQueueConsumer,
  type LocalConsumer,
  type LocalFunction,
  storeConnectionsOf,
} from "../../sim/esm/local-consumer";
import { probeHttp } from "../../sim/live/probe-http";

interface ConsumeFlags {
  untilDrained?: boolean;
  timeout?: string;
  logLevel: string;
  set: string[];
  threads: string;
}

type StopReason = "drained" | "timeout" | "signal";

const TICK_MS = 1000;
const PROGRESS_EVERY_MS = 5000;
/** --until-drained: how long the queue must stay empty with nothing in flight. */
const QUIET_MS = 3000;

export function registerConsumeCommand(program: Command): void {
  program
    .command("consume")
    .description(
      "Run the production handler under the event source mapping emulator against the configured queue " +
        "(SQS_ENDPOINT, MYSQL_URL, CARRIER_BASE_URL); settings from infra/template.yaml",
    )
    .option(
      "--until-drained",
      `stop once the queue has had no message, visible or in flight, for ${QUIET_MS / 1000} s`,
    )
    .option("--timeout <seconds>", "stop after this many seconds")
    .option("--log-level <level>", `handler log level: ${LOG_LEVELS.join(", ")}`, "warn")
    .option(
      "--threads <n>",
      "run the handler on n worker threads, each with its own connections, as Lambda gives each " +
        "execution environment its own; 1 runs it on the mapping's thread",
      "1",
    )
    .option(
      "--set <LogicalId.Property=value>",
      "override a template setting, e.g. LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency=20 (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .action(async (flags: ConsumeFlags) => {
      const timeoutMs = flags.timeout === undefined ? null : secondsFlag("--timeout", flags.timeout) * 1000;
      if (!(LOG_LEVELS as readonly string[]).includes(flags.logLevel)) {
        throw new ValidationError("--log-level", flags.logLevel, `expected one of ${LOG_LEVELS.join(", ")}`);
      }
      const threads = Number(flags.threads);
      if (!Number.isInteger(threads) || threads < 1) {
        throw new ValidationError("--threads", flags.threads, "expected a whole number >= 1");
      }
      const env = readEnv();
      const config = loadPipelineConfig({ overrides: overridesFromFlags(flags.set) });
      const carrierBaseUrl = requireEnv(env, "carrierBaseUrl");
      // A carrier that is down would turn every message into retries and then DLQ entries.
      await probeHttp(carrierBaseUrl);
      const client = createSqsClient(env);
      const carrier = { baseUrl: carrierBaseUrl, apiKey: env.carrierApiKey };
      const logLevel = flags.logLevel as LogLevel;
      const logger = createJsonLogger({
        level: logLevel,
        write: (line) => process.stderr.write(`${line}\n`),
      });
      // On threads, each opens its own pool; on this thread, the handler shares this one.
      const pool =
        threads === 1 ? createMysqlPool(env.mysqlUrl, { connectionLimit: storeConnectionsOf(config) }) : null;
      let local: LocalFunction | undefined;
      let consumer: LocalConsumer | undefined;
      try {
        const { queueUrl, dlqUrl } = await resolveQueueUrls(client, config, env);
        local =
          pool === null
            ? await startFunctionThreads({
                threads,
                pipeline: config,
                queueUrl,
                mysqlUrl: env.mysqlUrl,
                carrier,
                sqs: { sqsEndpoint: env.sqsEndpoint, awsRegion: env.awsRegion },
                logLevel,
              })
            : createLocalFunction({
                client,
                queueUrl,
                pipeline: config,
                pool,
                carrier,
                clock: unrefClock,
                logger,
              });
        consumer = await createQueueConsumer({
          client,
          queueUrl,
          pipeline: config,
          local,
          clock: unrefClock,
          logger,
        });
        const { esm } = consumer;
        const started = Date.now();
        const stopReason = await consumeUntilStopped(esm, {
          depth: () => readQueueDepth(client, queueUrl),
          untilDrained: flags.untilDrained ?? false,
          timeoutMs,
          progress: (line) => process.stderr.write(`consume ${line}\n`),
        });
        const [queue, dlq] = await Promise.all([
          readQueueDepth(client, queueUrl),
          readQueueDepth(client, dlqUrl),
        ]);
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        process.stdout.write(`${JSON.stringify({ stopReason, seconds, ...esm.stats(), queue, dlq })}\n`);
      } finally {
        // A consumer closes its function; one that failed to start leaves it to this.
        await (consumer ?? local)?.close();
        client.destroy();
        await pool?.end();
      }
    });
}

interface ConsumeLoopOptions {
  depth(): Promise<QueueDepth>;
  untilDrained: boolean;
  timeoutMs: number | null;
  progress(line: string): void;
}

/** Runs the mapping until drained, timed out or interrupted (SIGINT/SIGTERM), then stops it gracefully. */
async function consumeUntilStopped(
  esm: EventSourceMapping,
  options: ConsumeLoopOptions,
): Promise<StopReason> {
  let onSignal = () => {};
  const signalled = new Promise<StopReason>((resolve) => {
    onSignal = () => resolve("signal");
  });
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const started = Date.now();
  let quietSince: number | null = null;
  let lastProgress = started;
  esm.start();
  try {
    for (;;) {
      const woke = await Promise.race([sleep(TICK_MS).then(() => null), signalled]);
      if (woke) return woke;
      const now = Date.now();
      if (options.timeoutMs !== null && now - started >= options.timeoutMs) return "timeout";
      const depth = await options.depth();
      const stats = esm.stats();
      const empty = depth.visible + depth.inFlight + depth.delayed === 0 && stats.inFlight === 0;
      quietSince = empty ? (quietSince ?? now) : null;
      if (options.untilDrained && quietSince !== null && now - quietSince >= QUIET_MS) return "drained";
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        options.progress(
          `${Math.round((now - started) / 1000)}s: received ${stats.recordsReceived}, deleted ${stats.recordsDeleted}, ` +
            `failed ${stats.recordsFailed}, invocations ${stats.inFlight} in flight (max ${stats.maxConcurrent}); ` +
            `queue ${depth.visible} visible, ${depth.inFlight} in flight, ${depth.delayed} delayed`,
        );
      }
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await esm.stop();
  }
}

function secondsFlag(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new ValidationError(flag, value, "expected a number of seconds > 0");
  }
  return n;
}
