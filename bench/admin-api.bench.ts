/**
 * Benchmark of the admin API while a 1,000,000-recipient campaign drains: autocannon reads
 * GET /campaigns/:id at a fixed rate while the API enqueues the campaign (in the background, as
 * POST /campaigns does) and the production handler consumes it under the ESM emulator, on real
 * MariaDB and ElasticMQ with the mock carrier at zero latency. The target (the issue): p99 under
 * 50 ms at 200 requests/s.
 *
 * Processes as deployed: this one only seeds, loads and measures; the admin API runs in a child
 * process of its own (this file with --serve), the consumer in another (`smsim consume`; with
 * `--consumer in-process`, on the API's event loop instead), the mock carrier in a third. Three
 * windows are measured: idle (a finished 10-recipient campaign, nothing else running), enqueueing
 * (until the campaign leaves QUEUEING) and draining (--duration seconds). Everything starts fresh
 * (a database of its own, an ElasticMQ on a free port) and is removed at the end.
 *
 *   npx tsx bench/admin-api.bench.ts                          # 1,000,000 users, 60 s of draining
 *   npx tsx bench/admin-api.bench.ts --consumer in-process
 *   npx tsx bench/admin-api.bench.ts --users 100000 --duration 20
 */
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { createAdminServer } from "../api/admin/admin-server";
import { parseAdminTokens } from "../api/admin/auth";
import { createWorkerMessagingService } from "../api/worker-messaging-service";
import { main as smsim } from "../cli/main";
import { migrate } from "../domain/db/migrate";
import { createMysqlPool, dropDatabase, ensureDatabase } from "../domain/db/mysql";
import { ENV_VARIABLES, readEnv, requireEnv } from "../domain/env";
import { ValidationError } from "../domain/errors";
import { createSqsClient } from "../domain/sqs-client";
import { startElasticMq } from "../infra/local/elasticmq";
import { loadPipelineConfig } from "../infra/pipeline-config";
import { seedUsers } from "../sim/seed/seed-users";
import { cpuMeter, createCleanup, loads, mariadbPid, SMSIM, startChild } from "./live-processes";

const MYSQL_SERVER = process.env.BENCH_MYSQL_SERVER ?? "mysql://root@127.0.0.1:3306";
const P99_TARGET_MS = 50;
const IDLE_WINDOW_S = 15;
const WARMUP_S = 5;
const ENQUEUE_POLL_MS = 250;
/** The enqueueing window ends when the campaign leaves QUEUEING; this only bounds a stuck run. */
const ENQUEUE_WINDOW_CAP_S = 3600;
/** What the API child prints, followed by its URL, once it listens. */
const READY_MARK = "ADMIN_API_URL ";

const CONSUMERS = ["child", "in-process"] as const;
type ConsumerMode = (typeof CONSUMERS)[number];

interface Settings {
  users: number;
  durationS: number;
  rate: number;
  connections: number;
  invalidRate: number;
  consumer: ConsumerMode;
}

interface Progress {
  /** performance.now() when read. */
  atMs: number;
  status: string;
  queued: number;
  /** Recipients with a final result (sent or failed). */
  done: number;
}

const log = (line: string) => process.stderr.write(`admin-api bench: ${line}\n`);

function settingsFrom(values: Record<string, string | boolean | undefined>): Settings {
  const whole = (flag: string) => {
    const raw = String(values[flag]);
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new ValidationError(`--${flag}`, raw, "expected a whole number >= 1");
    return n;
  };
  const invalidRate = Number(values["invalid-rate"]);
  if (!(invalidRate >= 0 && invalidRate <= 1))
    throw new ValidationError("--invalid-rate", values["invalid-rate"], "expected 0..1");
  const consumer = values.consumer as ConsumerMode;
  if (!CONSUMERS.includes(consumer))
    throw new ValidationError("--consumer", values.consumer, `expected ${CONSUMERS.join(" or ")}`);
  return {
    users: whole("users"),
    durationS: whole("duration"),
    rate: whole("rate"),
    connections: whole("connections"),
    invalidRate,
    consumer,
  };
}

