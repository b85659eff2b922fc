import { randomBytes } from "node:crypto";
import type { Pool } from "mysql2/promise";
import { migrate } from "../../domain/db/migrate";
import { createMysqlPool, dropDatabase, ensureDatabase } from "../../domain/db/mysql";

export const TEST_MYSQL_SERVER = process.env.TEST_MYSQL_SERVER ?? "mysql://root@127.0.0.1:3306";

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database of its own for one test file; `drop()` removes it. `server` is
 * another MariaDB than the machine's (a private one a fault test restarts).
 */
export async function createTestDatabase(label = "test", server = TEST_MYSQL_SERVER): Promise<TestDatabase> {
  const name = `smsim_${label.replace(/\W/g, "_")}_${randomBytes(4).toString("hex")}`;
  const url = `${server}/${name}`;
  await ensureDatabase(url);
  const pool = createMysqlPool(url);
  await migrate(pool);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await dropDatabase(url);
    },
  };
}
