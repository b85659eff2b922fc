/**
 * The live stack's throughput, on fresh resources: the raw ElasticMQ ceiling for
 * 10-recipient messages, the producer alone, and the pipeline end to end (the producer plus the
 * production handler under the ESM emulator, on MariaDB, with the mock carrier at zero latency and no
 * rate limit), with the pipeline's ratio to the ceiling and the CPU each process used in each phase.
 *
 *   npx tsx bench/live-stack.bench.ts                          # 1,000,000 recipients
 *   npx tsx bench/live-stack.bench.ts --recipients 100000 --concurrency 12
 *   npx tsx bench/live-stack.bench.ts --max-concurrency 20   # the pipeline above the template's 5
 *   npx tsx bench/live-stack.bench.ts --max-concurrency 20 --rounds 3   # medians of three rounds
 *   npx tsx bench/live-stack.bench.ts --max-concurrency 20 --threads 2  # the handler on 2 threads
 *
 * On a small shared machine one round's ratio moves by several points from run to run (two
 * unchanged 300,000-recipient runs gave 47.7% and 53.1%), so the targets are read against the
 * median of --rounds rounds, each measuring its ceiling right before its pipeline.
 *
 * The ceiling is SendMessageBatch loops for every message, then ReceiveMessage + DeleteMessageBatch
 * loops until all are deleted, each with --concurrency calls in flight; its combined figure is
 * 10 x messages / (send seconds + receive-and-delete seconds): what one queue can move through both
 * ends in a given time, the harmonic combination of the two rates.
 *
 * "Handler alone" delivers the producer-alone campaign again with the production handler invoked
 * directly (bench/handler-alone.ts): the work the pipeline adds to the ceiling's. From it comes the
 * bound: the share of the ceiling the pipeline could reach if it kept every core busy, its queue
 * work cost no more than the ceiling's loops and its handler no more than alone. The "bench"
 * process is the ceiling's loops, the producer, and in that phase the handler.
 */
import { randomBytes } from "node:crypto";
import { availableParallelism, cpus, totalmem } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { createMessagingService } from "../api/messaging-service";
import { createSqsMessageQueue } from "../api/sqs-message-queue";
import { migrate } from "../domain/db/migrate";
import { createMysqlPool, dropDatabase, ensureDatabase } from "../domain/db/mysql";
import { ENV_VARIABLES, readEnv } from "../domain/env";
import { ValidationError } from "../domain/errors";
import { encodeMessageBody, RECIPIENTS_PER_MESSAGE } from "../domain/message-body";
import { createSqsClient, readQueueDepth } from "../domain/sqs-client";
import { startElasticMq } from "../infra/local/elasticmq";
import { loadPipelineConfig, overridesFromFlags, type PipelineConfig } from "../infra/pipeline-config";
import { storeConnectionsOf } from "../sim/esm/local-consumer";
import { seedUsers } from "../sim/seed/seed-users";
import { median } from "../sim/sweep/point-figures";
import { deliverWithHandlerAlone } from "./handler-alone";
import { cpuMeter, createCleanup, loads, mariadbPid, SMSIM, startChild } from "./live-processes";

const MYSQL_SERVER = process.env.BENCH_MYSQL_SERVER ?? "mysql://root@127.0.0.1:3306";
/** About 200 bytes of v1 body with ten 6-7 digit user IDs, as a campaign's messages are. */
const CONTENT = "[smsim] live-stack bench: your order has shipped and will arrive tomorrow";
const POLL_MS = 250;
const RECEIVE_WAIT_S = 1;
/** The consumer must be up and polling before the first send, so its start-up is not timed. */
const CONSUMER_WARMUP_MS = 5000;
const WARM_UP_RECIPIENTS = 200_000;
/** The event source mapping's ReceiveMessage WaitTimeSeconds (20), plus a margin. */
const CONSUMER_POLL_WAIT_MS = 21_000;
const TARGETS = { ratio: 0.6, pipelineSecondsPerMillion: 90, producerSecondsPerMillion: 30 };

const log = (line: string) => process.stderr.write(`live-stack bench: ${line}\n`);

interface Phase {
  name: string;
  recipients: number;
  seconds: number;
  cpuCores: Record<string, number | null>;
  loadAtEnd: string;
}

function wholeFlag(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new ValidationError(`--${flag}`, raw, "expected a whole number >= 1");
  return n;
}

