import { randomUUID } from "node:crypto";
import type { SQSClient } from "@aws-sdk/client-sqs";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyServerOptions, LogController } from "fastify";
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
import { createDlqIndex } from "./dlq-index";
import { createDlqService } from "./dlq-service";
import { adminErrorHandler } from "./error-handler";
import { NotFoundError } from "./errors";
import { installJsonBodyParser } from "./json-body";
import { registerOpenApi } from "./openapi";
import { createRecordChange } from "./record-change";
import { installRequestLogging } from "./request-log";
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
  /** Default: JSON lines at level info on stderr; false silences the server (tests). */
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
    logger: options.logger ?? { level: "info", stream: process.stderr },
    // Ours, never the caller's: the id ties an error reply to its log lines.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // installRequestLogging writes one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Unknown keys are an error, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(adminErrorHandler);
  app.setNotFoundHandler((request) => {
    throw new NotFoundError(`route ${request.method} ${request.url.split("?")[0]}`);
  });
  installRequestLogging(app);
  installJsonBodyParser(app);
  app.addSchema(ErrorBody);
  await registerOpenApi(app);

  const recordChange = createRecordChange(createAuditLog(pool, clock));
  installAccessControl(app, createAuthenticator(options.tokens), async (request, needed) => {
    await recordChange(request, {
      action: "access.denied",
      target: `${request.method} ${request.routeOptions.url}`,
      detail: { needed },
    }).catch((error) => request.log.error({ err: error }, "could not audit a denial"));
  });
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
  const campaigns = createCampaignQueries(pool, {
    clock,
    failureReasonsRefreshMs: options.failureReasonsRefreshMs,
  });
  const dlq = createDlqService({ ...sqs, pool });
  const index = createDlqIndex({ dlq, clock });

  registerCampaignRoutes(app, { launcher, campaigns, index, recordChange });
  registerAudienceRoutes(app, { audiences });
  registerDlqRoutes(app, { dlq, index, recordChange });
  registerStatusRoutes(app, { pool, sqs, alarms, clock });
  registerConsoleRoutes(app);
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  app.addHook("onClose", async () => launcher.settled());
  return app;
}
