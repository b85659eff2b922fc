import type { RunSummary } from "../../reports/summary";
import { DEFAULT_TOLERANCES, type Tolerances } from "./tolerances";

/** One line of a comparison: a check (ok true/false) or a figure shown for context (ok null). */
export interface ComparisonRow {
  metric: string;
  a: string;
  b: string;
  /** What the check allows, e.g. "|diff| <= 251" or "both 0". */
  allowed: string;
  ok: boolean | null;
}

export interface Comparison {
  rows: ComparisonRow[];
  ok: boolean;
}

/** The parts of a run summary a comparison reads. */
export type ComparableSummary = Pick<
  RunSummary,
  | "scenario"
  | "engine"
  | "seed"
  | "wallSeconds"
  | "recipients"
  | "carrier"
  | "queue"
  | "lambda"
  | "campaigns"
  | "alarms"
>;

const COUNTS = ["sent", "failed", "inDlq"] as const;

/**
 * Whether two runs of a scenario (typically one per engine) agree:
 * - sent, failed and inDlq recipients within `sigmas` binomial standard deviations of the count
 *   with the larger variance, plus `floor`. Recipients are decided `chunk` at a time (a message),
 *   so the variance is chunk x n p (1 - p), n the recipients requested;
 * - carrier duplicate deliveries and unaccounted recipients 0 in both;
 * - each alarm's transitions the same sequence of states, each within `alarmSeconds`;
 * - each campaign's drain time within `drain` of the larger one, plus `drainFloorSeconds`.
 * Other figures are listed for context and not checked.
 */
export function compareSummaries(
  a: ComparableSummary,
  b: ComparableSummary,
  tolerances: Tolerances = DEFAULT_TOLERANCES,
): Comparison {
  const rows: ComparisonRow[] = [];
  const info = (metric: string, x: unknown, y: unknown) =>
    rows.push({ metric, a: show(x), b: show(y), allowed: "", ok: null });
  const check = (metric: string, x: unknown, y: unknown, allowed: string, ok: boolean) =>
    rows.push({ metric, a: show(x), b: show(y), allowed, ok });

  check("scenario", a.scenario, b.scenario, "same", a.scenario === b.scenario);
  info("engine", a.engine, b.engine);
  info("seed", a.seed, b.seed);
  info("recipients.requested", a.recipients.requested, b.recipients.requested);
  const n = Math.max(a.recipients.requested, b.recipients.requested, 1);
  for (const field of COUNTS) {
    const x = a.recipients[field];
    const y = b.recipients[field];
    const bound = tolerances[field] ?? statisticalBound(x, y, n, tolerances);
    check(`recipients.${field}`, x, y, `|diff| <= ${round(bound)}`, Math.abs(x - y) <= bound);
  }
  info("recipients.pending", a.recipients.pending, b.recipients.pending);
  info("recipients.expired", a.recipients.expired, b.recipients.expired);
  const bothZero = (metric: string, x: number, y: number) =>
    check(metric, x, y, "both 0", x === 0 && y === 0);
  bothZero("recipients.unaccounted", a.recipients.unaccounted, b.recipients.unaccounted);
  bothZero("carrier.duplicateDeliveries", a.carrier.duplicateDeliveries, b.carrier.duplicateDeliveries);

  for (const name of union(
    a.alarms.map((x) => x.name),
    b.alarms.map((x) => x.name),
  )) {
    const x = a.alarms.find((alarm) => alarm.name === name)?.transitions ?? [];
    const y = b.alarms.find((alarm) => alarm.name === name)?.transitions ?? [];
    const sameStates = x.length === y.length && x.every((t, i) => t.to === y[i]?.to && t.from === y[i]?.from);
    const withinTime =
      sameStates &&
      x.every((t, i) => Math.abs(t.atSeconds - (y[i]?.atSeconds ?? 0)) <= tolerances.alarmSeconds);
    check(
      `alarm ${name}`,
      transitionsText(x),
      transitionsText(y),
      `same states, each within ${tolerances.alarmSeconds} s`,
      withinTime,
    );
  }

  for (const name of union(
    a.campaigns.map((c) => c.name),
    b.campaigns.map((c) => c.name),
  )) {
    const x = a.campaigns.find((c) => c.name === name)?.drainSeconds;
    const y = b.campaigns.find((c) => c.name === name)?.drainSeconds;
    if (x === undefined || y === undefined) {
      check(`drain ${name} (s)`, x ?? "-", y ?? "-", "in both runs", false);
      continue;
    }
    const bound = tolerances.drain * Math.max(x, y) + tolerances.drainFloorSeconds;
    check(`drain ${name} (s)`, x, y, `|diff| <= ${round(bound)}`, Math.abs(x - y) <= bound);
  }

  info("carrier.requests", a.carrier.requests, b.carrier.requests);
  info("carrier.rateLimited", a.carrier.rateLimited, b.carrier.rateLimited);
  info("carrier.transientErrors", a.carrier.transientErrors, b.carrier.transientErrors);
  info(
    "carrier.maxAcceptedRequestsPerSecond",
    a.carrier.maxAcceptedRequestsPerSecond,
    b.carrier.maxAcceptedRequestsPerSecond,
  );
  info("queue.received", a.queue.received, b.queue.received);
  info("queue.movedToDlq", a.queue.movedToDlq, b.queue.movedToDlq);
  info("lambda.invocations", a.lambda.invocations, b.lambda.invocations);
  info("lambda.throttles", a.lambda.throttles, b.lambda.throttles);
  info("lambda.maxConcurrent", a.lambda.maxConcurrent, b.lambda.maxConcurrent);
  info("lambda.gbSeconds", a.lambda.gbSeconds, b.lambda.gbSeconds);
  info("wallSeconds", a.wallSeconds, b.wallSeconds);
  return { rows, ok: rows.every((row) => row.ok !== false) };
}

