import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { readEnv } from "../../domain/env";
import { COMPOSE_ELASTICMQ_CONF, renderComposeElasticMqConfig } from "../../infra/local/elasticmq";
import { servicesDown, servicesStatus, servicesUp } from "../../infra/local/services";
import { loadPipelineConfig } from "../../infra/pipeline-config";

const say = (line: string) => process.stdout.write(`${line}\n`);

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
    .command("config")
    .description("Write ElasticMQ's config for docker-compose.yml from infra/template.yaml")
    .option("--output <file>", "where to write it", COMPOSE_ELASTICMQ_CONF)
    .action(async (flags: { output: string }) => {
      await writeFile(flags.output, renderComposeElasticMqConfig(loadPipelineConfig()));
      say(`wrote ${flags.output}`);
    });
}
