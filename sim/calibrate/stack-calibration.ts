import { createHash, randomBytes } from "node:crypto";
import type { ResultSetHeader } from "mysql2/promise";
import { systemClock } from "../../domain/clock";
import { ValidationError } from "../../domain/errors";
import { encodeMessageBody, RECIPIENTS_PER_MESSAGE } from "../../domain/message-body";
import { createHttpCarrierClient } from "../../handler/carrier/http-carrier-client";
import { createMessagingHandler } from "../../handler/create-messaging-handler";
import { createJsonLogger } from "../../handler/logger";
import { createMysqlDeliveryStore } from "../../handler/mysql-delivery-store";
import type { CarrierPort, DeliveryStore } from "../../handler/ports";
import { loadPipelineConfig } from "../../infra/pipeline-config";
import { sqsEventOf, sqsRecordOf } from "../esm/sqs-event";
import { startLiveCarrier } from "../live/live-carrier";
import { createRunDatabase } from "../live/run-database";
import { handlerSettingsOf } from "../run/handler-settings";
import { CalibrationError } from "./errors";

export interface CalibrationOptions {
  /** MYSQL_URL: a throwaway database is created on its server and dropped afterwards. */
  mysqlUrl: string;
  /** SQS records to process (10 recipients each). */
  records?: number;
  /** Records in flight at once, as invocations of the function would have them. */
  concurrency?: number;
}

/** Milliseconds one kind of call took. */
export interface CallTimes {
  calls: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
}

export interface StackCalibration {
  records: number;
  concurrency: number;
  /** The three queries the handler makes per record, timed in the production MySQL store. */
  store: { findRecorded: CallTimes; findPhones: CallTimes; recordResults: CallTimes };
  /** Carrier calls to the mock carrier over HTTP with its own latency set to 0: the round trip. */
  carrier: CallTimes;
  /**
   * The scenario settings that make a virtual run pay what this stack pays: medians, not means. On a
   * shared machine the means carry other processes' CPU stalls, and a fixed per-call cost would
   * charge such a stall to every call.
   */
  settings: { storeQueryMs: number; carrierRoundTripMs: number };
}

const QUERIES = ["findRecorded", "findPhones", "recordResults"] as const;

/**
 * Measures what the virtual engine's models make instant, on the local stack as the live engine
 * starts it: a fresh MariaDB database seeded with users and the mock carrier over HTTP (answering
 * at once), driven by the production handler one record per event. Each store query and carrier
 * call is timed where the handler makes it.
 */
