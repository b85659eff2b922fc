import { Type } from "@sinclair/typebox";
import { ValidationError } from "../../../domain/errors";
import { type DlqEntry, type DlqIndex, matches } from "../dlq-index";
import { type DlqService, touchesOf } from "../dlq-service";
import type { RecordChange } from "../record-change";
import {
  CampaignTouch,
  DlqQuery,
  DlqReply,
  errorReply,
  MovedReply,
  PurgeBody,
  PurgeReply,
  RedriveBody,
  RedriveSelectedBody,
  RedriveTask,
} from "../schemas";
import type { AdminApp } from "../typebox-provider";

export interface DlqRoutesDeps {
  dlq: DlqService;
  index: DlqIndex;
  recordChange: RecordChange;
}

const INDEX_NOTE =
  "The DLQ is read through once and kept: refreshing re-reads only its depth, and reads the messages " +
  "again when the depth changes or after an action. Each read is a receive that real SQS adds to " +
  "ApproximateReceiveCount (receiveCount); receiveCountAtMove and the failure come from the handler's " +
  "attempt rows, which reading does not change.";

const conflict = { 409: errorReply, 502: errorReply };

export function registerDlqRoutes(app: AdminApp, { dlq, index, recordChange }: DlqRoutesDeps) {
  app.get(
    "/dlq",
    {
      schema: {
        operationId: "getDlq",
        summary: "The whole DLQ, filtered by campaign and error code, paged, with why each message failed",
        tags: ["dlq"],
        querystring: DlqQuery,
        response: { 200: DlqReply, 502: errorReply },
      },
    },
    async (request) => {
      const { page, pageSize, logId, errorCode, refresh } = request.query;
      const snapshot = await index.snapshot(refresh);
      const matching = snapshot.entries.filter((m) => matches(m, { logId, errorCode }));
      return {
        queue: dlq.dlqName,
        depth: snapshot.depth,
        scannedAt: snapshot.scannedAt,
        complete: snapshot.complete,
        total: snapshot.entries.length,
        matching: matching.length,
        page,
        pageSize,
        items: matching.slice((page - 1) * pageSize, page * pageSize),
        campaigns: touchesOf(snapshot.entries).campaigns,
        errorCodes: countCodes(snapshot.entries),
        note: INDEX_NOTE,
      };
    },
  );

  app.post(
    "/dlq/redrive",
    {
      config: { role: "operator" },
      schema: {
        operationId: "startRedrive",
        summary: "Move every DLQ message back to the source queue (StartMessageMoveTask)",
        tags: ["dlq"],
        body: RedriveBody,
        response: {
          202: Type.Object(
            { taskHandle: Type.String(), campaigns: Type.Array(CampaignTouch) },
            { title: "RedriveStarted" },
          ),
          ...conflict,
        },
      },
    },
    async (request, reply) => {
      const { maxPerSecond } = request.body ?? {};
      const depth = await dlq.depth();
      const { taskHandle, campaigns } = await dlq.startRedrive({ maxPerSecond });
      index.invalidate();
      await recordChange(request, {
        action: "dlq.redrive",
        target: dlq.dlqName,
        detail: {
          scope: "all",
          taskHandle,
          maxPerSecond: maxPerSecond ?? null,
          depthBefore: depth,
          messages: campaigns.reduce((n, c) => n + c.messages, 0),
          recipients: campaigns.reduce((n, c) => n + c.recipients, 0),
          campaigns,
        },
      });
      return reply.status(202).send({ taskHandle, campaigns });
    },
  );

  app.post(
    "/dlq/messages/redrive",
    {
      config: { role: "operator" },
      schema: {
        operationId: "redriveSelected",
        summary: "Move one campaign's DLQ messages, or the ones named, back to the source queue",
        description:
          "Reads the DLQ through, sends each matching message to the source queue and then deletes it " +
          "from the DLQ (a crash in between leaves a copy on both, which the handler's idempotency absorbs). " +
          "Refused while a redrive task runs.",
        tags: ["dlq"],
        body: RedriveSelectedBody,
        response: { 200: MovedReply, ...conflict },
      },
    },
    async (request) => {
      const { logId, messageIds } = request.body;
      if (logId === undefined && messageIds === undefined) {
        throw new ValidationError("logId", undefined, "name a campaign (logId) or the messages (messageIds)");
      }
      const moved = await dlq.move({ logId, messageIds });
      index.invalidate();
      await recordChange(request, {
        action: "dlq.redrive",
        target: dlq.dlqName,
        detail: { scope: messageIds ? "selected" : "campaign", logId: logId ?? null, messageIds, ...moved },
      });
      return moved;
    },
  );

  app.get(
    "/dlq/redrive",
    {
      schema: {
        operationId: "listRedriveTasks",
        summary: "Recent redrive tasks and their progress (ListMessageMoveTasks)",
        tags: ["dlq"],
        response: {
          200: Type.Object({ tasks: Type.Array(RedriveTask) }, { title: "RedriveTaskList" }),
          502: errorReply,
        },
      },
    },
    async () => ({ tasks: await dlq.redriveTasks() }),
  );

  app.post(
    "/dlq/purge",
    {
      config: { role: "operator" },
      schema: {
        operationId: "purgeDlq",
        summary:
          "Delete every DLQ message, recording its recipients FAILED (PURGED); the body must name the queue",
        description:
          "Recipients without a result get FAILED with code PURGED (the detail names the last failure), " +
          "so their campaigns finish. 409 while a redrive task runs.",
        tags: ["dlq"],
        body: PurgeBody,
        response: { 200: PurgeReply, ...conflict },
      },
    },
    async (request) => {
      const depth = await dlq.depth();
      const purged = await dlq.purge(request.body.confirm);
      index.invalidate();
      await recordChange(request, {
        action: "dlq.purge",
        target: dlq.dlqName,
        detail: { depthBefore: depth, ...purged },
      });
      return { purged: true as const, ...purged };
    },
  );
}

/** Messages per last error code, most first; null counts those without attempt rows. */
function countCodes(entries: readonly DlqEntry[]): { errorCode: string | null; messages: number }[] {
  const counts = new Map<string | null, number>();
  for (const e of entries) counts.set(e.errorCode, (counts.get(e.errorCode) ?? 0) + 1);
  return [...counts]
    .map(([errorCode, messages]) => ({ errorCode, messages }))
    .sort((a, b) => b.messages - a.messages || String(a.errorCode).localeCompare(String(b.errorCode)));
}