/** The API child: the admin server as `smsim console` runs it, without rate limiting. */
async function serve(withConsumer: boolean): Promise<void> {
  const env = readEnv();
  const client = createSqsClient(env);
  const pool = createMysqlPool(env.mysqlUrl);
  const queueUrl = requireEnv(env, "queueUrl");
  const messaging = createWorkerMessagingService({ env, queueUrl, logLevel: "warn" });
  const app = await createAdminServer({
    pool,
    sqs: { client, queueUrl, dlqUrl: requireEnv(env, "dlqUrl") },
    messaging,
    tokens: parseAdminTokens(process.env.ADMIN_TOKENS ?? ""),
    rateLimit: false,
    // One log line per request at 200 a second would bury the report; warnings and errors still show.
    logger: { level: "warn", stream: process.stderr },
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  // `smsim consume` stops on the same SIGTERM as this server.
  const consumed = withConsumer ? smsim(["node", "smsim", "consume", "--log-level", "error"]) : null;
  process.stdout.write(`${READY_MARK}${url}\n`);
  await new Promise((done) => process.once("SIGTERM", done));
  await consumed;
  await app.close();
  await messaging.close();
  await pool.end();
  client.destroy();
}

async function readProgress(pool: Pool, logId: number): Promise<Progress> {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT status, queued_count, sent_count + failed_count AS done FROM messaging_log WHERE id = ?",
    [logId],
  );
  const row = rows[0];
  return {
    atMs: performance.now(),
    status: String(row?.status),
    queued: Number(row?.queued_count),
    done: Number(row?.done),
  };
}

async function until(progress: () => Promise<Progress>, done: (p: Progress) => boolean): Promise<Progress> {
  for (;;) {
    const now = await progress();
    if (done(now)) return now;
    await sleep(ENQUEUE_POLL_MS);
  }
}

interface Target {
  url: string;
  token: string;
  settings: Settings;
  progress(): Promise<Progress>;
}

interface WindowOptions extends Target {
  /** Processes whose CPU use is reported, by name. */
  pids: ReadonlyMap<string, number>;
  name: string;
  seconds: number;
  /** Ends the window early when it resolves. */
  endsWhen?: Promise<unknown>;
}

/**
 * GET at the settings' rate over their connections, as a viewer. Latencies are each answered
 * request's own: autocannon's correction for coordinated omission assumes 1 ms between a
 * connection's requests at any rate (Math.ceil(1 / requestsPerSecond)), so it would add a sample
 * for every millisecond of every slow answer. What the API could not keep up with shows instead
 * as answered requests short of the rate.
 */
function startLoad(target: Target, seconds: number) {
  return autocannon({
    url: target.url,
    headers: { authorization: `Bearer ${target.token}` },
    connections: target.settings.connections,
    overallRate: target.settings.rate,
    duration: seconds,
    ignoreCoordinatedOmission: true,
  });
}

type WindowReport = Awaited<ReturnType<typeof measureWindow>>;

/** One autocannon run against GET /campaigns/:id, with how far the campaign moved meanwhile. */
async function measureWindow(options: WindowOptions) {
  const { settings } = options;
  const loadAtStart = loads();
  const before = await options.progress();
  const cpu = cpuMeter(options.pids);
  const run = startLoad(options, options.seconds);
  options.endsWhen?.then(() => run.stop());
  const result = await run;
  const cpuCores = cpu.cores();
  const after = await options.progress();
  const seconds = (after.atMs - before.atMs) / 1000;
  const perSecond = (n: number) => Math.round(n / seconds);
  return {
    name: options.name,
    seconds: Math.round(seconds * 10) / 10,
    requests: {
      sent: result.requests.sent,
      atRate: Math.round(settings.rate * seconds),
      ok: result["2xx"],
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
    },
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    campaign: {
      queuedPerSecond: perSecond(after.queued - before.queued),
      resultsPerSecond: perSecond(after.done - before.done),
      before: { status: before.status, queued: before.queued, done: before.done },
      after: { status: after.status, queued: after.queued, done: after.done },
    },
    cpuCores,
    loadAverage: { atStart: loadAtStart, atEnd: loads() },
  };
}

function tableRow(w: WindowReport): string {
  const { latencyMs: l, requests: r, campaign: c } = w;
  return (
    `| ${w.name} | ${w.seconds} s | ${l.p50} | ${l.p90} | ${l.p99} | ${l.max} | ` +
    `${r.ok} / ${r.atRate} | ${r.errors + r.non2xx} | ${c.queuedPerSecond} | ${c.resultsPerSecond} | ` +
    `${w.loadAverage.atStart} → ${w.loadAverage.atEnd} | ${l.p99 < P99_TARGET_MS ? "met" : "missed"} |`
  );
}

async function measure(settings: Settings): Promise<void> {
  const cleanup = createCleanup(log);
  try {
    log(
      `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), ` +
        `${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Node ${process.versions.node}; load ${loads()}`,
    );
    const mysqlUrl = `${MYSQL_SERVER}/smsim_bench_admin_${randomBytes(4).toString("hex")}`;
    await ensureDatabase(mysqlUrl);
    cleanup.add("drop database", () => dropDatabase(mysqlUrl));
    const pool = createMysqlPool(mysqlUrl, { connectionLimit: 2 });
    cleanup.add("close MySQL pool", () => pool.end());
    await migrate(pool);
    const seedStarted = performance.now();
    const seeded = await seedUsers(pool, { count: settings.users, invalidRate: settings.invalidRate });
    log(
      `seeded ${seeded.rows} users (${seeded.invalid} invalid) in ` +
        `${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    const mq = await startElasticMq({ config: loadPipelineConfig() });
    cleanup.add("stop ElasticMQ", () => mq.stop());
    const carrier = startChild("carrier", [SMSIM, "carrier", "--port", "0", "--latency-ms", "0"], {});
    cleanup.add("stop the mock carrier", () => carrier.stop());
    const carrierUrl = /https?:\/\/\S+/.exec(await carrier.ready)?.[0] ?? "";

    const operator = `bench-operator:operator:${randomBytes(16).toString("hex")}`;
    const viewer = `bench-viewer:viewer:${randomBytes(16).toString("hex")}`;
    const env = {
      [ENV_VARIABLES.sqsEndpoint]: mq.endpoint,
      [ENV_VARIABLES.queueUrl]: mq.queueUrl,
      [ENV_VARIABLES.dlqUrl]: mq.dlqUrl,
      [ENV_VARIABLES.mysqlUrl]: mysqlUrl,
      [ENV_VARIABLES.carrierBaseUrl]: carrierUrl,
      ADMIN_TOKENS: `${operator},${viewer}`,
    };
    const serveArgs = ["--import", "tsx", import.meta.filename, "--serve", "--consumer", settings.consumer];
    const api = startChild("api", serveArgs, env, READY_MARK);
    cleanup.add("stop the admin API", () => api.stop());
    const pids = new Map([
      ["api", api.pid],
      ["load generator", process.pid],
      ["carrier", carrier.pid],
      ["elasticmq", mq.pid],
    ]);
    if (settings.consumer === "child") {
      const consumer = startChild("consumer", [SMSIM, "consume", "--log-level", "error"], env);
      cleanup.add("stop the consumer", () => consumer.stop());
      pids.set("consumer", consumer.pid);
    }
    const mariadb = await mariadbPid(pool);
    if (mariadb !== null) pids.set("mariadb (shared)", mariadb);
    const adminUrl = await api.ready;

    const launch = async (audience: unknown) => {
      const created = await fetch(`${adminUrl}/campaigns`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokenOf(operator)}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "admin-api bench", content: "[smsim] bench", audience }),
      });
      if (created.status !== 202) throw new Error(`POST /campaigns answered ${created.status}`);
      const { logId } = (await created.json()) as { logId: number };
      const progress = () => readProgress(pool, logId);
      return { url: `${adminUrl}/campaigns/${logId}`, token: tokenOf(viewer), settings, progress, pids };
    };

    const small = await launch({ kind: "range", from: 1, to: 10 });
    await until(small.progress, (p) => p.done === 10);
    log(`a 10-recipient campaign went through; measuring ${IDLE_WINDOW_S} s of idle`);
    // JIT and connection warm-up, not measured.
    await startLoad(small, WARMUP_S);
    const idle = await measureWindow({ ...small, name: "idle", seconds: IDLE_WINDOW_S });

    const large = await launch({ kind: "all" });
    log(`campaign of ${settings.users} accepted; measuring until it is enqueued`);
    const enqueueing = await measureWindow({
      ...large,
      name: "enqueueing",
      seconds: ENQUEUE_WINDOW_CAP_S,
      endsWhen: until(large.progress, (p) => p.status !== "QUEUEING"),
    });
    log(`enqueued after ${enqueueing.seconds} s; measuring ${settings.durationS} s of draining`);
    const draining = await measureWindow({ ...large, name: "draining", seconds: settings.durationS });

    process.stdout.write(
      `${JSON.stringify({ settings, windows: [idle, enqueueing, draining] }, null, 2)}\n\n`,
    );
    process.stdout.write(
      `GET /campaigns/:id at ${settings.rate} requests/s over ${settings.connections} connections, ` +
        `${settings.users} recipients, consumer ${settings.consumer}:\n\n` +
        "| window | length | p50 ms | p90 ms | p99 ms | max ms | answered / at rate | errors | queued/s | results/s | load (1/5/15 min) | p99 < 50 ms |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n" +
        `${[idle, enqueueing, draining].map(tableRow).join("\n")}\n\n` +
        `CPU used, in cores (of ${cpus().length}):\n\n${cpuTable([idle, enqueueing, draining])}\n`,
    );
  } finally {
    await cleanup.runAll();
  }
}

function cpuTable(windows: readonly WindowReport[]): string {
  const names = Object.keys(windows[0]?.cpuCores ?? {});
  const cell = (n: number | null | undefined) => (n === null || n === undefined ? "-" : n.toFixed(2));
  return (
    `| window | ${names.join(" | ")} |\n|---|${names.map(() => "---:").join("|")}|\n` +
    windows.map((w) => `| ${w.name} | ${names.map((n) => cell(w.cpuCores[n])).join(" | ")} |`).join("\n")
  );
}

/** The secret of a `name:role:token` entry. */
function tokenOf(entry: string): string {
  return entry.split(":").slice(2).join(":");
}

const { values } = parseArgs({
  options: {
    serve: { type: "boolean", default: false },
    users: { type: "string", default: "1000000" },
    duration: { type: "string", default: "60" },
    rate: { type: "string", default: "200" },
    connections: { type: "string", default: "10" },
    "invalid-rate": { type: "string", default: "0.03" },
    consumer: { type: "string", default: "child" },
  },
});
const settings = settingsFrom(values);
if (values.serve) await serve(settings.consumer === "in-process");
else await measure(settings);
