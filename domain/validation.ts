import type { z } from "zod";
import { ValidationError } from "./errors";

/**
 * Parses `input` with `schema`, turning the first zod issue into a ValidationError that names
 * the field path (prefixed by `where`) and the offending value.
 */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, where: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [...(issue?.path ?? [])];
  // zod reports unknown keys on their parent; name the key itself.
  if (issue?.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = [where, ...path.map(String)].filter(Boolean).join(".");
  throw new ValidationError(field || where, valueAt(input, path), issue?.message ?? "invalid");
}

/** The value at `path` inside `input`, or undefined where the path leaves the object. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