const perSecond = (p: Phase) => p.recipients / p.seconds;

/** Runs `body` with a CPU meter over the named processes; the phase is timed by `body` itself. */
async function phase(
  name: string,
  pids: ReadonlyMap<string, number>,
  body: () => Promise<{ recipients: number; seconds: number }>,
): Promise<Phase> {
  log(`${name}: starting (load ${loads()})`);
  const cpu = cpuMeter(pids);
  const { recipients, seconds } = await body();
  const result = { name, recipients, seconds, cpuCores: cpu.cores(), loadAtEnd: loads() };
  log(`${name}: ${recipients} recipients in ${seconds.toFixed(1)} s (${Math.round(perSecond(result))}/s)`);
  return result;
}

/** `loops` concurrent copies of `work`; resolves with the seconds they took. */
async function inLoops(loops: number, work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: loops }, work));
  return (performance.now() - started) / 1000;
}

async function sendAll(
  client: SQSClient,
  queueUrl: string,
  messages: number,
  loops: number,
): Promise<number> {
  let next = 0;
  return inLoops(loops, async () => {
    while (next < messages) {
      const first = next;
      next = Math.min(messages, next + 10);
      const entries = [];
      for (let chunkId = first; chunkId < next; chunkId++) {
        const userIds = Array.from({ length: RECIPIENTS_PER_MESSAGE }, (_, i) => chunkId * 10 + i + 1);
        const body = encodeMessageBody({ v: 1, logId: 1, chunkId, userIds, content: CONTENT });
        entries.push({ Id: String(chunkId - first), MessageBody: body });
      }
      const result = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if ((result.Failed ?? []).length > 0)
        throw new Error(`SendMessageBatch failed ${result.Failed?.length} entries`);
    }
  });
}

async function receiveAll(
  client: SQSClient,
  queueUrl: string,
  messages: number,
  loops: number,
): Promise<number> {
  let deleted = 0;
  return inLoops(loops, async () => {
    while (deleted < messages) {
      const received = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: RECEIVE_WAIT_S,
        }),
      );
      const batch = received.Messages ?? [];
      if (batch.length === 0) continue;
      const result = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      deleted += result.Successful?.length ?? 0;
    }
  });
}

async function purge(client: SQSClient, queueUrl: string): Promise<void> {
  await client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  for (;;) {
    const d = await readQueueDepth(client, queueUrl);
    if (d.visible + d.inFlight + d.delayed === 0) return;
    await sleep(POLL_MS);
  }
}

async function resultsOf(pool: Pool, logId: number): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT sent_count + failed_count AS done FROM messaging_log WHERE id = ?",
    [logId],
  );
  return Number(rows[0]?.done ?? 0);
}

interface Round {
  send: Phase;
  receive: Phase;
  producer: Phase;
  pipeline: Phase;
  handler: Phase;
  ceiling: number;
  ratio: number;
  /** The most the pipeline could reach of the ceiling, from the ceiling's CPU and the handler's alone. */
  bound: number;
  enqueueSeconds: number;
}

interface Stack {
  pool: Pool;
  client: SQSClient;
  mq: Awaited<ReturnType<typeof startElasticMq>>;
  mysqlUrl: string;
  carrierUrl: string;
  /** The consumer's --threads. */
  threads: number;
  /** The template with the bench's --set overrides, as the consumer reads it. */
  pipeline: PipelineConfig;
  sets: string[];
  /** The handler-alone phase's pool, sized as the consumer's. */
  handlerPool: Pool;
  pids: Map<string, number>;
  cleanup: ReturnType<typeof createCleanup>;
}

