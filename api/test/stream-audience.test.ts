import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/test-database";
import type { AudienceSource } from "../audience/compile-audience";
import { streamAudienceIds } from "../audience/stream-audience";
import { range, seedUsers, type UserRow } from "./fixtures";

describe("streamAudienceIds against MariaDB", () => {
  let db: TestDatabase;
  let users: UserRow[];
  beforeAll(async () => {
    db = await createTestDatabase("stream_audience");
    users = await seedUsers(db.pool, range(1, 3000));
  });
  afterAll(() => db.drop());

  async function collect(audience: AudienceSource, pageSize: number) {
    const pages: number[][] = [];
    for await (const page of streamAudienceIds(db.pool, audience, pageSize)) pages.push(page);
    return pages;
  }

  it("streams exactly the users a filter matches, in ascending pages no larger than the page size", async () => {
    // Prepare: opted-in gold or vip users who signed up before 2024-07-01 and ordered since 2024-03-01.
    const audience: AudienceSource = {
      kind: "filter",
      match: "all",
      conditions: [
        { field: "marketing_opt_in", op: "eq", value: true },
        { field: "tier", op: "in", value: ["gold", "vip"] },
        { field: "signup_date", op: "before", value: "2024-07-01" },
        { field: "last_order_at", op: "gte", value: "2024-03-01" },
      ],
    };
    const expected = users
      .filter(
        (u) =>
          u.marketing_opt_in === 1 &&
          (u.tier === "gold" || u.tier === "vip") &&
          u.signup_date < "2024-07-01" &&
          u.last_order_at !== null &&
          u.last_order_at.slice(0, 10) >= "2024-03-01",
      )
      .map((u) => u.id);
    // Act
    const pages = await collect(audience, 50);
    // Assess
    expect(expected.length).toBeGreaterThan(100);
    expect(pages.flat()).toEqual(expected);
    expect(pages.every((p) => p.length <= 50)).toBe(true);
    expect(pages.slice(0, -1).every((p) => p.length === 50)).toBe(true);
  });

  it("streams users matching any condition, NULLs included only through is_null", async () => {
    // Prepare
    const audience: AudienceSource = {
      kind: "filter",
      match: "any",
      conditions: [
        { field: "last_order_at", op: "is_null", value: true },
        { field: "region", op: "eq", value: "jeju" },
      ],
    };
    const expected = users.filter((u) => u.last_order_at === null || u.region === "jeju").map((u) => u.id);
    // Act
    const pages = await collect(audience, 200);
    // Assess
    expect(pages.flat()).toEqual(expected);
  });

  it("treats an injection attempt in a value as a region name that matches nobody", async () => {
    // Prepare
    const audience: AudienceSource = {
      kind: "filter",
      match: "all",
      conditions: [{ field: "region", op: "eq", value: "seoul' OR '1'='1" }],
    };
    // Act
    const pages = await collect(audience, 100);
    // Assess
    expect(pages).toEqual([]);
  });

  it("pages a range whose size is an exact multiple of the page size without an empty last page", async () => {
    // Prepare
    const audience: AudienceSource = { kind: "range", from: 1001, to: 1300 };
    // Act
    const pages = await collect(audience, 100);
    // Assess
    expect(pages.map((p) => p.length)).toEqual([100, 100, 100]);
    expect(pages.flat()).toEqual(range(1001, 1300));
  });
});
