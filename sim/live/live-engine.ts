import { setTimeout as realSleep } from "node:timers/promises";
import { createSqsMessageQueue } from "../../api/sqs-message-queue";
import { readEnv, type SmsimEnv } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { createJsonLogger } from "../../domain/logger";
import { createSqsClient, readQueueDepth } from "../../domain/sqs-client";
import { createHttpCarrierClient } from "../../handler/carrier/http-carrier-client";
import { createMessagingHandler } from "../../handler/create-messaging-handler";
import { createMysqlDeliveryStore } from "../../handler/mysql-delivery-store";
import { createSqsVisibility } from "../../handler/sqs-visibility";
import type { CarrierStats } from "../../provider-mock/model";
import { createRandom } from "../../provider-mock/random";
import { MINUTE_MS } from "../alarms/metric-store";
import { createSlackNotifier } from "../alarms/slack-notifier";
import { createEventSourceMapping, type EsmStats, esmConfigOf } from "../esm/event-source-mapping";
import { callsInFlightOf, storeConnectionsOf } from "../esm/local-consumer";
import { createSqsQueuePort } from "../esm/sqs-queue-port";
import { createAbortWatch } from "../run/abort-on-fail";
import { buildRunSummary } from "../run/build-summary";
import { handlerSettingsOf } from "../run/handler-settings";
import { createMinuteSampler, type MinuteReading, queueReadingOf } from "../run/minute-sampler";
import { RUN_METRICS } from "../run/run-metrics";
import type { Scenario } from "../scenario/load-scenario";
import { createMetricRegistry } from "../thresholds/metric-registry";
import { createTemplateLambdaModel } from "../virtual/lambda-model";
import type { RunOptions, RunResult } from "../virtual/virtual-engine";
import { throwIfInterrupted, whenAborted } from "./interruption";
import { settleLiveRun } from "./live-accounting";
import { startLiveCarrier } from "./live-carrier";
import { createLiveClock, requireTimeScale } from "./live-clock";
import { createLiveProducer } from "./live-producer";
import { createRunQueues, givenRunQueues, queueTotal, readBodies } from "./live-queues";
import { resolveLiveTarget } from "./live-target";
import { createMessageTracker } from "./message-tracker";
import {
  checkRemoteFunction,
  createRemoteFunction,
  type InvokeMode,
  type RemoteFunction,
} from "./remote-function";
import { countResults, createRunDatabase, readLogs, readResults } from "./run-database";
import { newRunId, registerRun } from "./run-registry";
import { carrierOutages, realTimeSettings, scaledCarrier, scaledVisibility } from "./time-scale";

export interface LiveRunOptions extends RunOptions {
  /** Scenario seconds per real second (--time-scale); default 1. */
  timeScale?: number;
  /** Where the services are; default readEnv(). */
  env?: SmsimEnv;
  /** Set-up lines and warnings; default stderr. */
  log?: (line: string) => void;
  /** Keep the run's database and queues for inspection. */
  keepResources?: boolean;
  /** How the mapping invokes the function: in this process (default) or through the Lambda Invoke API. */
  invoke?: InvokeMode;
  /** With invoke "lambda": an Invoke API endpoint or "aws"; unset hosts dist/lambda/handler.zip. */
  lambdaEndpoint?: string;
  /**
   * Stops the run (the CLI aborts it on SIGINT and SIGTERM): no further send starts, in-flight
   * invocations finish, and the summary covers the time run so far, marked interrupted. Aborted
   * during set-up, the run throws RunInterruptedError. Either way its resources are removed.
   */
  signal?: AbortSignal;
}

/** How often the engine looks for an idle gap to skip, in real ms. */
const IDLE_CHECK_MS = 200;
/** Gaps shorter than this (scenario ms) are waited out rather than skipped. */
const MIN_SKIP_MS = 1_000;
/** Lateness (real ms) past which the run says the stack is behind its schedule. */
const LATE_WARNING_MS = 1_000;

