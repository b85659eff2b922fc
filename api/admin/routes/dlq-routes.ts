import { Type } from "@sinclair/typebox";
import type { DlqService } from "../dlq-service";
import type { RecordChange } from "../record-change";
import { DlqQuery, DlqReply, errorReply, PurgeBody, RedriveBody, RedriveTask } from "../schemas";
import type { AdminApp } from "../typebox-provider";

export interface DlqRoutesDeps {
  dlq: DlqService;
  recordChange: RecordChange;
}

const PEEK_NOTE =
  "Messages are peeked with VisibilityTimeout 0 and stay on the queue. On real SQS a peek still counts " +
  "as a receive (ApproximateReceiveCount grows), and one peek sees at most a sample of a deep queue.";

const conflict = { 409: errorReply, 502: errorReply };

export function registerDlqRoutes(app: AdminApp, { dlq, recordChange }: DlqRoutesDeps) {
  app.get(
    "/dlq",
    {
      schema: {
        operationId: "getDlq",
        summary: "DLQ depth and a peek at its messages (not consumed)",
        tags: ["dlq"],
        querystring: DlqQuery,
        response: { 200: DlqReply, 502: errorReply },
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
        operationId: "startRedrive",
        summary: "Move every DLQ message back to the source queue (StartMessageMoveTask)",
        tags: ["dlq"],
        body: RedriveBody,
        response: {
          202: Type.Object({ taskHandle: Type.String() }, { title: "RedriveStarted" }),
          ...conflict,
        },
      },
    },
    async (request, reply) => {
      const { maxPerSecond } = request.body ?? {};
      const depth = await dlq.depth();
      const { taskHandle } = await dlq.startRedrive({ maxPerSecond });
      await recordChange(request, {
        action: "dlq.redrive",
        target: dlq.dlqName,
        detail: { taskHandle, maxPerSecond: maxPerSecond ?? null, depthBefore: depth },
      });
      return reply.status(202).send({ taskHandle });
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
        summary: "Delete every DLQ message; the body must name the queue",
        tags: ["dlq"],
        body: PurgeBody,
        response: {
          200: Type.Object(
            { purged: Type.Literal(true), approximateCount: Type.Integer() },
            { title: "PurgeReply" },
          ),
          ...conflict,
        },
      },
    },
    async (request) => {
      const depth = await dlq.depth();
      await dlq.purge(request.body.confirm);
      const approximateCount = depth.visible + depth.inFlight + depth.delayed;
      await recordChange(request, {
        action: "dlq.purge",
        target: dlq.dlqName,
        detail: { depthBefore: depth },
      });
      return { purged: true as const, approximateCount };
    },
  );
}
