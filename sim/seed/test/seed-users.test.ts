import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KOREAN_REGIONS, USER_TIERS } from "../../../domain/db-schema";
import { isKoreanMobile, normalizeKoreanMobile } from "../../../domain/phone";
import { createTestDatabase, type TestDatabase } from "../../../test/support/test-database";
import { SeedConflictError } from "../errors";
import { seedUsers } from "../seed-users";
import { syntheticUsers } from "../synthetic-users";

interface UserRow {
  id: number;
  name: string;
  phone: string;
  marketing_opt_in: number;
  tier: string;
  region: string;
  signup_date: string;
  last_order_at: string | null;
}

async function allUsers(db: TestDatabase): Promise<UserRow[]> {
  const [rows] = await db.pool.query({
    sql: "SELECT * FROM users ORDER BY id",
    dateStrings: true,
  });
  return rows as UserRow[];
}

describe("seedUsers", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("seed_users");
  });
  afterAll(() => db?.drop());

  it("writes users 1..N with the requested share of numbers domain/phone rejects", async () => {
    // Prepare
    const count = 4_000;
    const invalidRate = 0.1;
    // Act
    const result = await seedUsers(db.pool, { count, invalidRate, seed: 42, truncate: true });
    const rows = await allUsers(db);
    // Assess
    const invalid = rows.filter((u) => !isKoreanMobile(u.phone)).length;
    expect(result).toEqual({ rows: count, invalid });
    expect(rows.map((u) => u.id)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    // Binomial(4000, 0.1): mean 400, standard deviation 19; 4 deviations either side.
    expect(invalid).toBeGreaterThan(400 - 76);
    expect(invalid).toBeLessThan(400 + 76);
  });

  it("is deterministic for a seed and differs across seeds", async () => {
    // Prepare
    const options = { count: 500, invalidRate: 0.05, truncate: true };
    // Act
    await seedUsers(db.pool, { ...options, seed: 7 });
    const first = await allUsers(db);
    await seedUsers(db.pool, { ...options, seed: 7 });
    const again = await allUsers(db);
    await seedUsers(db.pool, { ...options, seed: 8 });
    const otherSeed = await allUsers(db);
    // Assess
    expect(again).toEqual(first);
    expect(otherSeed.map((u) => u.name)).not.toEqual(first.map((u) => u.name));
  });

  it("stores what the in-memory generator makes, column for column", async () => {
    // Prepare
    const expected = [...syntheticUsers(3, 50, { invalidRate: 0.2 })];
    // Act
    await seedUsers(db.pool, { count: 50, invalidRate: 0.2, seed: 3, truncate: true });
    const rows = await allUsers(db);
    // Assess
    expect(rows).toEqual(
      expected.map((u) => ({
        id: u.id,
        name: u.name,
        phone: u.phone,
        marketing_opt_in: u.marketingOptIn ? 1 : 0,
        tier: u.tier,
        region: u.region,
        signup_date: u.signupDate,
        last_order_at: u.lastOrderAt,
      })),
    );
  });

  it("refuses to write over existing ids without truncate", async () => {
    // Prepare
    await seedUsers(db.pool, { count: 10, seed: 1, truncate: true });
    // Act
    const seeding = seedUsers(db.pool, { count: 20, seed: 1 });
    // Assess
    await expect(seeding).rejects.toThrow(SeedConflictError);
    await expect(seeding).rejects.toThrow(/10 of the ids 1\.\.20.*--truncate/);
  });
});

describe("syntheticUsers", () => {
  it("makes the same first users whatever the count", () => {
    // Prepare, Act
    const few = [...syntheticUsers(11, 100, { invalidRate: 0.3 })];
    const many = [...syntheticUsers(11, 1_000, { invalidRate: 0.3 })];
    // Assess
    expect(many.slice(0, 100)).toEqual(few);
  });

  it("gives valid users unique, normalised mobiles and draws every tier and region", () => {
    // Prepare, Act
    const users = [...syntheticUsers(5, 20_000)];
    // Assess
    const phones = users.map((u) => u.phone);
    expect(phones.every((p) => normalizeKoreanMobile(p) === p)).toBe(true);
    expect(new Set(phones).size).toBe(users.length);
    expect(new Set(users.map((u) => u.tier))).toEqual(new Set(USER_TIERS));
    expect(new Set(users.map((u) => u.region))).toEqual(new Set(KOREAN_REGIONS));
    expect(users.every((u) => u.lastOrderAt === null || u.lastOrderAt.slice(0, 10) >= u.signupDate)).toBe(
      true,
    );
  });

  it("gives every user an invalid number at rate 1", () => {
    // Prepare, Act
    const users = [...syntheticUsers(9, 2_000, { invalidRate: 1 })];
    // Assess
    expect(users.filter((u) => isKoreanMobile(u.phone))).toEqual([]);
  });
});
