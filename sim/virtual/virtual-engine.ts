import { createBatchSender } from "../../api/batch-sender";
import type { MessageQueuePort } from "../../api/ports";
import { createJsonLogger } from "../../domain/logger";
import { encodeMessageBody, RECIPIENTS_PER_MESSAGE } from "../../domain/message-body";
import { createMessagingHandler } from "../../handler/create-messaging-handler";
import { createCarrierModel } from "../../provider-mock/model";
import { createRandom } from "../../provider-mock/random";
import type { RunSummary, RunTimeline } from "../../reports/summary";
import { MINUTE_MS } from "../alarms/metric-store";
import { createSlackNotifier } from "../alarms/slack-notifier";
import { createEventSourceMapping, esmConfigOf } from "../esm/event-source-mapping";
import { buildRunSummary, type CampaignFacts } from "../run/build-summary";
import { createCampaignWindows, largestSends } from "../run/campaign-windows";
import { handlerSettingsOf } from "../run/handler-settings";
import { createMinuteSampler, type QueueReading } from "../run/minute-sampler";
import { RUN_METRICS } from "../run/run-metrics";
import { expandTraffic, type SendRequest } from "../scenario/expand-traffic";
import type { Scenario } from "../scenario/load-scenario";
import { createMetricRegistry } from "../thresholds/metric-registry";
import { createTemplateLambdaModel } from "./lambda-model";
import { createMemoryDeliveryStore } from "./memory-delivery-store";
import { recipientAccounting } from "./recipient-accounting";
import { createVirtualScheduler } from "./scheduler";
import {
  createVirtualQueuePair,
  createVirtualQueuePort,
  createVirtualVisibilityPort,
} from "./sqs-queue-model";
import { syntheticPhone } from "./synthetic-phones";
import { withQueryCost } from "./timed-delivery-store";
import { createUserRanges } from "./user-ranges";
import { createVirtualCarrier } from "./virtual-carrier";

/** Scenario day 0, 00:00 UTC, a Monday: where virtual time starts. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 5);
const REGION = "us-east-1";
const ACCOUNT = "000000000000";
/** A body the handler cannot parse, for scenarios that enqueue poison messages. */
export const POISON_BODY = '{"v":1,"logId":"not-a-number","note":"poison message"}';

export interface RunProgress {
  scenarioMs: number;
  durationMs: number;
  recipientsRequested: number;
  recipientsDone: number;
}

export interface RunOptions {
  slackWebhookUrl?: string;
  onProgress?: (progress: RunProgress) => void;
}

export interface RunResult {
  summary: RunSummary;
  timeline: RunTimeline;
}

/**
 * Runs a scenario in virtual time: the production handler and the shared event source mapping
 * emulator, over models of SQS, Lambda and the carrier, with no service and no real waiting.
 * The same seed gives the same summary, wall-clock fields aside.
 */