/** sigmas standard deviations of the count with the larger variance, plus the floor. */
function statisticalBound(x: number, y: number, n: number, t: Tolerances): number {
  const variance = (count: number) => {
    const p = Math.min(1, count / n);
    return Math.max(1, t.chunk) * n * p * (1 - p);
  };
  return t.sigmas * Math.sqrt(Math.max(variance(x), variance(y))) + t.floor;
}

/** The comparison as a plain-text table, A and B labelled. */
export function formatComparison(comparison: Comparison, labels: readonly [string, string]): string {
  const header = { metric: "", a: labels[0], b: labels[1], allowed: "allowed", ok: null };
  const table = [header, ...comparison.rows];
  const width = (key: "metric" | "a" | "b" | "allowed") => Math.max(...table.map((row) => row[key].length));
  const widths = { metric: width("metric"), a: width("a"), b: width("b"), allowed: width("allowed") };
  const lines = table.map((row, i) => {
    const verdict = i === 0 ? "" : row.ok === null ? "" : row.ok ? "ok" : "FAIL";
    return [
      row.metric.padEnd(widths.metric),
      row.a.padStart(widths.a),
      row.b.padStart(widths.b),
      row.allowed.padEnd(widths.allowed),
      verdict,
    ]
      .join("  ")
      .trimEnd();
  });
  const failed = comparison.rows.filter((row) => row.ok === false).length;
  lines.push("", failed === 0 ? "agree within tolerances" : `${failed} check(s) outside tolerances`);
  return lines.join("\n");
}

function transitionsText(transitions: readonly { atSeconds: number; to: string }[]): string {
  return transitions.length === 0
    ? "none"
    : transitions.map((t) => `${t.to}@${round(t.atSeconds)}s`).join(" ");
}

function union(x: readonly string[], y: readonly string[]): string[] {
  return [...new Set([...x, ...y])];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function show(value: unknown): string {
  return typeof value === "number" ? String(round(value)) : String(value);
}
