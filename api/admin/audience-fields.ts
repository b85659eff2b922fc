import { KOREAN_REGIONS, USER_TIERS } from "../../domain/db-schema";
import type { AudienceField, AudienceOp } from "../audience/compile-audience";

export interface AudienceFieldInfo {
  field: AudienceField;
  label: string;
  kind: "boolean" | "enum" | "date";
  ops: AudienceOp[];
  /** The allowed values of an enum field. */
  values: readonly string[] | null;
}

const DATE_OPS: AudienceOp[] = ["eq", "ne", "before", "after", "gte", "lte"];

/**
 * What the console's audience builder offers. compile-audience stays the judge of what is valid
 * (a test checks this list against it); this adds the labels and input kinds a form needs.
 */
const FIELDS: Record<AudienceField, Omit<AudienceFieldInfo, "field">> = {
  marketing_opt_in: { label: "Marketing opt-in", kind: "boolean", ops: ["eq", "ne"], values: null },
  tier: { label: "Tier", kind: "enum", ops: ["eq", "ne", "in"], values: USER_TIERS },
  region: { label: "Region", kind: "enum", ops: ["eq", "ne", "in"], values: KOREAN_REGIONS },
  signup_date: { label: "Signup date", kind: "date", ops: DATE_OPS, values: null },
  last_order_at: { label: "Last order date", kind: "date", ops: [...DATE_OPS, "is_null"], values: null },
};

export const AUDIENCE_FIELD_INFO: AudienceFieldInfo[] = Object.entries(FIELDS).map(([field, info]) => ({
  field: field as AudienceField,
  ...info,
}));
