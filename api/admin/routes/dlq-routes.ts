import { Type } from "@sinclair/typebox";
import type { DlqService } from "../dlq-service";
import type { RecordChange } from "../record-change";
import {
  CampaignTouch,
  DlqQuery,
  DlqReply,
  errorResponses,
  PurgeBody,
  PurgeReply,
  RedriveBody,
  RedriveTask,
} from "../schemas";
import type { AdminApp } from "../typebox-provider";

export interface DlqRoutesDeps {
  dlq: DlqService;
  recordChange: RecordChange;
}

const PEEK_NOTE =
  "Messages are peeked with VisibilityTimeout 0 and stay on the queue. On real SQS a peek still counts " +
  "as a receive (ApproximateReceiveCount grows), and one peek sees at most a sample of a deep queue.";

const conflict = { 409: Type.Ref("ErrorBody"), 502: Type.Ref("ErrorBody") };

export function registerDlqRoutes(app: AdminApp, { dlq, recordChange }: DlqRoutesDeps) {
  app.get(
    "/dlq",
    {
      schema: {
        summary: "DLQ depth and a peek at its messages (not consumed)",
        tags: ["dlq"],
        querystring: DlqQuery,
        response: { 200: DlqReply, ...errorResponses, 502: Type.Ref("ErrorBody") },
      },
    },
    async (request) => {
      const { limit, logId } = request.query;
      const { depth, messages } = await dlq.inspect(limit);
      return {
        queue: dlq.dlqName,
        depth,
        messages: logId === undefined ? messages : messages.filter((m) => m.logId === logId),
        note: PEEK_NOTE,
      };
    },
  );

  app.post(
    "/dlq/redrive",
    {
      config: { role: "operator" },
      schema: {
        summary: "Move every DLQ message back to the source queue (StartMessageMoveTask)",
        tags: ["dlq"],
        body: RedriveBody,
        response: {
          202: Type.Object({ taskHandle: Type.String(), campaigns: Type.Array(CampaignTouch) }),
          ...errorResponses,
          ...conflict,
        },
      },
    },
    async (request, reply) => {
      const { maxPerSecond } = request.body ?? {};
      const depth = await dlq.depth();
      const { taskHandle, campaigns } = await dlq.startRedrive({ maxPerSecond });
      await recordChange(request, {
        action: "dlq.redrive",
        target: dlq.dlqName,
        detail: { taskHandle, maxPerSecond: maxPerSecond ?? null, depthBefore: depth, campaigns },
      });
      return reply.status(202).send({ taskHandle, campaigns });
    },
  );

  app.get(
    "/dlq/redrive",
    {
      schema: {
        summary: "Recent redrive tasks and their progress (ListMessageMoveTasks)",
        tags: ["dlq"],
        response: { 200: Type.Object({ tasks: Type.Array(RedriveTask) }), ...errorResponses },
      },
    },
    async () => ({ tasks: await dlq.redriveTasks() }),
  );

  app.post(
    "/dlq/purge",
    {
      config: { role: "operator" },
      schema: {
        summary:
          "Delete every DLQ message, recording its recipients FAILED (PURGED); the body must name the queue",
        description:
          "Recipients without a result get FAILED with code PURGED (the detail names the last failure), " +
          "so their campaigns finish. 409 while a redrive task runs.",
        tags: ["dlq"],
        body: PurgeBody,
        response: { 200: PurgeReply, ...errorResponses, ...conflict },
      },
    },
    async (request) => {
      const depth = await dlq.depth();
      const purged = await dlq.purge(request.body.confirm);
      await recordChange(request, {
        action: "dlq.purge",
        target: dlq.dlqName,
        detail: { depthBefore: depth, ...purged },
      });
      return { purged: true as const, ...purged };
    },
  );
}
