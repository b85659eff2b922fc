/** Base of every typed error in smsim: a stable `code` callers can branch on. */
export class SmsimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that failed validation; `field` and `value` say exactly what was wrong. */
export class ValidationError extends SmsimError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super("VALIDATION_FAILED", `${field}: ${reason} (got ${describeValue(value)})`);
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = typeof value === "string" ? JSON.stringify(value) : safeJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
