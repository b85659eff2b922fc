import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { FastifyInstance } from "fastify";
import type { RowDataPacket } from "mysql2/promise";
import { createMessagingService, type SendBulkMessageInput } from "../../../api/messaging-service";
import type { MessageQueuePort } from "../../../api/ports";
import { createSqsMessageQueue } from "../../../api/sqs-message-queue";
import { type QueueDepth, readQueueDepth } from "../../../domain/sqs-client";
import { type ElasticMq, startElasticMq } from "../../../infra/local/elasticmq";
import { isAlive } from "../../../infra/local/process";
import type { TemplateOverrides } from "../../../infra/pipeline-config";
import type { CarrierModelConfig } from "../../../provider-mock/config";
import type { CarrierStats } from "../../../provider-mock/model";
import type { RequestSummary } from "../../../provider-mock/request-log";
import { createCarrierServer } from "../../../provider-mock/server";
import { startTestElasticMq, type TestElasticMq } from "../../support/elasticmq";
import { createTestDatabase, type TestDatabase } from "../../support/test-database";

export interface PipelineStackOptions {
  /** Names the test database. */
  label: string;
  /** Keep ElasticMQ's messages in a data file, so `restartQueue` finds them (as SQS would). */
  durableQueue?: boolean;
  /** Another MariaDB than the machine's, e.g. a private one the test restarts. */
  mysqlServer?: string;
  /** Template overrides, for the queues ElasticMQ creates and the consumer's settings alike. */
  overrides?: TemplateOverrides;
  carrier?: {
    model?: CarrierModelConfig;
    seed?: number;
    /** Runs before the carrier listens: the only time Fastify takes hooks. */
    beforeListen?: (app: FastifyInstance) => void;
  };
}

export interface DlqMessage {
  messageId: string;
  body: string;
  /** As the drain's receive reported it: receives in the source queue plus this one. */
  approximateReceiveCount: string;
}

export interface ResultRow {
  userId: number;
  status: "SENT" | "FAILED";
  errorCode: string | null;
}

export interface PipelineStack {
  mq: TestElasticMq;
  db: TestDatabase;
  carrierUrl: string;
  carrierStats(): Promise<CarrierStats>;
  /** The carrier's log of recent requests (its last 1,000), newest first. */
  carrierRequests(): Promise<RequestSummary[]>;
  /** The producer (api/messaging-service) on the real queue; `wrap` decorates its queue port. */
  enqueue(
    input: SendBulkMessageInput,
    wrap?: (queue: MessageQueuePort) => MessageQueuePort,
  ): Promise<{ logId: number; queuedCount: number; failedCount: number }>;
  depth(queueUrl: string): Promise<QueueDepth>;
  /** Every message on the DLQ, each received once (they stay hidden afterwards); deletes nothing. */
  drainDlq(): Promise<DlqMessage[]>;
  results(logId: number): Promise<ResultRow[]>;
  /** SIGKILLs ElasticMQ and starts it again on the same port (and data, with durableQueue). */
  restartQueue(options?: { downMs?: number }): Promise<void>;
  /** Stops everything that started, even after a failed start; safe to call twice. */
  stop(): Promise<void>;
}

/** Long enough that no DLQ message shows up twice while one drain runs. */
const DLQ_DRAIN_VISIBILITY_SECONDS = 600;

/**
 * One test file's own pipeline on loopback: a fresh MariaDB database, an ElasticMQ with the
 * template's queues (after `overrides`) and the mock carrier over HTTP, each on a free port.
 */
export async function startPipelineStack(options: PipelineStackOptions): Promise<PipelineStack> {
  const carrier = createCarrierServer({ model: options.carrier?.model, seed: options.carrier?.seed ?? 1 });
  options.carrier?.beforeListen?.(carrier);
  const dataDir = options.durableQueue ? await mkdtemp(join(tmpdir(), "smsim-e2e-queue-")) : undefined;
  const started = await Promise.allSettled([
    startTestElasticMq(options.overrides, { dataDir }),
    createTestDatabase(`e2e_${options.label}`, options.mysqlServer),
    carrier.listen({ port: 0, host: "127.0.0.1" }),
  ]);
  const [mqStart, dbStart, carrierStart] = started;
  /** The ElasticMQ that restartQueue started last, on the first one's port. */
  let restarted: ElasticMq | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= settleAll([
      mqStart.status === "fulfilled" ? mqStart.value.stop() : undefined,
      restarted?.stop(),
      dbStart.status === "fulfilled" ? dbStart.value.drop() : undefined,
      carrier.close(),
    ]).finally(() => (dataDir ? rm(dataDir, { recursive: true, force: true }) : undefined));
    return stopping;
  };
  if (mqStart.status === "rejected" || dbStart.status === "rejected" || carrierStart.status === "rejected") {
    await stop();
    throw started.find((s): s is PromiseRejectedResult => s.status === "rejected")?.reason;
  }
  const mq = mqStart.value;
  const db = dbStart.value;

  return {
    mq,
    db,
    carrierUrl: carrierStart.value,
    async carrierStats() {
      const response = await carrier.inject({ method: "GET", url: "/__admin/stats" });
      return (response.json() as { stats: CarrierStats }).stats;
    },
    async carrierRequests() {
      const response = await carrier.inject({ method: "GET", url: "/__admin/requests?limit=100000" });
      return (response.json() as { requests: RequestSummary[] }).requests;
    },
    async enqueue(input, wrap = (queue) => queue) {
      const service = createMessagingService({
        pool: db.pool,
        queue: wrap(createSqsMessageQueue(mq.client, mq.queueUrl)),
      });
      return service.sendBulkMessage(input);
    },
    depth: (queueUrl) => readQueueDepth(mq.client, queueUrl),
    async drainDlq() {
      const messages: DlqMessage[] = [];
      for (;;) {
        const { Messages = [] } = await mq.client.send(
          new ReceiveMessageCommand({
            QueueUrl: mq.dlqUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            VisibilityTimeout: DLQ_DRAIN_VISIBILITY_SECONDS,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
        );
        if (Messages.length === 0) return messages;
        for (const m of Messages) {
          messages.push({
            messageId: m.MessageId ?? "",
            body: m.Body ?? "",
            approximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "",
          });
        }
      }
    },
    async results(logId) {
      const [rows] = await db.pool.query<RowDataPacket[]>(
        "SELECT user_id, status, error_code FROM messaging_result WHERE log_id = ?",
        [logId],
      );
      return rows.map((r) => ({ userId: Number(r.user_id), status: r.status, errorCode: r.error_code }));
    },
    async restartQueue({ downMs = 1_000 } = {}) {
      const pid = restarted?.pid ?? mq.pid;
      process.kill(pid, "SIGKILL");
      while (isAlive(pid)) await sleep(20);
      await sleep(downMs);
      restarted = await startElasticMq({ config: mq.config, port: mq.port, dataDir });
    },
    stop,
  };
}

async function settleAll(stops: (Promise<unknown> | undefined)[]): Promise<void> {
  const failure = (await Promise.allSettled(stops)).find((s) => s.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
}
