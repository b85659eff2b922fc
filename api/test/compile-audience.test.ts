import { describe, expect, it } from "vitest";
import { ValidationError } from "../../domain/errors";
import { compileAudience } from "../audience/compile-audience";

describe("compileAudience", () => {
  it("compiles a filter to a WHERE clause with every value as a placeholder", () => {
    // Prepare
    const audience = {
      kind: "filter",
      match: "all",
      conditions: [
        { field: "marketing_opt_in", op: "eq", value: true },
        { field: "tier", op: "in", value: ["gold", "vip"] },
        { field: "signup_date", op: "before", value: "2025-01-01" },
        { field: "last_order_at", op: "gte", value: "2026-03-01" },
        { field: "region", op: "ne", value: "jeju" },
      ],
    };
    // Act
    const compiled = compileAudience(audience);
    // Assess
    expect(compiled).toEqual({
      where:
        "(`marketing_opt_in` = ? AND `tier` IN (?, ?) AND `signup_date` < ? AND DATE(`last_order_at`) >= ? AND `region` <> ?)",
      params: [1, "gold", "vip", "2025-01-01", "2026-03-01", "jeju"],
    });
  });

  it("joins conditions with OR for match any and compiles is_null without a value placeholder", () => {
    // Prepare
    const audience = {
      kind: "filter",
      match: "any",
      conditions: [
        { field: "last_order_at", op: "is_null", value: true },
        { field: "last_order_at", op: "is_null", value: false },
        { field: "signup_date", op: "after", value: "2024-02-29" },
      ],
    };
    // Act
    const compiled = compileAudience(audience);
    // Assess
    expect(compiled).toEqual({
      where: "(`last_order_at` IS NULL OR `last_order_at` IS NOT NULL OR `signup_date` > ?)",
      params: ["2024-02-29"],
    });
  });

  it("compiles all users and an id range", () => {
    // Prepare
    const inputs = [{ kind: "all" }, { kind: "range", from: 10, to: 20 }];
    // Act
    const compiled = inputs.map((input) => compileAudience(input));
    // Assess
    expect(compiled).toEqual([
      { where: "(TRUE)", params: [] },
      { where: "(`id` BETWEEN ? AND ?)", params: [10, 20] },
    ]);
  });

  it("keeps an injection attempt in a value out of the SQL text", () => {
    // Prepare
    const attack = "seoul' OR '1'='1";
    // Act
    const compiled = compileAudience({
      kind: "filter",
      conditions: [{ field: "region", op: "eq", value: attack }],
    });
    // Assess
    expect(compiled.where).toBe("(`region` = ?)");
    expect(compiled.where).not.toContain("seoul");
    expect(compiled.params).toEqual([attack]);
  });

  it.each([
    [
      { field: "phone", op: "eq", value: "01012345678" },
      'audience.conditions.0.field: unknown field; use one of marketing_opt_in, tier, region, signup_date, last_order_at (got "phone")',
    ],
    [
      { field: "id`; DROP TABLE users; --", op: "eq", value: 1 },
      "audience.conditions.0.field: unknown field",
    ],
    [{ field: "__proto__", op: "eq", value: 1 }, "audience.conditions.0.field: unknown field; use one of"],
    [
      { field: "tier", op: "before", value: "gold" },
      'audience.conditions.0.op: tier supports eq, ne, in (got "before")',
    ],
    [{ field: "tier", op: "eq", value: "platinum" }, "audience.conditions.0.value: Invalid option"],
    [{ field: "tier", op: "in", value: [] }, "audience.conditions.0.value: Too small"],
    [
      { field: "signup_date", op: "is_null", value: true },
      "audience.conditions.0.op: signup_date supports eq, ne",
    ],
    [
      { field: "signup_date", op: "eq", value: "2025-02-30" },
      'audience.conditions.0.value: not a calendar date (got "2025-02-30")',
    ],
    [
      { field: "last_order_at", op: "lte", value: "yesterday" },
      'audience.conditions.0.value: expected a YYYY-MM-DD date (got "yesterday")',
    ],
    [
      { field: "marketing_opt_in", op: "eq", value: "yes" },
      "audience.conditions.0.value: Invalid input: expected boolean",
    ],
  ])("rejects a bad condition naming the field and value: %#", (condition, message) => {
    // Prepare
    const audience = { kind: "filter", conditions: [condition] };
    // Act
    const compile = () => compileAudience(audience);
    // Assess
    expect(compile).toThrow(ValidationError);
    expect(compile).toThrow(message);
  });

  it("rejects an unknown audience kind naming it", () => {
    // Prepare
    const audience = { kind: "everyone" };
    // Act
    const compile = () => compileAudience(audience);
    // Assess
    expect(compile).toThrow(
      "audience.kind: Invalid discriminator value. Expected 'all' | 'range' | 'filter'",
    );
  });
});
