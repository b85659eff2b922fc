import type { Pool } from "mysql2/promise";
import { MIGRATIONS, type Migration } from "../db-schema";

/** Applies the migrations the database lacks, in order; returns the versions applied. */
export async function migrate(pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
      version INT UNSIGNED NOT NULL PRIMARY KEY,
      name VARCHAR(200) NOT NULL,
      applied_at DATETIME(3) NOT NULL
    ) ENGINE=InnoDB`,
  );
  const [rows] = await pool.query("SELECT version FROM schema_migrations");
  const done = new Set((rows as { version: number }[]).map((r) => r.version));
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    // MySQL commits DDL implicitly, so each statement stands alone; the version row is written last.
    for (const statement of migration.statements) await pool.query(statement);
    await pool.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, NOW(3))", [
      migration.version,
      migration.name,
    ]);
    applied.push(migration.version);
  }
  return applied;
}