export async function runVirtualScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const wallStart = performance.now();
  const { pipeline } = scenario;
  const startMs = VIRTUAL_EPOCH_MS;
  const endMs = startMs + scenario.durationMs;
  const random = createRandom(scenario.seed);
  const scheduler = createVirtualScheduler({ startMs });
  const clock = scheduler.clock;
  const metrics = createMetricRegistry();
  const latency = metrics.trend(RUN_METRICS.deliveryLatencySeconds);

  const accounting = recipientAccounting();
  const { queue, dlq } = createVirtualQueuePair(pipeline, clock, {
    onExpired: (body) => accounting.expired(body, clock.now()),
    onDeadLettered: (body) => accounting.deadLettered(body, clock.now()),
  });
  const arn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
  const queueArn = arn(pipeline.queue.name);

  const carrierModel = createCarrierModel(
    {
      ...scenario.carrier,
      outages: scenario.carrier.outages.map((o) => ({ startInMs: o.startMs, durationMs: o.durationMs })),
    },
    { seed: scenario.seed, now: clock.now },
  );
  const deliveries = createMemoryDeliveryStore({
    phoneOf: (userId) => syntheticPhone(userId, scenario.seed, scenario.users),
    onResult: (logId, result) => accounting.resulted(logId, result.userId, clock.now(), latency),
  });
  accounting.bind(deliveries);

  const handler = createMessagingHandler({
    carrier: createVirtualCarrier(
      carrierModel,
      clock,
      pipeline.lambda.carrierTimeoutMs,
      scenario.stack.carrierRoundTripMs,
    ),
    store: withQueryCost(deliveries.store, clock, scenario.stack.storeQueryMs),
    visibility: createVirtualVisibilityPort(new Map([[queueArn, queue]])),
    clock,
    settings: handlerSettingsOf(pipeline.lambda),
    logger: createJsonLogger({ level: "silent" }),
  });
  const lambda = createTemplateLambdaModel(pipeline.lambda, {
    handler: (event, context) => handler(event, context),
    clock,
    random: random.fork("lambda"),
    region: REGION,
  });
  let minuteConcurrencyMax = 0;
  // Shared by the campaign windows; two followed campaigns rarely drain at once.
  let stepConcurrencyMax = 0;
  const esm = createEventSourceMapping({
    queue: createVirtualQueuePort(queue, { arn: queueArn, region: REGION }),
    fn: lambda,
    clock,
    config: esmConfigOf(pipeline),
    backoff: scenario.esm,
    onInvocation: (event) => {
      minuteConcurrencyMax = Math.max(minuteConcurrencyMax, event.concurrency);
      stepConcurrencyMax = Math.max(stepConcurrencyMax, event.concurrency);
    },
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
  const reading = (q: typeof queue): QueueReading => {
    const a = q.attributes();
    const c = q.counters();
    return {
      visible: a.ApproximateNumberOfMessages,
      notVisible: a.ApproximateNumberOfMessagesNotVisible,
      delayed: a.ApproximateNumberOfMessagesDelayed,
      // NumberOfMessagesSent leaves out messages the redrive policy moved in (sqs-metrics.ts).
      sent: c.sent,
      received: c.received,
      deleted: c.deleted,
      emptyReceives: c.emptyReceives,
      ageOfOldest: q.ageOfOldestMessageSeconds() ?? undefined,
    };
  };
  // One sampling event at a time (each schedules the next) keeps the event heap small.
  const sampleMinute = (minute: number) => {
    const stats = carrierModel.stats();
    sampler.sample(minute, {
      source: reading(queue),
      dlq: reading(dlq),
      carrier: stats,
      lambdaConcurrencyMax: Math.max(minuteConcurrencyMax, esm.stats().inFlight),
    });
    minuteConcurrencyMax = 0;
    options.onProgress?.({
      scenarioMs: clock.now() - startMs,
      durationMs: scenario.durationMs,
      recipientsRequested: accounting.requested(),
      recipientsDone: accounting.done(),
    });
    if (minute + 1 < sampler.minutes) clock.after(MINUTE_MS, () => sampleMinute(minute + 1));
  };
  clock.after(MINUTE_MS, () => sampleMinute(0));

  const windows = createCampaignWindows({
    follow: largestSends(expandTraffic(scenario)),
    startMs,
    endMs,
    now: clock.now,
    after: clock.after,
    read: () => {
      const { rateLimited, accepted } = carrierModel.stats();
      const reading = {
        queueVisible: queue.attributes().ApproximateNumberOfMessages,
        queueInFlight: queue.attributes().ApproximateNumberOfMessagesNotVisible,
        dlqDepth: dlq.attributes().ApproximateNumberOfMessages,
        carrierAccepted: accepted,
        carrierRateLimited: rateLimited,
        lambdaThrottles: lambda.stats().throttles,
        lambdaConcurrencyMax: Math.max(stepConcurrencyMax, esm.stats().inFlight),
      };
      stepConcurrencyMax = 0;
      return reading;
    },
    isOpen: accounting.isOpen,
    carrierLimitPerSecond: scenario.carrier.rateLimit.requestsPerSecond,
  });

  // Producer: each send of the scenario's traffic becomes a campaign, enqueued as the admin API does.
  const producerQueue: MessageQueuePort = {
    async sendBatch(entries) {
      // A refused request throws; the sender counts its entries as failed, as it does for SQS.
      const { failed } = queue.sendBatch(entries);
      return {
        failedIds: failed.map((f) => f.id),
        rejectedIds: failed.filter((f) => f.senderFault).map((f) => f.id),
      };
    },
  };
  const campaigns = new Map<string, CampaignFacts>();
  let nextLogId = 1;
  const userRanges = createUserRanges(scenario.users.count);
  const enqueue = async (send: SendRequest) => {
    const logId = nextLogId++;
    const firstUserId = userRanges.next(send.recipients);
    deliveries.openCampaign(logId, firstUserId, send.recipients);
    accounting.opened(logId, send, clock.now());
    // logIds count sends from 1 in traffic order.
    windows.sent(logId - 1, logId, send);
    const facts = campaigns.get(send.trafficName);
    if (facts) facts.recipients += send.recipients;
    else campaigns.set(send.trafficName, accounting.campaignFacts(send, clock.now()));
    const sender = createBatchSender({
      queue: producerQueue,
      clock,
      concurrency: 1,
      maxAttempts: 1,
      retryBaseDelayMs: 0,
      logId,
    });
    const content = `[smsim] ${send.trafficName}`;
    for (let chunkId = 0, offset = 0; offset < send.recipients; chunkId++, offset += RECIPIENTS_PER_MESSAGE) {
      const count = Math.min(RECIPIENTS_PER_MESSAGE, send.recipients - offset);
      const userIds = Array.from({ length: count }, (_, i) => firstUserId + offset + i);
      const body = encodeMessageBody({ v: 1, logId, chunkId, userIds, content });
      await sender.add({ id: String(chunkId), body, recipients: count });
    }
    for (let i = 0; i < send.malformed; i++) queue.send(POISON_BODY);
    await sender.finish();
  };
  const traffic = expandTraffic(scenario);
  const scheduleNext = () => {
    const next = traffic.next();
    if (next.done) return;
    const send = next.value;
    scheduler.at(startMs + send.atMs, () => {
      void enqueue(send);
      scheduleNext();
    });
  };
  scheduleNext();

  esm.start();
  // The run is a snapshot at the scenario's end: work still in flight then counts as pending.
  await scheduler.run(endMs);
  await notifier.flush();
  sampler.recordCarrierPeaks(carrierModel.acceptedPerSecond());

  const carrier = carrierModel.stats();
  const lambdaStats = lambda.stats();
  const sourceCounters = queue.counters();
  const dlqCounters = dlq.counters();
  const recipients = accounting.settle(queue.bodies(), dlq.bodies(), clock.now());
  for (const [name, facts] of campaigns) {
    Object.assign(facts, accounting.dlqFacts(name));
    facts.drainMs = accounting.drainMs(name, clock.now());
  }
  const summary = buildRunSummary({
    scenario,
    engine: "virtual",
    startMs,
    scenarioMs: scenario.durationMs,
    wallMs: performance.now() - wallStart,
    recipients,
    carrier: {
      requests: carrier.requests,
      accepted: carrier.accepted,
      rateLimited: carrier.rateLimited,
      transientErrors: carrier.transientErrors + carrier.outageErrors + carrier.resets,
      timeouts: carrier.timeouts,
      maxAcceptedRequestsPerSecond: carrier.maxAcceptedRequestsPerSecond,
      duplicateDeliveries: carrier.duplicateDeliveriesByContent,
    },
    queue: {
      sent: sourceCounters.sent,
      received: sourceCounters.received,
      deleted: sourceCounters.deleted,
      movedToDlq: sourceCounters.movedToDlq,
      maxApproximateReceiveCount: Math.max(
        sourceCounters.maxReceiveCountSeen,
        dlqCounters.maxReceiveCountSeen,
      ),
    },
    lambda: {
      invocations: lambdaStats.invocations,
      errors: lambdaStats.errors + lambdaStats.timeouts,
      throttles: lambdaStats.throttles,
      maxConcurrent: lambdaStats.maxConcurrent,
      gbSeconds: lambdaStats.gbSeconds,
    },
    esm: esm.stats(),
    dlqMessages:
      dlq.attributes().ApproximateNumberOfMessages + dlq.attributes().ApproximateNumberOfMessagesNotVisible,
    campaigns: [...campaigns.values()],
    sqsRequests: sourceCounters.requests + dlqCounters.requests,
    evaluator: sampler.evaluator,
    firstAlarms: sampler.firstAlarms(),
    notifier,
    metrics,
  });
  return { summary, timeline: { ...sampler.timeline, campaigns: windows.windows() } };
}