export async function calibrateStack(options: CalibrationOptions): Promise<StackCalibration> {
  const records = positiveInt("records", options.records ?? 500);
  const concurrency = positiveInt("concurrency", options.concurrency ?? 5);
  const users = records * RECIPIENTS_PER_MESSAGE;
  const runId = `calibrate${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const db = await createRunDatabase({
    mysqlUrl: options.mysqlUrl,
    runId,
    users: { count: users, invalidRate: 0 },
    seed: 1,
    connections: concurrency + 1,
  });
  const carrier = await startLiveCarrier({ seed: 1 }).catch(async (error) => {
    await db.dispose(false);
    throw error;
  });
  const http = createHttpCarrierClient({
    baseUrl: carrier.baseUrl,
    timeoutMs: 5_000,
    connections: concurrency,
  });
  try {
    await carrier.configure({ latencyMs: { dist: "fixed", value: 0 } });
    const [log] = await db.pool.execute<ResultSetHeader>(
      `INSERT INTO messaging_log (name, requested_by, requested_at, content, total_count, status, updated_at)
       VALUES ('smsim calibrate', 'smsim', NOW(3), 'calibrate', ?, 'SENDING', NOW(3))`,
      [users],
    );
    const times = { findRecorded: [], findPhones: [], recordResults: [], carrier: [] } as Record<
      (typeof QUERIES)[number] | "carrier",
      number[]
    >;
    const handler = createMessagingHandler({
      carrier: timedCarrier(http, times.carrier),
      store: timedStore(createMysqlDeliveryStore(db.pool), times),
      visibility: {
        changeVisibility: async () => {
          throw new CalibrationError(
            "the mock carrier deferred a record; it should answer every call at once",
          );
        },
      },
      clock: systemClock,
      settings: handlerSettingsOf(loadPipelineConfig().lambda),
      logger: createJsonLogger({ level: "silent" }),
    });
    let next = 0;
    const worker = async () => {
      for (let chunkId = next++; chunkId < records; chunkId = next++) {
        const response = await handler(eventFor(log.insertId, chunkId));
        if (response.batchItemFailures.length > 0) {
          throw new CalibrationError(
            `record ${chunkId} failed; the measurement needs every record to succeed`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, records) }, worker));
    const store = {
      findRecorded: callTimes(times.findRecorded),
      findPhones: callTimes(times.findPhones),
      recordResults: callTimes(times.recordResults),
    };
    const carrierTimes = callTimes(times.carrier);
    // Each record makes each query once: its typical store time is the sum of their medians.
    const storeQueryMs = round2(QUERIES.reduce((sum, q) => sum + store[q].p50Ms, 0) / QUERIES.length);
    return {
      records,
      concurrency,
      store,
      carrier: carrierTimes,
      settings: { storeQueryMs, carrierRoundTripMs: carrierTimes.p50Ms },
    };
  } finally {
    await http.close();
    await carrier.close();
    await db.dispose(false);
  }
}

/** The settings as `--set` flags, a YAML block and a TypeScript property, ready to paste. */
export function formatCalibration(c: StackCalibration): string {
  const { storeQueryMs, carrierRoundTripMs } = c.settings;
  const row = (name: string, t: CallTimes) =>
    `  ${name.padEnd(16)} ${String(t.calls).padStart(6)} calls  mean ${ms(t.meanMs)}  p50 ${ms(t.p50Ms)}  p95 ${ms(t.p95Ms)}`;
  return [
    `Measured ${c.records} records of ${RECIPIENTS_PER_MESSAGE} recipients, ${c.concurrency} at a time, through the production handler:`,
    row("findRecorded", c.store.findRecorded),
    row("findPhones", c.store.findPhones),
    row("recordResults", c.store.recordResults),
    row("carrier (HTTP)", c.carrier),
    "",
    "Settings that make a virtual run pay what this stack pays (from the medians):",
    `  --set stack.storeQueryMs=${storeQueryMs} --set stack.carrierRoundTripMs=${carrierRoundTripMs}`,
    "",
    "In a YAML scenario:",
    "  stack:",
    `    storeQueryMs: ${storeQueryMs}`,
    `    carrierRoundTripMs: ${carrierRoundTripMs}`,
    "",
    "In a TypeScript scenario:",
    `  stack: { storeQueryMs: ${storeQueryMs}, carrierRoundTripMs: ${carrierRoundTripMs} },`,
  ].join("\n");
}

function eventFor(logId: number, chunkId: number) {
  const first = chunkId * RECIPIENTS_PER_MESSAGE + 1;
  const userIds = Array.from({ length: RECIPIENTS_PER_MESSAGE }, (_, i) => first + i);
  const body = encodeMessageBody({ v: 1, logId, chunkId, userIds, content: "[smsim] calibrate" });
  const now = String(Date.now());
  const message = {
    messageId: `calibrate-${chunkId}`,
    receiptHandle: `calibrate-${chunkId}`,
    body,
    md5OfBody: createHash("md5").update(body).digest("hex"),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: now,
      SenderId: "SMSIMCALIBRATE",
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
  };
  return sqsEventOf([
    sqsRecordOf(message, { arn: "arn:aws:sqs:local:000000000000:calibrate", region: "local" }),
  ]);
}

async function timed<T>(into: number[], call: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await call();
  } finally {
    into.push(performance.now() - start);
  }
}

function timedStore(store: DeliveryStore, times: Record<(typeof QUERIES)[number], number[]>): DeliveryStore {
  return {
    findRecorded: (logId, userIds) => timed(times.findRecorded, () => store.findRecorded(logId, userIds)),
    findPhones: (userIds) => timed(times.findPhones, () => store.findPhones(userIds)),
    recordResults: (logId, results) => timed(times.recordResults, () => store.recordResults(logId, results)),
    recordMalformed: (message) => store.recordMalformed(message),
    recordAttempts: (attempts) => store.recordAttempts(attempts),
    countAttempts: (logId, chunkId) => store.countAttempts(logId, chunkId),
  };
}

function timedCarrier(carrier: CarrierPort, into: number[]): CarrierPort {
  return { sendBulk: (request, key) => timed(into, () => carrier.sendBulk(request, key)) };
}

function callTimes(samples: number[]): CallTimes {
  if (samples.length === 0) throw new CalibrationError("no call of this kind was made");
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return { calls: samples.length, meanMs: round2(mean), p50Ms: round2(at(50)), p95Ms: round2(at(95)) };
}

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new ValidationError(field, value, "must be a whole number >= 1");
  return value;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`.padStart(9);
}
