import { z } from "zod";
import { USER_TIERS } from "../../domain/db-schema";
import { ValidationError } from "../../domain/errors";
import { parseWith } from "../../domain/validation";

/**
 * Who a campaign goes to, as the admin picks it: every user, a range of user IDs, or a filter over
 * an allow-list of user fields. Compiled to a parameterised WHERE clause over `users`; no SQL is
 * ever assembled from the caller's strings (columns come from the allow-list, values are `?`).
 */
export type AudienceSource =
  | { kind: "all" }
  | { kind: "range"; from: number; to: number }
  | { kind: "filter"; match: "all" | "any"; conditions: AudienceCondition[] };

export type AudienceOp = "eq" | "ne" | "in" | "gte" | "lte" | "before" | "after" | "is_null";

export interface AudienceCondition {
  field: AudienceField;
  op: AudienceOp;
  /** A boolean, a tier, a region name or a YYYY-MM-DD date; a list of them for `in`; true/false for `is_null`. */
  value: AudienceValue | AudienceValue[];
}

export type AudienceValue = boolean | string;

export interface CompiledAudience {
  /** A parenthesised boolean SQL expression over `users`, with `?` placeholders. */
  where: string;
  params: (string | number)[];
}

export const MAX_CONDITIONS = 20;
export const MAX_IN_VALUES = 100;

const DATE_OPS = ["eq", "ne", "before", "after", "gte", "lte"] as const satisfies AudienceOp[];

const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a YYYY-MM-DD date")
  .refine((s) => {
    const day = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(s);
  }, "not a calendar date");

interface FieldSpec {
  /** SQL the value is compared with: a backquoted column, or DATE(column) for a DATETIME. */
  expr: string;
  ops: readonly AudienceOp[];
  value: z.ZodType<AudienceValue>;
  /** Set for nullable columns, which also allow `is_null`. */
  column?: string;
}

/**
 * The user fields an audience may filter on. Comparisons never match a NULL column (SQL's
 * three-valued logic): use `is_null` for those. Dates compare by calendar day (UTC).
 */
const FIELDS = {
  marketing_opt_in: { expr: "`marketing_opt_in`", ops: ["eq", "ne"], value: z.boolean() },
  tier: { expr: "`tier`", ops: ["eq", "ne", "in"], value: z.enum(USER_TIERS) },
  // Free text (VARCHAR(32)), not KOREAN_REGIONS: the table may hold regions the seeder never wrote.
  region: { expr: "`region`", ops: ["eq", "ne", "in"], value: z.string().min(1).max(32) },
  signup_date: { expr: "`signup_date`", ops: DATE_OPS, value: calendarDate },
  last_order_at: {
    expr: "DATE(`last_order_at`)",
    column: "`last_order_at`",
    ops: [...DATE_OPS, "is_null"],
    value: calendarDate,
  },
} as const satisfies Record<string, FieldSpec>;

export type AudienceField = keyof typeof FIELDS;
export const AUDIENCE_FIELDS = Object.keys(FIELDS) as AudienceField[];

const COMPARATORS: Record<Exclude<AudienceOp, "in" | "is_null">, string> = {
  eq: "=",
  ne: "<>",
  gte: ">=",
  lte: "<=",
  before: "<",
  after: ">",
};

const userId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const audienceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }).strict(),
  z
    .object({ kind: z.literal("range"), from: userId, to: userId })
    .strict()
    .refine((r) => r.from <= r.to, { message: "must not be below from", path: ["to"] }),
  z
    .object({
      kind: z.literal("filter"),
      match: z.enum(["all", "any"]).default("all"),
      conditions: z
        .array(z.object({ field: z.string(), op: z.string(), value: z.unknown() }).strict())
        .min(1)
        .max(MAX_CONDITIONS),
    })
    .strict(),
]);

/**
 * The audience's shape as an OpenAPI 3.0 schema, for the API description. Condition values are
 * checked per field beyond it (GET /audiences/fields lists fields, operators and values).
 */
export function audienceOpenApiSchema(): Record<string, unknown> {
  return z.toJSONSchema(audienceSchema, { target: "openapi-3.0", io: "input", unrepresentable: "any" });
}

/** Validates an audience from outside (admin API body, CLI); errors name the field path and value. */
export function parseAudience(input: unknown, where = "audience"): AudienceSource {
  const parsed = parseWith(audienceSchema, input, where);
  if (parsed.kind !== "filter") return parsed;
  const conditions = parsed.conditions.map((c, i) => parseCondition(c, `${where}.conditions.${i}`));
  return { kind: "filter", match: parsed.match, conditions };
}

function parseCondition(c: { field: string; op: string; value: unknown }, where: string): AudienceCondition {
  if (!Object.hasOwn(FIELDS, c.field)) {
    throw new ValidationError(
      `${where}.field`,
      c.field,
      `unknown field; use one of ${AUDIENCE_FIELDS.join(", ")}`,
    );
  }
  const field = c.field as AudienceField;
  const spec: FieldSpec = FIELDS[field];
  if (!spec.ops.includes(c.op as AudienceOp)) {
    throw new ValidationError(`${where}.op`, c.op, `${field} supports ${spec.ops.join(", ")}`);
  }
  const op = c.op as AudienceOp;
  const valueSchema =
    op === "is_null" ? z.boolean() : op === "in" ? z.array(spec.value).min(1).max(MAX_IN_VALUES) : spec.value;
  return { field, op, value: parseWith(valueSchema, c.value, `${where}.value`) };
}

/** Validates `input` (see parseAudience) and compiles it to a WHERE expression over `users`. */
export function compileAudience(input: unknown, where = "audience"): CompiledAudience {
  const audience = parseAudience(input, where);
  switch (audience.kind) {
    case "all":
      return { where: "(TRUE)", params: [] };
    case "range":
      return { where: "(`id` BETWEEN ? AND ?)", params: [audience.from, audience.to] };
    case "filter": {
      const params: (string | number)[] = [];
      const parts = audience.conditions.map((c) => compileCondition(c, params));
      return { where: `(${parts.join(audience.match === "all" ? " AND " : " OR ")})`, params };
    }
  }
}

function compileCondition(c: AudienceCondition, params: (string | number)[]): string {
  const spec: FieldSpec = FIELDS[c.field];
  const sqlValue = (v: AudienceValue) => (typeof v === "boolean" ? Number(v) : v);
  if (c.op === "is_null") return `${spec.column ?? spec.expr} IS ${c.value ? "" : "NOT "}NULL`;
  if (c.op === "in") {
    const values = c.value as AudienceValue[];
    params.push(...values.map(sqlValue));
    return `${spec.expr} IN (${values.map(() => "?").join(", ")})`;
  }
  params.push(sqlValue(c.value as AudienceValue));
  return `${spec.expr} ${COMPARATORS[c.op]} ?`;
}
