import { Readable } from "node:stream";
import { Type } from "@sinclair/typebox";
import { parseAudience } from "../../audience/compile-audience";
import { principalOf } from "../access-control";
import type { CampaignLauncher } from "../campaign-launcher";
import type { CampaignQueries, FailureRow } from "../campaign-queries";
import { csvLine } from "../csv";
import type { DlqIndex } from "../dlq-index";
import { touchesOf } from "../dlq-service";
import { NotFoundError } from "../errors";
import type { RecordChange } from "../record-change";
import {
  CampaignDetail,
  CampaignSummary,
  CreateCampaignBody,
  CreateCampaignReply,
  errorReply,
  FailureRow as FailureRowSchema,
  FailuresQuery,
  IdParams,
  Paging,
  pageOf,
  ResumeCampaignReply,
} from "../schemas";
import type { AdminApp } from "../typebox-provider";

export interface CampaignRoutesDeps {
  launcher: CampaignLauncher;
  campaigns: CampaignQueries;
  index: DlqIndex;
  recordChange: RecordChange;
}

const CSV_HEADER = ["user_id", "phone", "error_code", "error_detail", "attempts", "updated_at"];

export function registerCampaignRoutes(
  app: AdminApp,
  { launcher, campaigns, index, recordChange }: CampaignRoutesDeps,
) {
  /** Each campaign's share of the DLQ, from the index's snapshot. */
  const dlqShares = async () => {
    const shares = new Map<number | null, { messages: number; recipients: number }>();
    for (const c of touchesOf((await index.snapshot()).entries).campaigns)
      shares.set(c.logId, { messages: c.messages, recipients: c.recipients });
    return (logId: number) => shares.get(logId) ?? { messages: 0, recipients: 0 };
  };

  app.post(
    "/campaigns",
    {
      config: { role: "operator" },
      schema: {
        operationId: "createCampaign",
        summary: "Send a campaign",
        description:
          "Creates the campaign and answers 202 at once; recipients are enqueued in the background " +
          "(follow GET /campaigns/{id}).",
        tags: ["campaigns"],
        body: CreateCampaignBody,
        response: { 202: CreateCampaignReply, 422: errorReply },
      },
    },
    async (request, reply) => {
      const { name, content, templateId, audience } = request.body;
      const { logId, totalCount } = await launcher.launch({
        requestedBy: principalOf(request).name,
        name,
        content,
        templateId,
        audience: parseAudience(audience),
      });
      await recordChange(request, {
        action: "campaign.create",
        target: `campaign:${logId}`,
        detail: { name, templateId: templateId ?? null, audience, totalCount },
      });
      return reply
        .status(202)
        .header("location", `/campaigns/${logId}`)
        .send({ logId, queuedCount: totalCount, status: "QUEUEING" });
    },
  );

  app.post(
    "/campaigns/:id/resume",
    {
      config: { role: "operator" },
      schema: {
        operationId: "resumeCampaign",
        summary: "Continue an interrupted campaign's enqueue from its checkpoint",
        description:
          "For a campaign whose producer died mid-enqueue (GET /campaigns/{id} shows interrupted: true). " +
          "Chunks below the checkpoint are not sent again; 409 when the campaign is finished or still enqueueing.",
        tags: ["campaigns"],
        params: IdParams,
        response: {
          202: ResumeCampaignReply,
          404: errorReply,
          409: errorReply,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const resumed = await launcher.resume(id);
      await recordChange(request, {
        action: "campaign.resume",
        target: `campaign:${id}`,
        detail: { fromChunk: resumed.fromChunk, afterUserId: resumed.afterUserId },
      });
      return reply
        .status(202)
        .header("location", `/campaigns/${id}`)
        .send({ ...resumed, status: "QUEUEING" as const });
    },
  );

  app.get(
    "/campaigns",
    {
      schema: {
        operationId: "listCampaigns",
        summary: "Campaign history, newest first",
        tags: ["campaigns"],
        querystring: Type.Object(Paging),
        response: { 200: pageOf(CampaignSummary, "CampaignPage") },
      },
    },
    async (request) => {
      const [page, shareOf] = await Promise.all([campaigns.list(request.query), dlqShares()]);
      return { ...page, items: page.items.map((c) => ({ ...c, dlq: shareOf(c.id) })) };
    },
  );

  app.get(
    "/campaigns/:id",
    {
      schema: {
        operationId: "getCampaign",
        summary: "One campaign's progress, failure reasons, failed attempts so far, and DLQ share",
        tags: ["campaigns"],
        params: IdParams,
        response: { 200: CampaignDetail, 404: errorReply },
      },
    },
    async (request) => {
      const { id } = request.params;
      const [detail, shareOf] = await Promise.all([campaigns.get(id), dlqShares()]);
      if (!detail) throw new NotFoundError(`campaign ${id}`);
      return { ...detail, dlq: shareOf(id) };
    },
  );

  app.get(
    "/campaigns/:id/failures",
    {
      schema: {
        operationId: "listCampaignFailures",
        summary: "Failed recipients, paged; ?format=csv or Accept: text/csv streams all of them as CSV",
        tags: ["campaigns"],
        params: IdParams,
        querystring: FailuresQuery,
        produces: ["application/json", "text/csv"],
        response: { 200: pageOf(FailureRowSchema, "FailurePage"), 404: errorReply },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { format, ...paging } = request.query;
      const wantsCsv =
        format === "csv" || (format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ""));
      const page = await campaigns.failures(id, paging);
      if (!page) throw new NotFoundError(`campaign ${id}`);
      if (!wantsCsv) return page;
      // An export takes recipients' (masked) data out of the console: audited like a change.
      await recordChange(request, {
        action: "campaign.export",
        target: `campaign:${id}`,
        detail: { format: "csv", rows: page.total },
      });
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="campaign-${id}-failures.csv"`)
        .send(Readable.from(csvRows(campaigns.streamFailures(id))));
    },
  );
}

async function* csvRows(rows: AsyncIterable<FailureRow>): AsyncGenerator<string> {
  yield csvLine(CSV_HEADER);
  for await (const r of rows) {
    yield csvLine([r.userId, r.phone, r.errorCode, r.errorDetail, r.attempts, r.updatedAt]);
  }
}