/** One round on the same stack, one phase after the other: the ceiling, the producer alone, the pipeline, the handler alone. */
async function measureRound(stack: Stack, round: number, recipients: number, loops: number): Promise<Round> {
  const { pool, client, mq, pids, sets } = stack;
  const messages = Math.ceil(recipients / RECIPIENTS_PER_MESSAGE);
  const send = await phase("ceiling: send", pids, async () => ({
    recipients,
    seconds: await sendAll(client, mq.queueUrl, messages, loops),
  }));
  const receive = await phase("ceiling: receive + delete", pids, async () => ({
    recipients,
    seconds: await receiveAll(client, mq.queueUrl, messages, loops),
  }));
  await purge(client, mq.queueUrl);

  const messaging = createMessagingService({ pool, queue: createSqsMessageQueue(client, mq.queueUrl) });
  const campaign = {
    requestedBy: "bench",
    content: CONTENT,
    audience: { kind: "range", from: 1, to: recipients },
  } as const;
  let producerLogId = 0;
  const producer = await phase("producer alone", pids, async () => {
    const started = performance.now();
    const result = await messaging.sendBulkMessage({ ...campaign, name: `producer alone ${round}` });
    if (result.queuedCount !== recipients) throw new Error(`producer queued ${result.queuedCount}`);
    producerLogId = result.logId;
    return { recipients, seconds: (performance.now() - started) / 1000 };
  });
  await purge(client, mq.queueUrl);

  const consumer = startChild(
    "consumer",
    [
      SMSIM,
      "consume",
      "--log-level",
      "error",
      `--threads=${stack.threads}`,
      ...sets.map((s) => `--set=${s}`),
    ],
    {
      [ENV_VARIABLES.sqsEndpoint]: mq.endpoint,
      [ENV_VARIABLES.queueUrl]: mq.queueUrl,
      [ENV_VARIABLES.dlqUrl]: mq.dlqUrl,
      [ENV_VARIABLES.mysqlUrl]: stack.mysqlUrl,
      [ENV_VARIABLES.carrierBaseUrl]: stack.carrierUrl,
    },
  );
  stack.cleanup.add("stop the consumer", () => consumer.stop());
  pids.set("consumer", consumer.pid);
  await sleep(CONSUMER_WARMUP_MS);
  let enqueueSeconds = 0;
  const pipeline = await phase("pipeline end to end", pids, async () => {
    const started = performance.now();
    const { logId, done } = await messaging.startBulkMessage({ ...campaign, name: `pipeline ${round}` });
    const enqueued = done.then(() => {
      enqueueSeconds = (performance.now() - started) / 1000;
    });
    // Awaited once drained; a rejection before then must not go unhandled.
    enqueued.catch(() => undefined);
    for (;;) {
      const exitedEarly = await Promise.race([
        consumer.exited.then(() => true),
        sleep(POLL_MS).then(() => false),
      ]);
      if (exitedEarly) throw new Error("the consumer exited before the campaign drained");
      if ((await resultsOf(pool, logId)) >= recipients) {
        const depth = await readQueueDepth(client, mq.queueUrl);
        if (depth.visible + depth.inFlight + depth.delayed === 0) break;
      }
    }
    await enqueued;
    return { recipients, seconds: (performance.now() - started) / 1000 };
  });
  await consumer.stop();
  pids.delete("consumer");

  // After the pipeline, so its tables are the size they were before this phase existed.
  const handler = await phase("handler alone", pids, async () => {
    const seconds = await deliverWithHandlerAlone({
      pipeline: stack.pipeline,
      pool: stack.handlerPool,
      carrierUrl: stack.carrierUrl,
      client,
      queueUrl: mq.queueUrl,
      logId: producerLogId,
      recipients,
      content: CONTENT,
    });
    if ((await resultsOf(pool, producerLogId)) !== recipients)
      throw new Error("handler alone: results missing");
    return { recipients, seconds };
  });

  const ceiling = recipients / (send.seconds + receive.seconds);
  const ratio = perSecond(pipeline) / ceiling;
  // CPU-seconds per recipient, every process on the machine: the pipeline needs at least both.
  const cpuPerRecipient = (p: Phase) => ((p.cpuCores.machine ?? 0) * p.seconds) / recipients;
  const atBest =
    availableParallelism() / (cpuPerRecipient(send) + cpuPerRecipient(receive) + cpuPerRecipient(handler));
  const bound = atBest / ceiling;
  log(`round ${round}: pipeline / ceiling ${(ratio * 100).toFixed(1)}% (bound ${(bound * 100).toFixed(1)}%)`);
  return { send, receive, producer, pipeline, handler, ceiling, ratio, bound, enqueueSeconds };
}

