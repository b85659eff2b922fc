import { userInfo } from "node:os";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Command } from "commander";
import type { Pool } from "mysql2/promise";
import { createAuditLog } from "../../api/admin/audit-log";
import {
  type CampaignTouch,
  createDlqService,
  type DlqMessage,
  type DlqService,
  MAX_PEEK,
} from "../../api/admin/dlq-service";
import { createMysqlPool } from "../../domain/db/mysql";
import { readEnv, type SmsimEnv } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { createSqsClient, type QueueUrls, resolveQueueUrls } from "../../domain/sqs-client";
import { loadPipelineConfig } from "../../infra/pipeline-config";

const REDRIVE_POLL_MS = 1000;

/** The SQS client and both queue URLs for this environment (SQS_ENDPOINT, QUEUE_URL, DLQ_URL). */
export async function connectQueues(env: SmsimEnv): Promise<{ client: SQSClient } & QueueUrls> {
  const client = createSqsClient(env);
  return { client, ...(await resolveQueueUrls(client, loadPipelineConfig(), env)) };
}

export function registerDlqCommand(program: Command): void {
  const dlq = program.command("dlq").description("Inspect and act on the dead-letter queue");

  dlq
    .command("ls")
    .description("Show the DLQ's depth and peek at its messages (they stay on the queue)")
    .option("--limit <n>", `messages to peek, 1-${MAX_PEEK}`, "10")
    .action((flags: { limit: string }) =>
      withDlq(async (service) => {
        const { depth, messages } = await service.inspect(intFlag("--limit", flags.limit));
        out(
          `${service.dlqName}: ${depth.visible} visible, ${depth.inFlight} in flight, ${depth.delayed} delayed`,
        );
        if (messages.length > 0) out(table(messages));
      }),
    );

  dlq
    .command("show")
    .description("Print one DLQ message: its routing fields and body")
    .argument("<messageId>")
    .action((messageId: string) =>
      withDlq(async (service) => {
        const { body, ...message } = await service.show(messageId);
        out(JSON.stringify({ ...message, body: parsedOrRaw(body) }, null, 2));
      }),
    );

  dlq
    .command("redrive")
    .description("Move every DLQ message back to the source queue (StartMessageMoveTask)")
    .option("--max-per-second <n>", "move at most this many messages a second (1-500)")
    .option("--wait", "follow the task until it ends")
    .action((flags: { maxPerSecond?: string; wait?: boolean }) =>
      withDlq(async (service, pool) => {
        const maxPerSecond =
          flags.maxPerSecond === undefined ? undefined : intFlag("--max-per-second", flags.maxPerSecond);
        const depth = await service.depth();
        const { taskHandle, campaigns } = await service.startRedrive({ maxPerSecond });
        await audit(pool, "dlq.redrive", service.dlqName, {
          taskHandle,
          maxPerSecond: maxPerSecond ?? null,
          depthBefore: depth,
          campaigns,
        });
        out(`redrive started: ${taskHandle} (${describeTouches(campaigns)})`);
        if (flags.wait) await follow(service, taskHandle);
      }),
    );

  dlq
    .command("purge")
    .description("Delete every DLQ message (needs --yes)")
    .option("--yes", "confirm: delete every message for good")
    .action((flags: { yes?: boolean }) =>
      withDlq(async (service, pool) => {
        if (!flags.yes)
          throw new ValidationError("--yes", undefined, `purge deletes every message in ${service.dlqName}`);
        const depth = await service.depth();
        const purged = await service.purge(service.dlqName);
        await audit(pool, "dlq.purge", service.dlqName, { depthBefore: depth, ...purged });
        const settled = purged.campaigns.reduce((n, c) => n + c.settled, 0);
        out(
          `purged ${service.dlqName}: ${purged.messages} messages (${describeTouches(purged.campaigns)}); ` +
            `${settled} recipients recorded FAILED (PURGED)`,
        );
      }),
    );
}

async function withDlq(run: (service: DlqService, pool: Pool) => Promise<void>): Promise<void> {
  const env = readEnv();
  const { client, queueUrl, dlqUrl } = await connectQueues(env);
  const pool = createMysqlPool(env.mysqlUrl, { connectionLimit: 2 });
  try {
    await run(createDlqService({ client, queueUrl, dlqUrl, pool }), pool);
  } finally {
    client.destroy();
    await pool.end();
  }
}

/** CLI changes are audited like the API's, as `cli:<OS user>`. */
async function audit(
  pool: Pool,
  action: "dlq.redrive" | "dlq.purge",
  target: string,
  detail: unknown,
): Promise<void> {
  await createAuditLog(pool).record({
    actor: `cli:${userInfo().username}`,
    role: "operator",
    action,
    target,
    detail,
    remoteAddr: null,
  });
}

function describeTouches(campaigns: readonly CampaignTouch[]): string {
  if (campaigns.length === 0) return "no campaigns";
  return campaigns
    .map((c) => `${c.logId === null ? "unreadable" : `campaign ${c.logId}`}: ${c.recipients} recipients`)
    .join(", ");
}

async function follow(service: DlqService, taskHandle: string): Promise<void> {
  for (;;) {
    const tasks = await service.redriveTasks();
    // SQS names only running tasks by handle; a finished one is the newest in the list.
    const task = tasks.find((t) => t.taskHandle === taskHandle) ?? tasks[0];
    if (!task) return out("no redrive task found");
    out(`${task.status}: ${task.moved} / ${task.toMove === null ? "?" : task.moved + task.toMove} moved`);
    if (task.status !== "RUNNING") return;
    await new Promise((resolve) => setTimeout(resolve, REDRIVE_POLL_MS));
  }
}

function table(messages: readonly DlqMessage[]): string {
  const rows = messages.map((m) => [
    m.messageId,
    m.logId === null ? "unreadable" : String(m.logId),
    m.chunkId === null ? "-" : String(m.chunkId),
    String(m.receiveCount),
    lastFailure(m),
    m.parseError ?? m.userIds.join(" "),
  ]);
  const all = [["MESSAGE ID", "LOG", "CHUNK", "RECEIVES", "LAST FAILURE", "USERS"], ...rows];
  const widths = all[0]?.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0))) ?? [];
  return all
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** "CARRIER_HTTP_503 (3x): carrier SERVER_ERROR: HTTP 503: SERVICE_UNAVAILABLE: carrier outage" */
function lastFailure(message: DlqMessage): string {
  const last = message.failures.at(-1);
  if (!last) return "-";
  const text = `${last.code} (${message.failures.length}x): ${last.detail}`;
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function parsedOrRaw(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function intFlag(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new ValidationError(flag, value, "expected a whole number");
  return n;
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}
