import { parseSetValue } from "../../infra/pipeline-config";
import { VaryError } from "./errors";

/** One varied key and the values it takes, in the order given. */
export interface Vary {
  key: string;
  values: unknown[];
}

/** A grid larger than this is almost certainly a typo in a range (`1..10000`). */
export const MAX_VALUES_PER_KEY = 10_000;

const RANGE = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/;

/**
 * `KEY=VALUES`: VALUES is a list (`1,2,5,10`, items JSON where they parse, else strings) or an
 * inclusive numeric range (`1..20`, `10..120:10`, step 1 by default).
 */
export function parseVary(text: string): Vary {
  const eq = text.indexOf("=");
  if (eq <= 0)
    throw new VaryError(text, "expected KEY=VALUES, e.g. MessagingQueue.VisibilityTimeout=30,60,120");
  const key = text.slice(0, eq).trim();
  const spec = text.slice(eq + 1).trim();
  if (spec === "") throw new VaryError(text, "no values after =");
  const range = RANGE.exec(spec);
  return { key, values: range ? rangeValues(text, range) : listValues(text, spec) };
}

function rangeValues(text: string, [, fromText, toText, stepText]: RegExpExecArray): number[] {
  const from = Number(fromText);
  const to = Number(toText);
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!(step > 0)) throw new VaryError(text, `the step must be above 0 (got ${stepText})`);
  if (to < from) throw new VaryError(text, `the range runs backwards (${from} > ${to})`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_VALUES_PER_KEY) {
    throw new VaryError(text, `${count} values; at most ${MAX_VALUES_PER_KEY} per key`);
  }
  // Multiply rather than accumulate, so 0.1 steps do not drift.
  const decimals = Math.max(decimalsOf(fromText), decimalsOf(stepText));
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(decimals)));
}

function listValues(text: string, spec: string): unknown[] {
  const items = spec.split(",").map((item) => item.trim());
  if (items.some((item) => item === "")) throw new VaryError(text, "an empty item in the list");
  const values = items.map(parseSetValue);
  const seen = new Set(values.map((v) => JSON.stringify(v)));
  if (seen.size < values.length) throw new VaryError(text, "a value is listed twice");
  return values;
}

function decimalsOf(text: string | undefined): number {
  const dot = text?.indexOf(".") ?? -1;
  return text === undefined || dot < 0 ? 0 : text.length - dot - 1;
}

/** The value as `--set` writes it: JSON for everything but plain strings. */
export function formatSetValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
