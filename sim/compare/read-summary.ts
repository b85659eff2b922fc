import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ValidationError } from "../../domain/errors";
import { parseWith } from "../../domain/validation";
import type { ComparableSummary } from "./compare-summaries";

const count = z.number().nonnegative();
const state = z.enum(["OK", "ALARM", "INSUFFICIENT_DATA"]);

/** What compareSummaries reads of a summary.json; other fields are ignored. */
const summarySchema = z.object({
  scenario: z.string(),
  engine: z.enum(["virtual", "live"]),
  seed: z.number(),
  wallSeconds: count,
  recipients: z.object({
    requested: count,
    sent: count,
    failed: count,
    inDlq: count,
    pending: count,
    expired: count,
    unaccounted: z.number(),
  }),
  carrier: z.object({
    requests: count,
    accepted: count,
    rateLimited: count,
    transientErrors: count,
    timeouts: count,
    maxAcceptedRequestsPerSecond: count,
    duplicateDeliveries: count,
  }),
  queue: z.object({
    sent: count,
    received: count,
    deleted: count,
    movedToDlq: count,
    maxApproximateReceiveCount: count,
  }),
  lambda: z.object({
    invocations: count,
    errors: count,
    throttles: count,
    maxConcurrent: count,
    gbSeconds: count,
  }),
  campaigns: z.array(
    z.object({
      name: z.string(),
      recipients: count,
      startSeconds: count,
      drainSeconds: count,
      latencySeconds: z.object({ p50: count.nullable(), p95: count.nullable(), p99: count.nullable() }),
      dlq: z.object({ recipients: count, longestSeconds: count }),
      expiredRecipients: count,
    }),
  ),
  alarms: z.array(
    z.object({
      name: z.string(),
      transitions: z.array(z.object({ atSeconds: count, from: state, to: state })),
    }),
  ),
});

/** Reads a run's summary.json; a missing file, bad JSON or a missing field names the file. */
export async function readSummaryFile(path: string): Promise<ComparableSummary> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ValidationError("summary", path, `cannot read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError("summary", path, `not JSON: ${(error as Error).message}`);
  }
  return parseWith(summarySchema, json, path);
}
