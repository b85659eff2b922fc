import type { Command } from "commander";
import { migrate } from "../../domain/db/migrate";
import { createMysqlPool, ensureDatabase } from "../../domain/db/mysql";
import { readEnv } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { seedUsers } from "../../sim/seed/seed-users";

export function registerSeedUsersCommand(program: Command): void {
  program
    .command("seed-users")
    .description("Fill MYSQL_URL's users table with synthetic users, ids 1..N (deterministic per seed)")
    .requiredOption("--count <n>", "users to write", numberFlag("--count"))
    .option(
      "--invalid-rate <r>",
      "share of numbers that are not Korean mobiles, 0-1",
      numberFlag("--invalid-rate"),
      0,
    )
    .option("--seed <s>", "random seed", numberFlag("--seed"), 1)
    .option("--truncate", "empty the users table first")
    .action(async (flags: { count: number; invalidRate: number; seed: number; truncate?: boolean }) => {
      const { mysqlUrl } = readEnv();
      await ensureDatabase(mysqlUrl);
      const pool = createMysqlPool(mysqlUrl);
      try {
        await migrate(pool);
        const started = performance.now();
        const { rows, invalid } = await seedUsers(pool, { ...flags, truncate: flags.truncate ?? false });
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(
          `seeded ${rows} users (${invalid} with invalid numbers) in ${seconds.toFixed(1)} s` +
            ` (${Math.round(rows / seconds)} rows/s)\n`,
        );
      } finally {
        await pool.end();
      }
    });
}

function numberFlag(flag: string) {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n))
      throw new ValidationError(flag, value, "expected a number");
    return n;
  };
}
