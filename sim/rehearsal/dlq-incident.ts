import { setTimeout as realSleep } from "node:timers/promises";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Pool } from "mysql2/promise";
import { createDlqService, type DlqService } from "../../api/admin/dlq-service";
import { createMessagingService } from "../../api/messaging-service";
import { createSqsMessageQueue } from "../../api/sqs-message-queue";
import { readEnv, type SmsimEnv } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { createJsonLogger } from "../../domain/logger";
import { RECIPIENTS_PER_MESSAGE } from "../../domain/message-body";
import { createSqsClient, readQueueDepth } from "../../domain/sqs-client";
import { loadPipelineConfig, type PipelineConfig, type QueueConfig } from "../../infra/pipeline-config";
import { MINUTE_MS } from "../alarms/metric-store";
import { createSlackNotifier, type SlackNotificationRecord } from "../alarms/slack-notifier";
import type { EventSourceMapping } from "../esm/event-source-mapping";
import { createLocalConsumer, storeConnectionsOf } from "../esm/local-consumer";
import { throwIfInterrupted } from "../live/interruption";
import { type LiveCarrier, startLiveCarrier } from "../live/live-carrier";
import { createRunQueues, queueTotal } from "../live/live-queues";
import { resolveLiveTarget } from "../live/live-target";
import { createRunDatabase } from "../live/run-database";
import { newRunId, registerRun } from "../live/run-registry";
import type { RealQueueSettings } from "../live/time-scale";
import { createMinuteSampler, queueReadingOf } from "../run/minute-sampler";
import { RehearsalError } from "./errors";

/**
 * The template with settings short enough for a rehearsal: retries every 2 s instead of 120 s,
 * and a one-minute alarm period, so minutes can be compressed (see SAMPLE_EVERY_MS).
 */
export const REHEARSAL_OVERRIDES = {
  "MessagingQueue.VisibilityTimeout": 2,
  "MessagingLambda.Timeout": 2,
  "MessagingLambda.Environment.Variables.CARRIER_TIMEOUT_MS": "500",
  "DLQAlarm.Period": 60,
} as const;

/** Real ms per alarm minute: CloudWatch's minutes pass every 2 real seconds, 30 times faster. */
const SAMPLE_EVERY_MS = 2_000;
export const REHEARSAL_TIME_SCALE = MINUTE_MS / SAMPLE_EVERY_MS;
const POLL_MS = 500;
const WAIT_LIMIT_MS = 90_000;
const MAX_RECIPIENTS = 100_000;
const PEEK = 3;

export interface DlqIncidentOptions {
  recipients: number;
  /** Waits for the operator before acting; without it the rehearsal runs through. */
  prompt?: (question: string, signal?: AbortSignal) => Promise<void>;
  log: (line: string) => void;
  /** Where the services are; default readEnv() (the local stack is brought up when SQS_ENDPOINT is unset). */
  env?: SmsimEnv;
  /** Default SLACK_WEBHOOK_URL; without one, notifications are only recorded. */
  slackWebhookUrl?: string;
  /** Keep the rehearsal's database and queues for inspection. */
  keep?: boolean;
  /** Stops the rehearsal at its next step or wait (RunInterruptedError); its resources are removed. */
  signal?: AbortSignal;
}

export interface RehearsalStep {
  step: number;
  title: string;
  detail: string;
}

export interface DlqIncidentResult {
  passed: boolean;
  steps: RehearsalStep[];
  /** When the DLQ alarm went to ALARM: the compressed alarm minute and real seconds into the rehearsal. */
  alarmAt: { minute: number; realSeconds: number };
  notification: SlackNotificationRecord;
  /** The DLQ before the redrive: messages and a peek at a few. */
  dlqBeforeRedrive: {
    messages: number;
    peeked: { logId: number | null; chunkId: number | null; userIds: number[]; lastFailure: string | null }[];
  };
  /** Recipients with a SENT result, and the carrier's duplicate SMS (same recipient, same content). */
  delivered: number;
  duplicates: number;
  /** Messages left on the queue and the DLQ at the end. */
  left: { queue: number; dlq: number };
}

/**
 * The DLQ incident, rehearsed on the live stack with production code: a campaign meets a carrier
 * outage, its messages retry into the DLQ, the DLQ alarm posts to Slack, and the operator inspects
 * the DLQ, brings the carrier back and redrives with the ops console's DlqService. Passes when every
 * recipient was delivered exactly once and nothing is left on either queue.
 */
