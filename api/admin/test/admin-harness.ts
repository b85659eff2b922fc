import type { AddressInfo } from "node:net";
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Pool, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { encodeMessageBody, type MessageBody } from "../../../domain/message-body";
import type { TemplateOverrides } from "../../../infra/pipeline-config";
import { startTestElasticMq, type TestElasticMq } from "../../../test/support/elasticmq";
import { messageBody } from "../../../test/support/sqs-event";
import { createTestDatabase, type TestDatabase } from "../../../test/support/test-database";
import { createMessagingService } from "../../messaging-service";
import { createSqsMessageQueue } from "../../sqs-message-queue";
import { type AdminServerOptions, createAdminServer } from "../admin-server";
import type { AdminToken } from "../auth";
import type { AdminApp } from "../typebox-provider";

export { eventually } from "../../../test/support/eventually";

export const OPERATOR: AdminToken = { name: "olivia", role: "operator", token: "operator-token-0123456789" };
export const VIEWER: AdminToken = { name: "victor", role: "viewer", token: "viewer-token-0123456789ab" };

export interface Harness {
  url: string;
  app: AdminApp;
  db: TestDatabase;
  pool: Pool;
  sqs: { client: SQSClient; queueUrl: string; dlqUrl: string };
  /** fetch against the server; `token` null sends no Authorization header. */
  call(method: string, path: string, options?: CallOptions): Promise<Response>;
  close(): Promise<void>;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Backends {
  db: TestDatabase;
  mq: TestElasticMq;
  client: SQSClient;
}

/**
 * A real ElasticMQ (the template's two queues, after `overrides`) and a migrated MariaDB
 * database, for one test file.
 */
export async function startBackends(label: string, overrides: TemplateOverrides = {}): Promise<Backends> {
  const [db, mq] = await Promise.all([createTestDatabase(label), startTestElasticMq(overrides)]);
  return { db, mq, client: mq.client };
}

/** The admin server on port 0 over the given backends, with the real producer. */
export async function startAdmin(
  backends: Backends,
  overrides: Partial<AdminServerOptions> = {},
): Promise<Harness> {
  const { db, mq, client } = backends;
  const sqs = { client, queueUrl: mq.queueUrl, dlqUrl: mq.dlqUrl };
  const app = await createAdminServer({
    pool: db.pool,
    sqs,
    messaging: createMessagingService({ pool: db.pool, queue: createSqsMessageQueue(client, mq.queueUrl) }),
    tokens: [OPERATOR, VIEWER],
    failureReasonsRefreshMs: 0,
    logger: false,
    ...overrides,
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    db,
    pool: db.pool,
    sqs,
    call(method, path, { token = OPERATOR.token, body, headers = {} } = {}) {
      return fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
    },
    close: () => app.close(),
  };
}

export interface UserSeed {
  name?: string;
  phone?: string;
  marketing_opt_in?: boolean;
  tier?: "basic" | "silver" | "gold" | "vip";
  region?: string;
  signup_date?: string;
  last_order_at?: string | null;
}

/** Inserts users (ids follow insertion order from 1 in a fresh database); returns their ids. */
export async function seedUsers(pool: Pool, users: readonly UserSeed[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, u] of users.entries()) {
    const [result] = await pool.execute<ResultSetHeader>(
      `INSERT INTO users (name, phone, marketing_opt_in, tier, region, signup_date, last_order_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        u.name ?? `user ${i}`,
        u.phone ?? `010${String(10_000_000 + i).slice(-8)}`,
        (u.marketing_opt_in ?? true) ? 1 : 0,
        u.tier ?? "basic",
        u.region ?? "seoul",
        u.signup_date ?? "2024-01-15",
        u.last_order_at ?? null,
      ],
    );
    ids.push(result.insertId);
  }
  return ids;
}

/** A finished campaign row plus its FAILED results, as the consumer would have left them. */
export async function seedCampaignWithFailures(
  pool: Pool,
  failures: readonly { userId: number; errorCode: string | null; phone?: string }[],
  sent = 0,
): Promise<number> {
  const at = new Date("2026-03-01T09:00:00Z");
  const total = failures.length + sent;
  const [log] = await pool.execute<ResultSetHeader>(
    `INSERT INTO messaging_log (name, requested_by, requested_at, audience, content, total_count, queued_count,
       sent_count, failed_count, status, updated_at, completed_at)
     VALUES ('seeded', 'olivia', ?, '{"kind":"all"}', 'hello', ?, ?, ?, ?, 'PARTIAL', ?, ?)`,
    [at, total, total, sent, failures.length, at, at],
  );
  for (const f of failures) {
    await pool.execute(
      `INSERT INTO messaging_result (log_id, user_id, phone, status, error_code, attempts, updated_at)
       VALUES (?, ?, ?, 'FAILED', ?, 1, ?)`,
      [log.insertId, f.userId, f.phone ?? "01012345678", f.errorCode, at],
    );
  }
  return log.insertId;
}

/** Puts v1 bodies straight onto a queue (the DLQ, in these tests). */
export async function sendBodies(
  client: SQSClient,
  queueUrl: string,
  bodies: readonly (Partial<MessageBody> | string)[],
): Promise<void> {
  for (const body of bodies) {
    const raw = typeof body === "string" ? body : encodeMessageBody(messageBody(body));
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: raw }));
  }
}

export async function queueDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** The audit log's rows for one action, oldest first, with `detail` parsed. */
export async function auditRows(pool: Pool, action: string) {
  const [rows] = await pool.query<RowDataPacket[]>(
    "SELECT actor, role, action, target, detail, remote_addr FROM audit_log WHERE action = ? ORDER BY id",
    [action],
  );
  return rows.map((r) => ({
    actor: r.actor as string,
    role: r.role as string,
    action: r.action as string,
    target: r.target as string | null,
    detail: typeof r.detail === "string" ? JSON.parse(r.detail) : r.detail,
    remote_addr: r.remote_addr as string | null,
  }));
}

/** A reply's status and parsed JSON body, for assertions. */
export async function json(response: Response) {
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON replies
  return { status: response.status, body: (await response.json()) as any };
}
