import { ensureElasticMqJars } from "../infra/local/elasticmq";
import { ensureMariaDb } from "../infra/local/mariadb";
import { TEST_MYSQL_SERVER } from "./support/test-database";

/**
 * Every test may reach MariaDB on loopback (started here if this machine has it stopped) and
 * start ElasticMQs: their jars are fetched here, once, so parallel test files never race on Maven.
 */
export default async function setup() {
  // ensureMariaDb only needs the server; the "mysql" system database always exists.
  await ensureMariaDb(`${TEST_MYSQL_SERVER}/mysql`);
  await ensureElasticMqJars((line) => process.stderr.write(`global-setup: ${line}\n`));
}