export async function rehearseDlqIncident(options: DlqIncidentOptions): Promise<DlqIncidentResult> {
  const { recipients, log } = options;
  if (!Number.isInteger(recipients) || recipients < 1 || recipients > MAX_RECIPIENTS) {
    throw new ValidationError("recipients", recipients, `expected an integer 1-${MAX_RECIPIENTS}`);
  }
  const started = Date.now();
  const steps: RehearsalStep[] = [];
  const say = (title: string, detail = "") => {
    const step = { step: steps.length + 1, title, detail };
    steps.push(step);
    log(`${step.step}. ${title}${detail ? `: ${detail}` : ""}`);
  };
  const note = (line: string) => log(`   ${line}`);
  const pipeline = loadPipelineConfig({ overrides: REHEARSAL_OVERRIDES });
  const runId = newRunId("rh");
  // Undone last: until its resources are gone, `smsim services prune` leaves the rehearsal alone.
  const cleanups: (() => Promise<unknown> | unknown)[] = [registerRun(runId)];
  const checkpoint = () => throwIfInterrupted(options.signal, `the rehearsal (after step ${steps.length})`);

  try {
    // 1. The stack
    const env = await resolveLiveTarget(options.env ?? readEnv(), note);
    const client = createSqsClient(env);
    cleanups.push(() => client.destroy());
    const queues = await createRunQueues(client, pipeline, realQueues(pipeline), runId);
    if (!options.keep) cleanups.push(() => queues.dispose());
    checkpoint();
    const db = await createRunDatabase({
      mysqlUrl: env.mysqlUrl,
      runId,
      users: { count: recipients, invalidRate: 0 },
      seed: 1,
      connections: storeConnectionsOf(pipeline),
    });
    cleanups.push(() => db.dispose(options.keep ?? false));
    checkpoint();
    const carrier = await startLiveCarrier({ baseUrl: env.carrierBaseUrl, seed: 1 });
    cleanups.push(() => carrier.close());
    checkpoint();
    await carrier.configure({ latencyMs: { dist: "fixed", value: 20 }, outages: [] });
    const consumer = await createLocalConsumer({
      client,
      queueUrl: queues.queueUrl,
      pipeline,
      pool: db.pool,
      carrier: { baseUrl: carrier.baseUrl },
      pollWaitSeconds: 1,
    });
    cleanups.push(() => consumer.close());
    checkpoint();
    say(
      "services up",
      `SQS ${env.sqsEndpoint ?? "AWS"}, database ${db.url}, carrier ${carrier.baseUrl}; visibility ` +
        `${pipeline.queue.visibilityTimeoutSeconds} s, DLQ after ${pipeline.queue.maxReceiveCount} receives`,
    );

    // 2. The campaign. The consumer starts with the outage, so the whole campaign is dead-lettered.
    const service = createMessagingService({
      pool: db.pool,
      queue: createSqsMessageQueue(client, queues.queueUrl),
      logger: createJsonLogger({ level: "silent" }),
    });
    const campaign = await service.sendBulkMessage({
      requestedBy: "cli:rehearsal",
      name: "dlq-incident rehearsal",
      content: `[smsim] rehearsal ${runId}`,
      userIds: Array.from({ length: recipients }, (_, i) => i + 1),
    });
    const messages = Math.ceil(recipients / RECIPIENTS_PER_MESSAGE);
    checkpoint();
    say(
      `campaign of ${recipients} recipients sent`,
      `logId ${campaign.logId}, ${campaign.queuedCount} recipients queued in ${messages} messages`,
    );

    // 3. The outage
    await carrier.configure({ outages: [{ startInMs: 0, durationMs: 24 * 3600_000 }] });
    consumer.esm.start();
    say(
      "carrier DOWN",
      `every bulk call answers 503; the consumer starts: ${pipeline.queue.maxReceiveCount} receives a message, then the DLQ`,
    );

    // 4. The alarm, on compressed minutes
    const alarms = startAlarms({
      client,
      queueUrl: queues.queueUrl,
      dlqUrl: queues.dlqUrl,
      pipeline,
      esm: consumer.esm,
      carrier,
      sent: messages,
      webhookUrl: options.slackWebhookUrl ?? env.slackWebhookUrl,
    });
    cleanups.push(() => alarms.stop());
    const failure = () => {
      checkpoint();
      return alarms.failure();
    };
    const notifier = alarms.notifier;
    note(
      `time is compressed ${REHEARSAL_TIME_SCALE}x for the alarm: one CloudWatch minute every ` +
        `${SAMPLE_EVERY_MS / 1000} real s (DLQAlarm period ${pipeline.alarms.find(isDlqAlarm)?.periodSeconds} s)`,
    );
    note("waiting for the alarm...");
    const notification = await waitFor("the DLQ alarm's Slack notification", failure, async () =>
      notifier.notifications.find((n) => n.state === "ALARM" && n.alarm === DLQ_ALARM),
    );
    await notifier.flush();
    const alarmAt = {
      minute: Math.round((notification.atMs - alarms.startMs) / MINUTE_MS),
      realSeconds: Math.round((Date.now() - started) / 1000),
    };
    const delivery =
      notification.delivery === "not-configured" ? "recorded (no SLACK_WEBHOOK_URL)" : notification.delivery;
    say(
      `ALARM at alarm minute ${alarmAt.minute} (compressed; ${alarmAt.realSeconds} s into the rehearsal)`,
      `Slack notification ${delivery}: ${notification.text}`,
    );

    // 5. Inspect, once every message has been dead-lettered
    const dlq = createDlqService({ client, queueUrl: queues.queueUrl, dlqUrl: queues.dlqUrl, pool: db.pool });
    await waitFor("every message to reach the DLQ", failure, async () => {
      const [queue, dead] = await Promise.all([readQueueDepth(client, queues.queueUrl), dlq.depth()]);
      return queueTotal(queue) === 0 && consumer.esm.stats().inFlight === 0 && dead.visible >= messages;
    });
    const inspected = await dlq.inspect(PEEK);
    const dlqBeforeRedrive = {
      messages: queueTotal(inspected.depth),
      peeked: inspected.messages.map(({ logId, chunkId, userIds, failures }) => {
        const last = failures.at(-1);
        const lastFailure = last ? `${last.code} (${failures.length}x): ${last.detail}` : null;
        return { logId, chunkId, userIds, lastFailure };
      }),
    };
    say("inspect", `DLQ ${dlq.dlqName} holds ${dlqBeforeRedrive.messages} messages`);
    for (const m of dlqBeforeRedrive.peeked) {
      note(
        `logId ${m.logId}, chunkId ${m.chunkId}, userIds ${m.userIds.join(",")}; why: ${m.lastFailure ?? "-"}`,
      );
    }

    // 6. The carrier back
    await options.prompt?.("press Enter to bring the carrier back", options.signal);
    checkpoint();
    await carrier.configure({ outages: [] });
    say("carrier back UP");

    // 7. The redrive, as the ops console and `smsim dlq redrive` start it
    await options.prompt?.("press Enter to redrive the DLQ", options.signal);
    checkpoint();
    const { taskHandle } = await dlq.startRedrive();
    say("redrive started", `task ${taskHandle}`);
    await waitForRedrive(dlq, taskHandle, note, failure);
    await waitFor("the queue to drain", failure, async () => {
      const [queue, dead] = await Promise.all([readQueueDepth(client, queues.queueUrl), dlq.depth()]);
      return queueTotal(queue) + queueTotal(dead) === 0 && consumer.esm.stats().inFlight === 0;
    });

    // 8. Verification
    await consumer.esm.stop();
    const [delivered, { stats }, queue, dead] = await Promise.all([
      countSent(db.pool, campaign.logId),
      carrier.stats(),
      readQueueDepth(client, queues.queueUrl),
      dlq.depth(),
    ]);
    const duplicates = stats.duplicateDeliveriesByContent;
    const left = { queue: queueTotal(queue), dlq: queueTotal(dead) };
    const passed = delivered === recipients && duplicates === 0 && left.queue === 0 && left.dlq === 0;
    say(
      "verification",
      `${delivered}/${recipients} delivered exactly once, ${duplicates} duplicates, ` +
        `${left.dlq} left on the DLQ, ${left.queue} on the queue -> ${passed ? "PASS" : "FAIL"}`,
    );
    return { passed, steps, alarmAt, notification, dlqBeforeRedrive, delivered, duplicates, left };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup failed: ${(error as Error).message}`);
      }
    }
    if (options.keep) log(`rehearsal ${runId}: database and queues kept for inspection`);
  }
}

const DLQ_ALARM = "messaging-dlq-alarm";
const isDlqAlarm = (alarm: PipelineConfig["alarms"][number]) => alarm.name === DLQ_ALARM;

function realQueues(pipeline: PipelineConfig): { queue: RealQueueSettings; dlq: RealQueueSettings } {
  // Short polls keep every wait (and the consumer's stop) within a second.
  const real = (q: QueueConfig): RealQueueSettings => ({
    visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
    retentionSeconds: q.retentionSeconds,
    delaySeconds: q.delaySeconds,
    receiveWaitSeconds: 1,
  });
  return { queue: real(pipeline.queue), dlq: real(pipeline.dlq) };
}

interface AlarmOptions {
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  pipeline: PipelineConfig;
  esm: EventSourceMapping;
  carrier: LiveCarrier;
  /** Messages the producer put on the queue. */
  sent: number;
  webhookUrl: string | undefined;
}

/**
 * The template's alarms, evaluated by the minute sampler both engines use, fed a reading of the
 * real queues every SAMPLE_EVERY_MS as one alarm minute.
 */
function startAlarms(options: AlarmOptions) {
  const { client, queueUrl, dlqUrl, pipeline, esm, carrier } = options;
  const notifier = createSlackNotifier({ webhookUrl: options.webhookUrl });
  const startMs = Date.now();
  const sampler = createMinuteSampler({
    pipeline,
    startMs,
    durationMs: 60 * MINUTE_MS,
    carrierLimitPerSecond: null,
    notifier,
  });
  // Nothing but a peek receives from the DLQ: the most it ever held is what was moved into it.
  let dlqSent = 0;
  let failure: Error | null = null;
  let running = true;
  const readMinute = async (minute: number) => {
    const [source, dlq, { stats }] = await Promise.all([
      readQueueDepth(client, queueUrl),
      readQueueDepth(client, dlqUrl),
      carrier.stats(),
    ]);
    dlqSent = Math.max(dlqSent, queueTotal(dlq));
    const counts = esm.stats();
    sampler.sample(minute, {
      source: queueReadingOf(source, {
        sent: options.sent,
        received: counts.recordsReceived,
        deleted: counts.recordsDeleted,
        emptyReceives: 0,
      }),
      dlq: queueReadingOf(dlq, { sent: dlqSent, received: 0, deleted: 0, emptyReceives: 0 }),
      carrier: stats,
      lambdaConcurrencyMax: counts.inFlight,
    });
  };
  const loop = (async () => {
    for (let minute = 0; running; minute++) {
      await realSleep(SAMPLE_EVERY_MS);
      if (!running) break;
      try {
        await readMinute(minute);
      } catch (error) {
        failure = error as Error;
        return;
      }
    }
  })();
  return {
    notifier,
    startMs,
    failure: () => failure,
    async stop() {
      running = false;
      await loop;
      await notifier.flush();
    },
  };
}

/** Polls `check` until it gives a value, failing when the alarm loop failed or after WAIT_LIMIT_MS. */
async function waitFor<T>(
  what: string,
  failure: () => Error | null,
  check: () => Promise<T | undefined | false>,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const error = failure();
    if (error) throw error;
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > WAIT_LIMIT_MS)
      throw new RehearsalError(`gave up after ${WAIT_LIMIT_MS / 1000} s waiting for ${what}`);
    await realSleep(POLL_MS);
  }
}

/** Follows a move task to its end, printing its progress when it changes. */
async function waitForRedrive(
  dlq: DlqService,
  taskHandle: string,
  note: (line: string) => void,
  failure: () => Error | null,
): Promise<void> {
  let last = "";
  await waitFor("the redrive to complete", failure, async () => {
    const tasks = await dlq.redriveTasks();
    const task = tasks.find((t) => t.taskHandle === taskHandle) ?? tasks[0];
    if (task === undefined) return false;
    const progress = `${task.status}: ${task.moved} moved${task.toMove ? ` of ${task.toMove}` : ""}`;
    if (progress !== last) note(progress);
    last = progress;
    if (task.status === "FAILED")
      throw new RehearsalError(`redrive ${taskHandle} failed: ${task.failureReason}`);
    return task.status === "COMPLETED";
  });
}

async function countSent(pool: Pool, logId: number): Promise<number> {
  const [rows] = await pool.query(
    "SELECT COUNT(*) AS n FROM messaging_result WHERE log_id = ? AND status = 'SENT'",
    [logId],
  );
  return Number((rows as { n: number | string }[])[0]?.n ?? 0);
}
