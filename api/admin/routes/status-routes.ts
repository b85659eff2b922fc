import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Pool } from "mysql2/promise";
import type { Clock } from "../../../domain/clock";
import { principalOf } from "../access-control";
import { type AlarmStatusSource, overallState } from "../alarm-status";
import { AlarmsReply, HealthReply, WhoAmIReply } from "../schemas";
import type { AdminApp } from "../typebox-provider";

export interface StatusRoutesDeps {
  pool: Pool;
  sqs: { client: SQSClient; queueUrl: string };
  alarms?: AlarmStatusSource;
  clock: Clock;
}

const HEALTH_TIMEOUT_MS = 2000;
const NO_SOURCE_NOTE =
  "No alarm evaluator is connected to this console, so alarm states are unknown. In AWS, watch " +
  "the CloudWatch console; in the simulator, start the console with the run's alarm evaluator.";

export function registerStatusRoutes(app: AdminApp, { pool, sqs, alarms, clock }: StatusRoutesDeps) {
  app.get(
    "/whoami",
    {
      schema: {
        operationId: "whoAmI",
        summary: "The name and role of the calling token",
        tags: ["status"],
        response: { 200: WhoAmIReply },
      },
    },
    async (request) => principalOf(request),
  );

  app.get(
    "/alarms",
    {
      schema: {
        operationId: "getAlarms",
        summary: "Alarm states and transitions",
        tags: ["status"],
        response: { 200: AlarmsReply },
      },
    },
    async () => {
      if (!alarms)
        return { configured: false, state: "UNKNOWN", note: NO_SOURCE_NOTE, alarms: [], history: [] };
      const [current, history] = await Promise.all([alarms.current(), alarms.history()]);
      const iso = (ms: number) => new Date(ms).toISOString();
      return {
        configured: true,
        state: overallState(current),
        alarms: current.map((a) => ({ ...a, stateChangedAt: iso(a.stateChangedAt) })),
        history: history.map((t) => ({ ...t, at: iso(t.at) })),
      };
    },
  );

  app.get(
    "/health",
    {
      config: { public: true, rateLimit: false },
      schema: {
        operationId: "getHealth",
        summary: "Reachability of MySQL and SQS (no token needed)",
        tags: ["status"],
        response: { 200: HealthReply, 503: HealthReply },
      },
    },
    async (_request, reply) => {
      const [db, queue] = await Promise.all([
        probe(clock, () => pool.query("SELECT 1")),
        probe(clock, () =>
          sqs.client.send(
            new GetQueueAttributesCommand({ QueueUrl: sqs.queueUrl, AttributeNames: ["QueueArn"] }),
          ),
        ),
      ]);
      const ok = db.ok && queue.ok;
      return reply.status(ok ? 200 : 503).send({ status: ok ? "ok" : "degraded", db, sqs: queue });
    },
  );
}

/** Whether `check` succeeds within the timeout; errors are not echoed to this unauthenticated route. */
async function probe(
  clock: Clock,
  check: () => Promise<unknown>,
): Promise<{ ok: boolean; latencyMs: number }> {
  const started = clock.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
  });
  const ok = await Promise.race([
    check().then(
      () => true,
      () => false,
    ),
    timeout,
  ]);
  clearTimeout(timer);
  return { ok, latencyMs: clock.now() - started };
}