async function measure(
  recipients: number,
  loops: number,
  maxConcurrency: number | null,
  rounds: number,
  threads: number,
): Promise<void> {
  const cleanup = createCleanup(log);
  try {
    log(
      `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ` +
        `${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Node ${process.versions.node}; load ${loads()}`,
    );
    const mysqlUrl = `${MYSQL_SERVER}/smsim_bench_live_${randomBytes(4).toString("hex")}`;
    await ensureDatabase(mysqlUrl);
    cleanup.add("drop database", () => dropDatabase(mysqlUrl));
    const pool = createMysqlPool(mysqlUrl, { connectionLimit: 4 });
    cleanup.add("close MySQL pool", () => pool.end());
    await migrate(pool);
    const seedStarted = performance.now();
    await seedUsers(pool, { count: recipients, invalidRate: 0 });
    log(`seeded ${recipients} users in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    // The template's MaximumConcurrency (5) unless --max-concurrency raises it (with the function's
    // reserved concurrency, which would otherwise throttle the extra batches).
    const sets =
      maxConcurrency === null
        ? []
        : [
            `LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency=${maxConcurrency}`,
            `MessagingLambda.ReservedConcurrentExecutions=${maxConcurrency}`,
          ];
    const pipeline = loadPipelineConfig({ overrides: overridesFromFlags(sets) });
    const mq = await startElasticMq({ config: pipeline });
    cleanup.add("stop ElasticMQ", () => mq.stop());
    const client = createSqsClient(readEnv({ [ENV_VARIABLES.sqsEndpoint]: mq.endpoint }));
    cleanup.add("destroy the SQS client", async () => client.destroy());
    const carrier = startChild("carrier", [SMSIM, "carrier", "--port", "0", "--latency-ms", "0"], {});
    cleanup.add("stop the mock carrier", () => carrier.stop());
    const carrierUrl = /https?:\/\/\S+/.exec(await carrier.ready)?.[0] ?? "";
    const pids = new Map([
      ["elasticmq", mq.pid],
      ["bench", process.pid],
      ["carrier", carrier.pid],
    ]);
    const mariadb = await mariadbPid(pool);
    if (mariadb !== null) pids.set("mariadb (shared)", mariadb);
    const handlerPool = createMysqlPool(mysqlUrl, { connectionLimit: storeConnectionsOf(pipeline) });
    cleanup.add("close the handler's MySQL pool", () => handlerPool.end());
    const stack: Stack = {
      threads,
      pool,
      client,
      mq,
      mysqlUrl,
      carrierUrl,
      pipeline,
      sets,
      handlerPool,
      pids,
      cleanup,
    };

    // ElasticMQ's JVM is still compiling its hot paths during the first sends, which would
    // understate round 1's ceiling and flatter its ratio (26,825-31,081 recipients/s warm against
    // 24,552 cold in the runs of 2026-12-05): one unmeasured pass through both ends first.
    const warmUpMessages = Math.ceil(Math.min(recipients, WARM_UP_RECIPIENTS) / RECIPIENTS_PER_MESSAGE);
    log(`warming ElasticMQ up with ${warmUpMessages} messages (not measured)`);
    await sendAll(client, mq.queueUrl, warmUpMessages, loops);
    await receiveAll(client, mq.queueUrl, warmUpMessages, loops);
    await purge(client, mq.queueUrl);
    // Each round measures the ceiling next to its pipeline, so a busier minute weighs on both.
    const results: Round[] = [];
    for (let round = 1; round <= rounds; round++) {
      // A stopped consumer's long polls stay open in ElasticMQ, which would hand the next round's
      // messages to them and hide them for the visibility timeout: let those polls expire first.
      if (round > 1) await sleep(CONSUMER_POLL_WAIT_MS);
      results.push(await measureRound(stack, round, recipients, loops));
    }
    process.stdout.write(`${JSON.stringify({ recipients, loops, rounds: results }, null, 2)}\n\n`);
    process.stdout.write(report(results, recipients, loops));
  } finally {
    await cleanup.runAll();
  }
}

/** Markdown: each round's phases and CPU, then the medians the targets are read against. */
function report(rounds: readonly Round[], recipients: number, loops: number): string {
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const cell = (n: number | null | undefined) => (n === null || n === undefined ? "-" : n.toFixed(2));
  const names = Object.keys(rounds[0]?.pipeline.cpuCores ?? {});
  const millions = 1_000_000 / recipients;
  const lines = [
    `${fmt(recipients)} recipients (${fmt(recipients / RECIPIENTS_PER_MESSAGE)} messages), ` +
      `${loops} loops for the ceiling, ${rounds.length} round(s)\n`,
    `| round | phase | seconds | recipients/s | load at end (1/5/15 min) | ${names.join(" | ")} |`,
    `|---:|---|---:|---:|---|${names.map(() => "---:").join("|")}|`,
  ];
  for (const [i, r] of rounds.entries()) {
    for (const p of [r.send, r.receive, r.producer, r.pipeline, r.handler]) {
      lines.push(
        `| ${i + 1} | ${p.name} | ${p.seconds.toFixed(1)} | ${fmt(perSecond(p))} | ${p.loadAtEnd} | ` +
          `${names.map((n) => cell(p.cpuCores[n])).join(" | ")} |`,
      );
    }
    lines.push(
      `| ${i + 1} | ceiling: combined (send + receive time) | ` +
        `${(r.send.seconds + r.receive.seconds).toFixed(1)} | ${fmt(r.ceiling)} | | ${names.map(() => "").join(" | ")} |`,
    );
  }
  const ratios = rounds.map((r) => r.ratio);
  const ratio = median(ratios);
  const pipelineSeconds = median(rounds.map((r) => r.pipeline.seconds)) * millions;
  const producerSeconds = median(rounds.map((r) => r.producer.seconds)) * millions;
  const spread = (values: number[]) =>
    `${(Math.min(...values) * 100).toFixed(1)}-${(Math.max(...values) * 100).toFixed(1)}%`;
  const bounds = rounds.map((r) => r.bound);
  lines.push(
    "",
    `pipeline / ceiling, median of ${rounds.length}: ${(ratio * 100).toFixed(1)}% (rounds ${spread(ratios)}; ` +
      `target ${TARGETS.ratio * 100}%); pipeline's producer finished enqueueing after ` +
      `${median(rounds.map((r) => r.enqueueSeconds)).toFixed(1)} s (median)`,
    `bound from the ceiling's CPU plus the handler's alone, on ${availableParallelism()} busy cores: ` +
      `${(median(bounds) * 100).toFixed(1)}% (rounds ${spread(bounds)})`,
    `per 1,000,000 recipients, medians: pipeline ${pipelineSeconds.toFixed(0)} s (target ` +
      `${TARGETS.pipelineSecondsPerMillion}), producer alone ${producerSeconds.toFixed(1)} s ` +
      `(target ${TARGETS.producerSecondsPerMillion})`,
    "",
    ...cpuSecondsTable(rounds, names, millions),
  );
  return lines.join("\n");
}

/**
 * CPU-seconds per 1,000,000 recipients by process, medians over rounds: what each part of the
 * pipeline costs against the ceiling, steadier across machines and days than seconds.
 */
function cpuSecondsTable(rounds: readonly Round[], names: readonly string[], millions: number): string[] {
  const cpuSeconds = (p: Phase, name: string) => (p.cpuCores[name] ?? 0) * p.seconds * millions;
  const columns = [
    (r: Round, name: string) => cpuSeconds(r.send, name) + cpuSeconds(r.receive, name),
    (r: Round, name: string) => cpuSeconds(r.pipeline, name),
    (r: Round, name: string) => cpuSeconds(r.handler, name),
  ];
  /** One row: per column, the median over rounds of the CPU-seconds of the named processes. */
  const row = (label: string, processes: readonly string[]) =>
    `| ${label} | ${columns
      .map((of) => median(rounds.map((r) => processes.reduce((total, n) => total + of(r, n), 0))).toFixed(1))
      .join(" | ")} |`;
  const processes = names.filter((n) => n !== "machine");
  return [
    "CPU-seconds per 1,000,000 recipients, medians (the machine's row counts every process on it):",
    "",
    "| process | ceiling (send + receive) | pipeline | handler alone |",
    "|---|---:|---:|---:|",
    ...processes.map((n) => row(n, [n])),
    row("these processes", processes),
    row("machine", ["machine"]),
    "",
  ];
}

const { values } = parseArgs({
  options: {
    recipients: { type: "string", default: "1000000" },
    concurrency: { type: "string", default: "12" },
    "max-concurrency": { type: "string" },
    rounds: { type: "string", default: "1" },
    threads: { type: "string", default: "1" },
  },
});
const maxConcurrency = values["max-concurrency"];
await measure(
  wholeFlag("recipients", values.recipients),
  wholeFlag("concurrency", values.concurrency),
  maxConcurrency === undefined ? null : wholeFlag("max-concurrency", maxConcurrency),
  wholeFlag("rounds", values.rounds),
  wholeFlag("threads", values.threads),
);
