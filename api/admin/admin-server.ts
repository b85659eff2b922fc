import type { SQSClient } from "@aws-sdk/client-sqs";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyServerOptions } from "fastify";
import type { Pool } from "mysql2/promise";
import { type Clock, systemClock } from "../../domain/clock";
import { registerConsoleRoutes } from "../console/console-routes";
import type { MessagingService } from "../messaging-service";
import { installAccessControl } from "./access-control";
import type { AlarmStatusSource } from "./alarm-status";
import { createAudiencePreview } from "./audience-preview";
import { createAuditLog } from "./audit-log";
import { type AdminToken, createAuthenticator } from "./auth";
import { createCampaignLauncher } from "./campaign-launcher";
import { createCampaignQueries } from "./campaign-queries";
import { createDlqService } from "./dlq-service";
import { adminErrorHandler } from "./error-handler";
import { NotFoundError } from "./errors";
import { createRecordChange } from "./record-change";
import { registerAudienceRoutes } from "./routes/audience-routes";
import { registerCampaignRoutes } from "./routes/campaign-routes";
import { registerDlqRoutes } from "./routes/dlq-routes";
import { registerStatusRoutes } from "./routes/status-routes";
import { ErrorBody } from "./schemas";
import type { AdminApp, TypeBoxTypeProvider } from "./typebox-provider";

export interface RateLimitSettings {
  /** Requests per window for one token (or, without a valid token, one IP address). */
  max: number;
  timeWindowMs: number;
}

export interface AdminServerOptions {
  pool: Pool;
  sqs: { client: SQSClient; queueUrl: string; dlqUrl: string };
  messaging: MessagingService;
  tokens: readonly AdminToken[];
  alarms?: AlarmStatusSource;
  clock?: Clock;
  /** false turns rate limiting off (benchmarks); default 600 requests a minute. */
  rateLimit?: RateLimitSettings | false;
  /** Largest request body in bytes; default 256 KiB. */
  bodyLimit?: number;
  logger?: FastifyServerOptions["logger"];
  /** Least time between recounts of a draining campaign's failure reasons; default 2000 ms. */
  failureReasonsRefreshMs?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { max: 600, timeWindowMs: 60_000 };
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * The admin API and operations console on one Fastify server (not yet listening). Closing it
 * waits for campaigns still being enqueued in the background.
 */
export async function createAdminServer(options: AdminServerOptions): Promise<AdminApp> {
  const { pool, sqs, messaging, alarms } = options;
  const clock = options.clock ?? systemClock;
  const app: AdminApp = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Unknown keys are an error, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(adminErrorHandler);
  app.setNotFoundHandler((request) => {
    throw new NotFoundError(`route ${request.method} ${request.url.split("?")[0]}`);
  });
  app.addSchema(ErrorBody);
  await app.register(swagger, {
    openapi: {
      info: {
        title: "smsim admin API",
        version: "1",
        description: "Campaigns, audiences, the DLQ and alarms of the bulk SMS pipeline.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });

  installAccessControl(app, createAuthenticator(options.tokens));
  const limits = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  if (limits) {
    await app.register(rateLimit, {
      max: limits.max,
      timeWindow: limits.timeWindowMs,
      keyGenerator: (request) => (request.principal ? `token:${request.principal.name}` : `ip:${request.ip}`),
    });
  }

  const audiences = createAudiencePreview(pool);
  const launcher = createCampaignLauncher({
    messaging,
    onBackgroundError: (error) => app.log.error({ err: error }, "background enqueue failed"),
  });
  const recordChange = createRecordChange(createAuditLog(pool, clock));
  const campaigns = createCampaignQueries(pool, {
    clock,
    failureReasonsRefreshMs: options.failureReasonsRefreshMs,
  });
  const dlq = createDlqService({ ...sqs, pool });

  registerCampaignRoutes(app, { launcher, campaigns, recordChange });
  registerAudienceRoutes(app, { audiences });
  registerDlqRoutes(app, { dlq, recordChange });
  registerStatusRoutes(app, { pool, sqs, alarms, clock });
  registerConsoleRoutes(app);
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  app.addHook("onClose", async () => launcher.settled());
  return app;
}
