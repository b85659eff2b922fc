const OPS: Record<string, string> = {
  eq: "=",
  ne: "≠",
  in: "in",
  gte: "≥",
  lte: "≤",
  before: "before",
  after: "after",
  is_null: "is empty",
};

export function opLabel(op: string): string {
  return OPS[op] ?? op;
}

/** A one-line, human reading of an audience as stored in messaging_log.audience. */
export function describeAudience(audience: unknown): string {
  const a = audience as Record<string, unknown> | null;
  if (!a || typeof a !== "object") return "—";
  switch (a.kind) {
    case "all":
      return "All users";
    case "range":
      return `Users #${a.from}–#${a.to}`;
    case "userIds":
      return `${a.count} listed users`;
    case "filter": {
      const conditions = (a.conditions as { field: string; op: string; value: unknown }[]) ?? [];
      const joiner = a.match === "any" ? " OR " : " AND ";
      return conditions.map(describeCondition).join(joiner) || "All users";
    }
    default:
      return JSON.stringify(a);
  }
}

function describeCondition(c: { field: string; op: string; value: unknown }): string {
  if (c.op === "is_null") return `${c.field} ${c.value ? "is empty" : "is set"}`;
  const value = Array.isArray(c.value) ? c.value.join(", ") : String(c.value);
  return `${c.field} ${opLabel(c.op)} ${value}`;
}
