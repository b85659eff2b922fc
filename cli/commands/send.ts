import { userInfo } from "node:os";
import type { Command } from "commander";
import { createAuditLog } from "../../api/admin/audit-log";
import type { AudienceSource } from "../../api/audience/compile-audience";
import { createMessagingService, type SendBulkMessageInput } from "../../api/messaging-service";
import { createSqsMessageQueue } from "../../api/sqs-message-queue";
import { createMysqlPool } from "../../domain/db/mysql";
import { readEnv } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { createSqsClient, resolveQueueUrls } from "../../domain/sqs-client";
import { createJsonLogger } from "../../handler/logger";
import { loadPipelineConfig } from "../../infra/pipeline-config";

interface SendFlags {
  userIds?: string;
  allUsers?: boolean;
  resume?: string;
  content?: string;
  templateId?: string;
  requestedBy?: string;
  name?: string;
  concurrency: string;
}

const USER_IDS_SHAPE = "expected <from>-<to> or a comma list";

/**
 * `--user-ids 1-5000` is the users whose id is in that range (read from MySQL, streamed);
 * `--user-ids 3,8,12` is exactly those IDs.
 */
export function parseUserIdsFlag(value: string): Pick<SendBulkMessageInput, "audience" | "userIds"> {
  const positive = (text: string) =>
    /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) && Number(text) > 0;
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value);
  if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (!positive(range[1] ?? "") || !positive(range[2] ?? "") || from > to) {
      throw new ValidationError("--user-ids", value, USER_IDS_SHAPE);
    }
    return { audience: { kind: "range", from, to } satisfies AudienceSource };
  }
  const parts = value.split(",").map((part) => part.trim());
  if (!parts.every(positive)) throw new ValidationError("--user-ids", value, USER_IDS_SHAPE);
  return { userIds: parts.map(Number) };
}

export function registerSendCommand(program: Command): void {
  program
    .command("send")
    .description("Enqueue a campaign on the configured queue (SQS_ENDPOINT, MYSQL_URL) and print its log id")
    .option("--user-ids <ids>", "users by id: <from>-<to> (those that exist) or a comma list")
    .option("--all-users", "every user in the users table")
    .option("--content <text>", "the message text")
    .option("--resume <logId>", "continue an interrupted campaign from its checkpoint (no other flags)")
    .option("--template-id <id>", "carrier template id")
    .option("--requested-by <name>", "who asks, kept in the campaign log (default cli:<OS user>)")
    .option("--name <name>", "campaign name")
    .option("--concurrency <n>", "SendMessageBatch calls in flight", "12")
    .action(async (flags: SendFlags) => {
      const concurrency = Number(flags.concurrency);
      if (!/^\d+$/.test(flags.concurrency) || concurrency < 1) {
        throw new ValidationError("--concurrency", flags.concurrency, "expected a whole number >= 1");
      }
      const actor = `cli:${userInfo().username}`;
      const env = readEnv();
      const client = createSqsClient(env);
      const pool = createMysqlPool(env.mysqlUrl, { connectionLimit: 3 });
      try {
        const { queueUrl } = await resolveQueueUrls(client, loadPipelineConfig(), env);
        const service = createMessagingService({
          pool,
          queue: createSqsMessageQueue(client, queueUrl),
          concurrency,
          logger: createJsonLogger({ level: "warn", write: (line) => process.stderr.write(`${line}\n`) }),
        });
        if (flags.resume !== undefined) {
          const logId = resumeTarget(flags);
          const resumed = await service.resumeBulkMessage(logId);
          await createAuditLog(pool).record({
            actor,
            role: "operator",
            action: "campaign.resume",
            target: `campaign:${logId}`,
            detail: { fromChunk: resumed.fromChunk, afterUserId: resumed.afterUserId },
            remoteAddr: null,
          });
          process.stderr.write(
            `resuming campaign ${logId} at chunk ${resumed.fromChunk} (users after ${resumed.afterUserId})\n`,
          );
          const result = await resumed.done;
          process.stdout.write(`${JSON.stringify(result)}\n`);
          if (result.status !== "QUEUED") process.exitCode = 1;
          return;
        }
        const recipients = recipientsOf(flags);
        if (flags.content === undefined)
          throw new ValidationError("--content", undefined, "give the message text");
        const input = {
          requestedBy: flags.requestedBy ?? actor,
          name: flags.name,
          content: flags.content,
          templateId: flags.templateId,
          ...recipients,
        };
        const { logId, done } = await service.startBulkMessage(input);
        // Audited as soon as the campaign exists, so an enqueue that fails part-way is on record too.
        await createAuditLog(pool).record({
          actor,
          role: "operator",
          action: "campaign.create",
          target: `campaign:${logId}`,
          detail: {
            name: flags.name ?? null,
            templateId: flags.templateId ?? null,
            audience: recipients.audience ?? { kind: "userIds", count: recipients.userIds?.length },
          },
          remoteAddr: null,
        });
        const result = await done;
        process.stdout.write(`${JSON.stringify(result)}\n`);
        if (result.status !== "QUEUED") process.exitCode = 1;
      } finally {
        client.destroy();
        await pool.end();
      }
    });
}

const CAMPAIGN_FLAGS = {
  userIds: "--user-ids",
  allUsers: "--all-users",
  content: "--content",
  templateId: "--template-id",
  name: "--name",
} as const;

/** `--resume` takes the campaign as it was created: other campaign flags would be ignored, so they are refused. */
function resumeTarget(flags: SendFlags): number {
  const extra = Object.entries(CAMPAIGN_FLAGS).find(([key]) => flags[key as keyof SendFlags] !== undefined);
  if (extra)
    throw new ValidationError("--resume", flags.resume, `give no other campaign flags (got ${extra[1]})`);
  const logId = Number(flags.resume);
  if (!/^\d+$/.test(flags.resume ?? "") || !Number.isSafeInteger(logId) || logId < 1) {
    throw new ValidationError("--resume", flags.resume, "expected a campaign's log id");
  }
  return logId;
}

function recipientsOf(flags: SendFlags): Pick<SendBulkMessageInput, "audience" | "userIds"> {
  if (flags.userIds !== undefined && flags.allUsers) {
    throw new ValidationError("--user-ids", flags.userIds, "give either --user-ids or --all-users, not both");
  }
  if (flags.allUsers) return { audience: { kind: "all" } };
  if (flags.userIds === undefined)
    throw new ValidationError("--user-ids", undefined, "give --user-ids or --all-users");
  return parseUserIdsFlag(flags.userIds);
}
