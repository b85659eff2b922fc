import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { migrate } from "../../domain/db/migrate";
import { createMysqlPool, ensureDatabase, parseMysqlUrl } from "../../domain/db/mysql";
import { LOCAL_SQS_REGION, type SmsimEnv } from "../../domain/env";
import { createSqsClient, resolveQueueUrls } from "../../domain/sqs-client";
import type { PipelineConfig } from "../pipeline-config";
import { ELASTICMQ_DATA_FILE, ELASTICMQ_MAIN_CLASS, startElasticMq } from "./elasticmq";
import { ensureMariaDb, MARIADB_DAEMON, mariaDbReachable } from "./mariadb";
import { cachePath } from "./paths";
import { commandLineOf, isAlive, stopProcess } from "./process";

/** Where `smsim services up` keeps pid files, ElasticMQ's config and its log. */
export const SERVICES_DIR = cachePath("services");
/** ElasticMQ's messages (an H2 file): they outlive `services down` and a crash, as on SQS. */
export const ELASTICMQ_DATA_DIR = join(SERVICES_DIR, "elasticmq-data");
export const LOCAL_SQS_ENDPOINT = "http://127.0.0.1:9324";
const ELASTICMQ_PORT = 9324;

const pidFiles = {
  elasticmq: join(SERVICES_DIR, "elasticmq.pid"),
  mariadb: join(SERVICES_DIR, "mariadb.pid"),
};

export interface ServicesOptions {
  env: SmsimEnv;
  config: PipelineConfig;
  log: (line: string) => void;
}

/**
 * MariaDB (started if stopped, the MYSQL_URL database migrated) and ElasticMQ on
 * 127.0.0.1:9324 in the background, its messages durable in ELASTICMQ_DATA_DIR. Idempotent: what already answers is left alone.
 */
export async function servicesUp({ env, config, log }: ServicesOptions): Promise<void> {
  const started = await ensureMariaDb(env.mysqlUrl, { pidFile: pidFiles.mariadb });
  log(`mariadb: ${started ? "started" : "already running"} (${mysqlEndpoint(env.mysqlUrl)})`);
  await ensureDatabase(env.mysqlUrl);
  const pool = createMysqlPool(env.mysqlUrl);
  try {
    const applied = await migrate(pool);
    log(`mariadb: ${applied.length ? `applied migrations ${applied.join(", ")}` : "schema up to date"}`);
  } finally {
    await pool.end();
  }

  if (await queuesAnswer(LOCAL_SQS_ENDPOINT, config)) {
    log(`elasticmq: already running (${LOCAL_SQS_ENDPOINT})`);
    return;
  }
  const server = await startElasticMq({
    config,
    port: ELASTICMQ_PORT,
    host: "127.0.0.1",
    background: { dir: SERVICES_DIR },
    dataDir: ELASTICMQ_DATA_DIR,
    log,
  });
  await writeFile(pidFiles.elasticmq, `${server.pid}\n`);
  log(`elasticmq: started (${server.endpoint}, pid ${server.pid}, log ${server.logFile})`);
  log(`elasticmq: messages kept in ${join(ELASTICMQ_DATA_DIR, `${ELASTICMQ_DATA_FILE}.mv.db`)}`);
}

/** Stops what `servicesUp` started (per its pid files); a MariaDB it found running stays up. */
export async function servicesDown({ log }: Pick<ServicesOptions, "log">): Promise<void> {
  log(`elasticmq: ${await stopRecorded(pidFiles.elasticmq, ELASTICMQ_MAIN_CLASS)}`);
  log(`mariadb: ${await stopRecorded(pidFiles.mariadb, MARIADB_DAEMON)}`);
}

export interface ServiceStatus {
  service: "mariadb" | "elasticmq";
  endpoint: string;
  up: boolean;
}

/** Whether each service the pipeline would use (per the environment) answers. */
export async function servicesStatus({
  env,
  config,
}: Omit<ServicesOptions, "log">): Promise<ServiceStatus[]> {
  const sqsEndpoint = env.sqsEndpoint ?? LOCAL_SQS_ENDPOINT;
  const [mariadb, elasticmq] = await Promise.all([
    mariaDbReachable(env.mysqlUrl),
    queuesAnswer(sqsEndpoint, config),
  ]);
  return [
    { service: "mariadb", endpoint: mysqlEndpoint(env.mysqlUrl), up: mariadb },
    { service: "elasticmq", endpoint: sqsEndpoint, up: elasticmq },
  ];
}

async function stopRecorded(pidFile: string, expectedCommand: string): Promise<string> {
  if (!existsSync(pidFile)) return "nothing to stop (not started by smsim services up)";
  const pid = Number((await readFile(pidFile, "utf8")).trim());
  await rm(pidFile, { force: true });
  // The pid may have been reused since: only stop the process the file was written for.
  if (!Number.isInteger(pid) || !isAlive(pid) || !commandLineOf(pid).includes(expectedCommand)) {
    return "already stopped";
  }
  await stopProcess(pid, 30_000);
  return `stopped (pid ${pid})`;
}

async function queuesAnswer(endpoint: string, config: PipelineConfig): Promise<boolean> {
  const client = createSqsClient({ sqsEndpoint: endpoint, awsRegion: LOCAL_SQS_REGION });
  try {
    await resolveQueueUrls(client, config);
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

function mysqlEndpoint(url: string): string {
  const { host, port, database } = parseMysqlUrl(url);
  return `mysql://${host}:${port}/${database}`;
}
