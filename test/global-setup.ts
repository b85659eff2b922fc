import { execFileSync } from "node:child_process";
import { createConnection } from "mysql2/promise";
import { TEST_MYSQL_SERVER } from "./support/test-database";

/** Every test may reach MariaDB on loopback: start it if this machine has it stopped. */
export default async function setup() {
  if (await reachable()) return;
  execFileSync("start-stop-daemon", ["--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"]);
  for (let i = 0; i < 60; i++) {
    if (await reachable()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`MariaDB did not come up at ${TEST_MYSQL_SERVER}`);
}

async function reachable(): Promise<boolean> {
  try {
    const connection = await createConnection(TEST_MYSQL_SERVER);
    await connection.end();
    return true;
  } catch {
    return false;
  }
}
