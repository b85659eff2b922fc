import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/test-database";
import { migrate } from "../db/migrate";
import { MIGRATIONS } from "../db-schema";

describe("migrate", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("migrate");
  });
  afterAll(() => db.drop());

  it("creates every table once and applies nothing on a second run", async () => {
    // Prepare: createTestDatabase has already migrated once.
    // Act
    const again = await migrate(db.pool);
    const [tables] = await db.pool.query("SHOW TABLES");
    const [versions] = await db.pool.query("SELECT version FROM schema_migrations ORDER BY version");
    // Assess
    expect(again).toEqual([]);
    const names = (tables as Record<string, string>[]).map((row) => Object.values(row)[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        "users",
        "messaging_log",
        "messaging_result",
        "malformed_message",
        "audit_log",
      ]),
    );
    expect((versions as { version: number }[]).map((v) => v.version)).toEqual(
      MIGRATIONS.map((m) => m.version),
    );
  });
});
