import { DeleteQueueCommand, ListQueuesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import mysql from "mysql2/promise";
import { parseMysqlUrl } from "../../domain/db/mysql";
import type { QueueNames } from "../../domain/sqs-client";
import { RUN_DATABASE_PREFIX } from "./run-database";
import { activeRunIds, runStartedAt } from "./run-registry";

export interface Leftover {
  kind: "database" | "queue";
  /** The database's name or the queue's URL. */
  name: string;
  runId: string;
}

export interface PruneOptions {
  /** MYSQL_URL: its server is searched for run databases. */
  mysqlUrl: string;
  client: SQSClient;
  /** The template's queue names: a run's queues are those names suffixed with its id. */
  pipeline: QueueNames;
  /** Only runs started at least this long ago (ms); runs in progress on this machine are always spared. */
  olderThanMs: number;
  /** List only. */
  dryRun: boolean;
  now?: number;
}

/**
 * What live runs and rehearsals left behind when they could not clean up (killed, crashed): their
 * `smsim_live_<run>` databases and `<queue name>-<run>` queues, found by name, removed unless
 * `dryRun`. A run registered as in progress on this machine (run-registry.ts) is never touched.
 */
export async function pruneLeftovers(options: PruneOptions): Promise<Leftover[]> {
  const active = activeRunIds();
  const cutoff = (options.now ?? Date.now()) - options.olderThanMs;
  const stale = (runId: string) => {
    const started = runStartedAt(runId);
    return started !== null && started <= cutoff && !active.has(runId);
  };
  const [databases, queues] = await Promise.all([
    runDatabases(options.mysqlUrl),
    runQueues(options.client, options.pipeline),
  ]);
  const leftovers = [...databases, ...queues].filter((l) => stale(l.runId));
  if (options.dryRun) return leftovers;
  const { database: _, ...server } = parseMysqlUrl(options.mysqlUrl);
  const connection = await mysql.createConnection(server);
  try {
    for (const leftover of leftovers) {
      if (leftover.kind === "database")
        await connection.query(`DROP DATABASE IF EXISTS \`${leftover.name}\``);
      else await options.client.send(new DeleteQueueCommand({ QueueUrl: leftover.name }));
    }
  } finally {
    await connection.end();
  }
  return leftovers;
}

async function runDatabases(mysqlUrl: string): Promise<Leftover[]> {
  const { database: _, ...server } = parseMysqlUrl(mysqlUrl);
  const connection = await mysql.createConnection(server);
  try {
    const [rows] = await connection.query("SHOW DATABASES LIKE ?", [
      `${RUN_DATABASE_PREFIX.replaceAll("_", "\\_")}%`,
    ]);
    return (rows as Record<string, string>[]).map((row) => {
      const name = Object.values(row)[0] as string;
      return { kind: "database" as const, name, runId: name.slice(RUN_DATABASE_PREFIX.length) };
    });
  } finally {
    await connection.end();
  }
}

async function runQueues(client: SQSClient, pipeline: QueueNames): Promise<Leftover[]> {
  const leftovers: Leftover[] = [];
  for (const base of new Set([pipeline.queue.name, pipeline.dlq.name])) {
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new ListQueuesCommand({ QueueNamePrefix: `${base}-`, MaxResults: 1000, NextToken }),
      );
      for (const url of page.QueueUrls ?? []) {
        const name = url.slice(url.lastIndexOf("/") + 1);
        const runId = name.slice(name.lastIndexOf("-") + 1);
        // Another queue of the template's may share the prefix: only a run id ends a run's queue.
        if (runStartedAt(runId) !== null) leftovers.push({ kind: "queue", name: url, runId });
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return leftovers;
}
