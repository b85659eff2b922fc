import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { LOCAL_SQS_REGION, readEnv, type SmsimEnv } from "../../domain/env";
import { createSqsClient } from "../../domain/sqs-client";
import { COMPOSE_ELASTICMQ_CONF, renderComposeElasticMqConfig } from "../../infra/local/elasticmq";
import { LOCAL_SQS_ENDPOINT, servicesDown, servicesStatus, servicesUp } from "../../infra/local/services";
import { loadPipelineConfig } from "../../infra/pipeline-config";
import { hasAwsCredentials } from "../../sim/live/live-target";
import { pruneLeftovers } from "../../sim/live/prune-leftovers";
import { parseDuration } from "../../sim/scenario/durations";

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The SQS a live run would have used: SQS_ENDPOINT, else AWS when credentials are at hand, else the local one. */
function pruneTarget(env: SmsimEnv): SmsimEnv {
  if (env.sqsEndpoint !== undefined || hasAwsCredentials(process.env)) return env;
  return { ...env, sqsEndpoint: LOCAL_SQS_ENDPOINT, awsRegion: LOCAL_SQS_REGION };
}

export function registerServicesCommand(program: Command): void {
  const services = program
    .command("services")
    .description("Local MariaDB and ElasticMQ for the live engine (state in .cache/services/)");

  services
    .command("up")
    .description("Start MariaDB if stopped, migrate MYSQL_URL's database, start ElasticMQ on 127.0.0.1:9324")
    .action(() => servicesUp({ env: readEnv(), config: loadPipelineConfig(), log: say }));

  services
    .command("down")
    .description("Stop what `services up` started")
    .action(() => servicesDown({ log: say }));

  services
    .command("status")
    .description("One line per service; exits 1 when any is down")
    .action(async () => {
      const statuses = await servicesStatus({ env: readEnv(), config: loadPipelineConfig() });
      for (const s of statuses) say(`${s.service.padEnd(10)} ${s.up ? "up  " : "down"} ${s.endpoint}`);
      if (statuses.some((s) => !s.up)) process.exitCode = 1;
    });

  services
    .command("prune")
    .description(
      "List and remove what crashed or killed live runs left behind: smsim_live_* databases on MYSQL_URL's " +
        "server and the run queues (<template queue name>-<run id>) on SQS_ENDPOINT; runs in progress here are spared",
    )
    .option("--dry-run", "list only")
    .option("--older-than <duration>", "only runs started at least this long ago, e.g. 1h", "0s")
    .action(async (flags: { dryRun?: boolean; olderThan: string }) => {
      const env = readEnv();
      const client = createSqsClient(pruneTarget(env));
      try {
        const leftovers = await pruneLeftovers({
          mysqlUrl: env.mysqlUrl,
          client,
          pipeline: loadPipelineConfig(),
          olderThanMs: parseDuration(flags.olderThan, "--older-than"),
          dryRun: flags.dryRun ?? false,
        });
        for (const l of leftovers) say(`${l.kind.padEnd(8)} ${l.name}  (run ${l.runId})`);
        const verb = flags.dryRun ? "would remove" : "removed";
        say(leftovers.length === 0 ? "nothing left behind" : `${verb} ${leftovers.length}`);
      } finally {
        client.destroy();
      }
    });

  services
    .command("config")
    .description("Write ElasticMQ's config for docker-compose.yml from infra/template.yaml")
    .option("--output <file>", "where to write it", COMPOSE_ELASTICMQ_CONF)
    .action(async (flags: { output: string }) => {
      await writeFile(flags.output, renderComposeElasticMqConfig(loadPipelineConfig()));
      say(`wrote ${flags.output}`);
    });
}
