import type { Command } from "commander";
import { z } from "zod";
import { createAdminServer } from "../../api/admin/admin-server";
import { type AdminToken, generateToken, parseAdminTokens } from "../../api/admin/auth";
import { createMessagingService } from "../../api/messaging-service";
import { createSqsMessageQueue } from "../../api/sqs-message-queue";
import { createMysqlPool } from "../../domain/db/mysql";
import { readEnv } from "../../domain/env";
import { createJsonLogger } from "../../domain/logger";
import { parseWith } from "../../domain/validation";
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
      const app = await createAdminServer({
        pool,
        sqs: { client, queueUrl, dlqUrl },
        messaging: createMessagingService({
          pool,
          queue: createSqsMessageQueue(client, queueUrl),
          logger: createJsonLogger(),
        }),
        tokens,
      });
      const url = await app.listen({ port, host: flags.host });
      process.stdout.write(`operations console on ${url}/ (API description: ${url}/openapi.json)\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      // Closing waits for campaigns still being enqueued.
      await app.close();
      await pool.end();
      client.destroy();
    });
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
