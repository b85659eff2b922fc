import type { Command } from "commander";
import { z } from "zod";
import { createAdminServer } from "../../api/admin/admin-server";
import { type AdminToken, generateToken, parseAdminTokens } from "../../api/admin/auth";
import { createWorkerMessagingService } from "../../api/worker-messaging-service";
import { createMysqlPool } from "../../domain/db/mysql";
import { readEnv } from "../../domain/env";
import { readQueueDepth } from "../../domain/sqs-client";
import { parseWith } from "../../domain/validation";
import { loadPipelineConfig } from "../../infra/pipeline-config";
import { createLocalAlarmSource, type LocalAlarmSource } from "../../sim/alarms/local-alarm-source";
import { MINUTE_MS } from "../../sim/alarms/metric-store";
import { connectQueues } from "./dlq";

const portSchema = z.coerce.number().int().min(0).max(65535);

export function registerConsoleCommand(program: Command): void {
  program
    .command("console")
    .description("Run the admin API and operations console (tokens from ADMIN_TOKENS=name:role:token,...)")
    .option("--port <port>", "port to listen on (0 picks a free one)", "8080")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .action(async (flags: { port: string; host: string }) => {
      const port = parseWith(portSchema, flags.port, "--port");
      const env = readEnv();
      const tokens = tokensFromEnv();
      const { client, queueUrl, dlqUrl } = await connectQueues(env);
      const pool = createMysqlPool(env.mysqlUrl);
      const alarms = createLocalAlarmSource({
        pipeline: loadPipelineConfig(),
        readDepths: async () => {
          const [source, dlq] = await Promise.all([
            readQueueDepth(client, queueUrl),
            readQueueDepth(client, dlqUrl),
          ]);
          return { source, dlq };
        },
        startMs: Date.now(),
      });
      const stopAlarms = everyMinute(alarms);
      // Campaigns are enqueued in a worker thread: a large one never stalls the API's answers.
      const messaging = createWorkerMessagingService({ env, queueUrl });
      const app = await createAdminServer({
        pool,
        sqs: { client, queueUrl, dlqUrl },
        messaging,
        tokens,
        alarms,
      });
      const url = await app.listen({ port, host: flags.host });
      process.stdout.write(`operations console on ${url}/ (API description: ${url}/openapi.json)\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      // Closing waits for campaigns still being enqueued.
      stopAlarms();
      await app.close();
      await messaging.close();
      await pool.end();
      client.destroy();
    });
}

/**
 * Samples the local queues at every minute boundary, as CloudWatch does, so the console shows
 * the template's alarms; a failed read is reported and the next minute tries again.
 */
function everyMinute(alarms: LocalAlarmSource): () => void {
  let timer: NodeJS.Timeout;
  const schedule = () => {
    timer = setTimeout(tick, MINUTE_MS - (Date.now() % MINUTE_MS));
    timer.unref();
  };
  const tick = () => {
    alarms
      .sampleMinute(Date.now())
      .catch((error) => process.stderr.write(`alarm sampling failed: ${(error as Error).message}\n`))
      .finally(schedule);
  };
  schedule();
  return () => clearTimeout(timer);
}

/** ADMIN_TOKENS, or one fresh operator token, printed once: it is never stored anywhere. */
function tokensFromEnv(): AdminToken[] {
  const spec = process.env.ADMIN_TOKENS?.trim();
  if (spec) return parseAdminTokens(spec);
  const token = generateToken();
  process.stdout.write(
    `ADMIN_TOKENS is unset: this run accepts one operator token, shown only now:\n\n  ${token}\n\n` +
      "Set ADMIN_TOKENS=name:role:token,... to choose tokens and roles (viewer or operator).\n",
  );
  return [{ name: "console", role: "operator", token }];
}
