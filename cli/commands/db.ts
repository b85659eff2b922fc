import type { Command } from "commander";
import { migrate } from "../../domain/db/migrate";
import { createMysqlPool, ensureDatabase } from "../../domain/db/mysql";
import { readEnv } from "../../domain/env";

export function registerDbCommand(program: Command): void {
  const db = program.command("db").description("The results database (MYSQL_URL)");

  db.command("migrate")
    .description("Create MYSQL_URL's database if missing and apply the migrations it lacks")
    .action(async () => {
      const { mysqlUrl } = readEnv();
      await ensureDatabase(mysqlUrl);
      const pool = createMysqlPool(mysqlUrl);
      try {
        const applied = await migrate(pool);
        process.stdout.write(
          applied.length ? `applied migrations ${applied.join(", ")}\n` : "schema up to date\n",
        );
      } finally {
        await pool.end();
      }
    });
}
