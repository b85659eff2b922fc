import { t, tryT } from "./i18n";

const SYMBOLS: Record<string, string> = { eq: "=", ne: "≠", gte: "≥", lte: "≤" };

export function opLabel(op: string): string {
  return SYMBOLS[op] ?? tryT(`op.${op}`, op);
}

export function fieldLabel(field: string, fallback = field): string {
  return tryT(`field.${field}`, fallback);
}

/** A one-line, human reading of an audience as stored in messaging_log.audience. */
export function describeAudience(audience: unknown): string {
  const a = audience as Record<string, unknown> | null;
  if (!a || typeof a !== "object") return "—";
  switch (a.kind) {
    case "all":
      return t("audience.all");
    case "range":
      return t("audience.range", { from: String(a.from), to: String(a.to) });
    case "userIds":
      return t("audience.userIds", { count: String(a.count) });
    case "filter": {
      const conditions = (a.conditions as { field: string; op: string; value: unknown }[]) ?? [];
      const joiner = a.match === "any" ? t("audience.or") : t("audience.and");
      return conditions.map(describeCondition).join(joiner) || t("audience.all");
    }
    default:
      return JSON.stringify(a);
  }
}

function describeCondition(c: { field: string; op: string; value: unknown }): string {
  if (c.op === "is_null") return `${c.field} ${c.value ? t("audience.isEmpty") : t("audience.isSet")}`;
  const value = Array.isArray(c.value) ? c.value.join(", ") : String(c.value);
  return `${c.field} ${opLabel(c.op)} ${value}`;
}