/**
 * Runs a scenario on the real stack: its own queues on SQS (ElasticMQ or AWS), its own MySQL
 * database seeded with the scenario's users, the mock carrier over HTTP configured through its
 * admin API, traffic through MessagingService, and the production handler in the Lambda model
 * under the shared ESM emulator. Busy periods run in real time (or `timeScale` times faster);
 * when nothing is queued, in flight or due, the scenario clock jumps to the next send. Counts come
 * from MySQL, the DLQ, queue attributes and the carrier's /__admin/stats; the summary, alarms and
 * thresholds are built by the same code as the virtual engine's.
 */
export async function runLiveScenario(scenario: Scenario, options: LiveRunOptions = {}): Promise<RunResult> {
  const wallStart = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`live: ${line}\n`));
  const timeScale = requireTimeScale(options.timeScale ?? 1);
  if (options.invoke === "lambda" && timeScale !== 1) {
    throw new ValidationError(
      "--time-scale",
      timeScale,
      "must be 1 with --invoke lambda: the function runs in wall time",
    );
  }
  const { signal } = options;
  const env = await resolveLiveTarget(options.env ?? readEnv(), log);
  // A function the run does not host must work with the run's services: checked before anything is made.
  const endpoint = options.invoke === "lambda" ? options.lambdaEndpoint : undefined;
  if (endpoint !== undefined)
    await checkRemoteFunction({ lambda: scenario.pipeline.lambda, endpoint, env, log });
  const { pipeline } = scenario;
  const real = realTimeSettings(scenario, timeScale);
  const runId = newRunId();
  const keep = options.keepResources ?? false;
  // Undone last: until its resources are gone, `smsim services prune` leaves the run alone.
  const cleanups: (() => Promise<unknown> | unknown)[] = [registerRun(runId)];
  // Set at the end, or when the run fails: background loops stop at their next turn.
  let finished = false;

  const client = createSqsClient(env);
  cleanups.push(() => client.destroy());
  try {
    const given = env.queueUrl !== undefined && env.dlqUrl !== undefined;
    const queues = given
      ? await givenRunQueues(client, { queueUrl: env.queueUrl as string, dlqUrl: env.dlqUrl as string })
      : await createRunQueues(client, pipeline, real, runId);
    if (given)
      log(
        `using the queues given by QUEUE_URL and DLQ_URL as deployed; the template's settings do not apply`,
      );
    if (!keep) cleanups.push(() => queues.dispose());
    throwIfInterrupted(signal, "the run's set-up");
    const callsInFlight = callsInFlightOf(pipeline);
    const db = await createRunDatabase({
      mysqlUrl: env.mysqlUrl,
      runId,
      users: scenario.users,
      seed: scenario.seed,
      connections: storeConnectionsOf(pipeline),
      given: endpoint !== undefined,
    });
    cleanups.push(() => db.dispose(keep));
    throwIfInterrupted(signal, "the run's set-up");
    const carrier = await startLiveCarrier({ baseUrl: env.carrierBaseUrl, seed: scenario.seed });
    cleanups.push(() => carrier.close());
    log(
      `run ${runId}: database ${db.url}, queues ${queues.queueUrl} ${queues.dlqUrl}, carrier ${carrier.baseUrl}`,
    );

    const startMs = Date.now();
    const endMs = startMs + scenario.durationMs;
    const clock = createLiveClock({ startMs, timeScale });
    cleanups.push(() => clock.close());
    const syncOutages = async () => {
      if (scenario.carrier.outages.length === 0) return;
      const outages = carrierOutages(scenario.carrier.outages, clock.now() - startMs, timeScale);
      await carrier.configure({ outages });
    };
    await carrier.configure({
      ...real.carrier,
      outages: carrierOutages(scenario.carrier.outages, 0, timeScale),
    });

    const metrics = createMetricRegistry();
    const queuePort = await createSqsQueuePort(client, queues.queueUrl);
    const tracker = createMessageTracker(queuePort, clock, pipeline.queue.visibilityTimeoutSeconds * 1000);
    const httpCarrier = createHttpCarrierClient({
      baseUrl: carrier.baseUrl,
      timeoutMs: real.carrierTimeoutMs,
      connections: callsInFlight,
    });
    cleanups.push(() => httpCarrier.close());
    const handler = createMessagingHandler({
      carrier: scaledCarrier(httpCarrier, timeScale),
      store: createMysqlDeliveryStore(db.pool, { clock }),
      visibility: tracker.visibility(
        scaledVisibility(createSqsVisibility({ client, queueUrl: queues.queueUrl }), timeScale),
      ),
      clock,
      settings: handlerSettingsOf(pipeline.lambda),
      logger: createJsonLogger({ level: "silent" }),
    });
    const lambda = createTemplateLambdaModel(pipeline.lambda, {
      handler: (event, context) => handler(event, context),
      clock,
      random: createRandom(scenario.seed).fork("lambda"),
      region: queuePort.region,
    });
    let remote: RemoteFunction | null = null;
    if (options.invoke === "lambda") {
      remote = await createRemoteFunction({
        lambda: pipeline.lambda,
        endpoint: options.lambdaEndpoint,
        services: { env, mysqlUrl: db.url, carrierBaseUrl: carrier.baseUrl, queueUrl: queues.queueUrl },
      });
      const { close } = remote;
      cleanups.push(close);
    }
    throwIfInterrupted(signal, "the run's set-up");
    let minuteConcurrencyMax = 0;
    const esm = createEventSourceMapping({
      queue: tracker.port,
      fn: remote?.port ?? lambda,
      clock,
      config: esmConfigOf(pipeline),
      backoff: scenario.esm,
      pollWaitSeconds: real.pollWaitSeconds,
      onInvocation: (event) => {
        minuteConcurrencyMax = Math.max(minuteConcurrencyMax, event.concurrency);
        remote?.observe(event);
      },
    });
    cleanups.push(() => esm.stop());

    let maxLateMs = 0;
    const late = (lateMs: number, what: string) => {
      const realLateMs = lateMs / timeScale;
      if (realLateMs > LATE_WARNING_MS && maxLateMs / timeScale <= LATE_WARNING_MS) {
        log(`warning: the stack is behind the schedule (${what} ${(lateMs / 1000).toFixed(1)} s late)`);
      }
      maxLateMs = Math.max(maxLateMs, lateMs);
    };
    const producer = createLiveProducer({
      scenario,
      clock,
      startMs,
      pool: db.pool,
      queue: createSqsMessageQueue(client, queues.queueUrl),
      onLate: (lateMs) => late(lateMs, "a send"),
      signal,
    });

    const notifier = createSlackNotifier({ webhookUrl: options.slackWebhookUrl });
    const sampler = createMinuteSampler({
      pipeline,
      startMs,
      durationMs: scenario.durationMs,
      carrierLimitPerSecond: scenario.carrier.rateLimit.requestsPerSecond,
      notifier,
      metricsResumeDelayMs: scenario.sqsMetrics.resumeDelay,
    });
    type Reading = Omit<MinuteReading, "lambdaConcurrencyMax"> & { carrier: CarrierStats };
    const readMinute = async (): Promise<Reading> => {
      const [source, dlq, { stats }] = await Promise.all([
        readQueueDepth(client, queues.queueUrl),
        readQueueDepth(client, queues.dlqUrl),
        carrier.stats(),
      ]);
      const counts = tracker.counts();
      return {
        source: queueReadingOf(source, {
          sent: producer.counts().messages,
          received: counts.received,
          deleted: counts.deleted,
          emptyReceives: counts.emptyReceives,
        }),
        // Nothing receives from the DLQ during a run: its depth is everything the redrive moved in.
        dlq: queueReadingOf(dlq, { sent: queueTotal(dlq), received: 0, deleted: 0, emptyReceives: 0 }),
        carrier: stats,
      };
    };

    // k6's abortOnFail: checked each scenario minute; a failing threshold ends the run there.
    const abortWatch = createAbortWatch(scenario, sampler.evaluator);
    let abortRun = () => {};
    const abortedRun = new Promise<void>((resolve) => {
      abortRun = resolve;
    });
    let aborted: { atMs: number; metric: string; expression: string; value: number } | null = null;
    // Synchronous, so a producer woken by the same clock jump sees the stop before it sends.
    const checkAbort = (atMs: number, reading: Reading) => {
      if (abortWatch === null || aborted !== null) return;
      const stats = reading.carrier;
      const lambdaNow = remote ? remoteLambdaStats(esm.stats(), remote) : lambda.stats();
      const abort = abortWatch.check(
        {
          carrier: {
            requests: stats.requests,
            rateLimited: stats.rateLimited,
            transientErrors: stats.transientErrors + stats.outageErrors + stats.resets,
            timeouts: stats.timeouts,
          },
          dlqMessages: reading.dlq.visible + reading.dlq.notVisible + reading.dlq.delayed,
          lambda: { ...lambdaNow, errors: lambdaNow.errors + lambdaNow.timeouts },
          slackNotifications: notifier.notifications.length,
        },
        atMs - startMs,
      );
      if (abort === null) return;
      aborted = { atMs, ...abort };
      log(
        `threshold ${abort.metric}: ${abort.expression} failed (measured ${abort.value}) with abortOnFail: the run stops`,
      );
      producer.stop();
      abortRun();
    };

    // The reading taken before a jump holds for every minute the jump skipped: nothing happened in them.
    const gaps: { fromMs: number; untilMs: number; reading: Reading }[] = [];

    const sampleMinutes = async () => {
      for (let minute = 0; minute < sampler.minutes; minute++) {
        const atMs = startMs + (minute + 1) * MINUTE_MS;
        if (atMs > endMs || finished) break;
        if (atMs > clock.now()) await Promise.race([clock.sleepUntil(atMs), whenAborted(signal)]);
        // An interrupted run's last minute is partial: it is not sampled.
        if (signal?.aborted) break;
        while (gaps.length > 0 && (gaps[0]?.untilMs ?? 0) < atMs) gaps.shift();
        const gap = gaps[0] !== undefined && gaps[0].fromMs < atMs ? gaps[0] : null;
        if (gap === null) late(clock.now() - atMs, "a minute's metrics");
        const reading = gap?.reading ?? (await readMinute());
        const inFlight = gap === null ? esm.stats().inFlight : 0;
        sampler.sample(minute, {
          ...reading,
          lambdaConcurrencyMax: Math.max(minuteConcurrencyMax, inFlight),
        });
        minuteConcurrencyMax = 0;
        checkAbort(atMs, reading);
        if (aborted !== null) break;
        if (options.onProgress && gap === null) {
          options.onProgress({
            scenarioMs: atMs - startMs,
            durationMs: scenario.durationMs,
            recipientsRequested: producer.requested(),
            recipientsDone: await countResults(db.pool),
          });
        }
      }
    };

    const busy = () => producer.busy() || esm.stats().inFlight > 0;
    const skipIdleGaps = async () => {
      while (!finished) {
        await realSleep(IDLE_CHECK_MS);
        const target = () => Math.min(producer.nextSendMs(), endMs);
        if (finished || busy() || target() - clock.now() < MIN_SKIP_MS) continue;
        if (queueTotal(await readQueueDepth(client, queues.queueUrl)) > 0 || busy()) continue;
        const reading = await readMinute();
        const { source } = reading;
        if (source.visible + source.notVisible + source.delayed > 0 || busy()) continue;
        const fromMs = clock.now();
        const untilMs = target();
        if (finished || untilMs - fromMs < MIN_SKIP_MS) continue;
        gaps.push({ fromMs, untilMs, reading });
        clock.jumpTo(untilMs);
        await syncOutages();
      }
    };

    esm.start();
    const background = [producer.run(), sampleMinutes(), skipIdleGaps()];
    // A failure in the background ends the run at once; their success waits for the end.
    const never = new Promise<never>(() => {});
    await Promise.race([
      clock.sleepUntil(endMs),
      whenAborted(signal),
      abortedRun,
      ...background.map((task) => task.then(() => never)),
    ]);
    finished = true;
    const interrupted = signal?.aborted === true;
    // An interrupted run is over where it stopped, an aborted one at the minute whose reading failed
    // the threshold: what is not done by then is pending.
    const abortedAtMs = (aborted as { atMs: number } | null)?.atMs;
    const stopMs = abortedAtMs ?? (interrupted ? Math.min(clock.now(), endMs) : endMs);
    if (interrupted) log(`interrupted at ${((stopMs - startMs) / 1000).toFixed(0)} s of scenario time`);
    await Promise.all(background);
    await esm.stop();
    await notifier.flush();
    if (maxLateMs / timeScale > LATE_WARNING_MS) {
      log(`warning: the stack fell behind the schedule by up to ${(maxLateMs / 1000).toFixed(1)} s`);
    }

    const { stats: carrierStats, acceptedPerSecond } = await carrier.stats();
    sampler.recordCarrierPeaks(
      acceptedPerSecond.map((s) => ({
        second: Math.floor(clock.scenarioAt(s.second * 1000) / 1000),
        requests: s.requests / timeScale,
      })),
    );
    const dlqMessages = queueTotal(await readQueueDepth(client, queues.dlqUrl));
    const dlqBodies = await readBodies(client, queues.dlqUrl, dlqMessages);
    const [logs, stored] = await Promise.all([readLogs(db.pool), readResults(db.pool)]);
    // A remote function stamps results in real time; the in-process one on the scenario clock.
    const results = remote ? stored.map((r) => ({ ...r, atMs: clock.scenarioAt(r.atMs) })) : stored;
    const queued = new Map(logs.map((l) => [l.logId, l.queuedCount]));
    const unsent = interrupted
      ? producer.campaigns().reduce((n, c) => n + Math.max(0, c.recipients - (queued.get(c.logId) ?? 0)), 0)
      : 0;
    const settled = settleLiveRun({
      unsent,
      campaigns: producer.campaigns(),
      logs,
      results,
      dlqBodies,
      sentBodies: producer.sentBodies(),
      isDeleted: tracker.isDeleted,
      visibleAgainAt: tracker.visibleAgainAt,
      retentionMs: pipeline.queue.retentionSeconds * 1000,
      endMs: stopMs,
      latency: metrics.trend(RUN_METRICS.deliveryLatencySeconds),
    });
    const counts = tracker.counts();
    const lambdaStats = remote ? remoteLambdaStats(esm.stats(), remote) : lambda.stats();
    const summary = buildRunSummary({
      scenario,
      engine: "live",
      startMs,
      scenarioMs: stopMs - startMs,
      wallMs: performance.now() - wallStart,
      recipients: settled.recipients,
      carrier: {
        requests: carrierStats.requests,
        accepted: carrierStats.accepted,
        rateLimited: carrierStats.rateLimited,
        transientErrors: carrierStats.transientErrors + carrierStats.outageErrors + carrierStats.resets,
        timeouts: carrierStats.timeouts,
        maxAcceptedRequestsPerSecond: carrierStats.maxAcceptedRequestsPerSecond / timeScale,
        duplicateDeliveries: carrierStats.duplicateDeliveriesByContent,
      },
      queue: {
        sent: producer.counts().messages,
        received: counts.received,
        deleted: counts.deleted,
        movedToDlq: dlqMessages,
        maxApproximateReceiveCount: counts.maxReceiveCount,
      },
      lambda: {
        invocations: lambdaStats.invocations,
        errors: lambdaStats.errors + lambdaStats.timeouts,
        throttles: lambdaStats.throttles,
        maxConcurrent: lambdaStats.maxConcurrent,
        gbSeconds: lambdaStats.gbSeconds,
      },
      esm: esm.stats(),
      dlqMessages,
      campaigns: settled.campaigns,
      sqsRequests: counts.requests + producer.counts().requests,
      evaluator: sampler.evaluator,
      firstAlarms: sampler.firstAlarms(),
      notifier,
      metrics,
    });
    if (aborted !== null) {
      const { atMs, ...by } = aborted as { atMs: number; metric: string; expression: string; value: number };
      summary.abortedBy = { ...by, atSeconds: (atMs - startMs) / 1000 };
    }
    return { summary: interrupted ? { ...summary, interrupted: true } : summary, timeline: sampler.timeline };
  } finally {
    finished = true;
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log(`cleanup failed: ${(error as Error).message}`);
      }
    }
    if (keep) log(`run ${runId}: database and queues kept for inspection`);
  }
}

/** A remote function's figures, as the mapping saw its invocations (a throttle never ran). */
function remoteLambdaStats(stats: EsmStats, remote: RemoteFunction) {
  return {
    invocations: stats.invocations,
    errors: stats.errors + stats.invalidResponses,
    timeouts: stats.timeouts,
    throttles: stats.throttled,
    maxConcurrent: stats.maxConcurrent,
    gbSeconds: remote.gbSeconds(),
  };
}
