import { describe, expect, it } from "vitest";
import { AUDIENCE_FIELDS, type AudienceOp, parseAudience } from "../../audience/compile-audience";
import { AUDIENCE_FIELD_INFO, type AudienceFieldInfo } from "../audience-fields";

const ALL_OPS = [
  "eq",
  "ne",
  "in",
  "gte",
  "lte",
  "before",
  "after",
  "is_null",
] as const satisfies AudienceOp[];

function sampleValue(info: AudienceFieldInfo, op: AudienceOp): unknown {
  if (op === "is_null" || info.kind === "boolean") return true;
  const one = info.kind === "enum" ? info.values?.[0] : "2025-06-01";
  return op === "in" ? [one] : one;
}

function accepts(info: AudienceFieldInfo, op: AudienceOp): boolean {
  try {
    parseAudience({
      kind: "filter",
      match: "all",
      conditions: [{ field: info.field, op, value: sampleValue(info, op) }],
    });
    return true;
  } catch {
    return false;
  }
}

describe("AUDIENCE_FIELD_INFO", () => {
  it("offers exactly the fields compile-audience allows", () => {
    // Prepare
    const offered = AUDIENCE_FIELD_INFO.map((f) => f.field);
    // Act
    const sorted = [...offered].sort();
    // Assess
    expect(sorted).toEqual([...AUDIENCE_FIELDS].sort());
  });

  it.each(AUDIENCE_FIELD_INFO.map((info) => [info.field, info] as const))(
    "offers for %s exactly the operators compile-audience accepts, with values it accepts",
    (_field, info) => {
      // Prepare
      const ops = [...ALL_OPS];
      // Act
      const accepted = ops.filter((op) => accepts(info, op));
      // Assess
      expect(accepted.sort()).toEqual([...info.ops].sort());
    },
  );
});
