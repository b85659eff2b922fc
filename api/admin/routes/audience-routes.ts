import { AUDIENCE_FIELD_INFO } from "../audience-fields";
import type { AudiencePreview } from "../audience-preview";
import { AudienceFieldsReply, PreviewBody, PreviewReply } from "../schemas";
import type { AdminApp } from "../typebox-provider";

export function registerAudienceRoutes(app: AdminApp, { audiences }: { audiences: AudiencePreview }) {
  app.post(
    "/audiences/preview",
    {
      schema: {
        operationId: "previewAudience",
        summary: "Count an audience and show a few of its users (phones masked)",
        tags: ["audiences"],
        body: PreviewBody,
        response: { 200: PreviewReply },
      },
    },
    async (request) => audiences.preview(request.body.audience, request.body.sampleSize ?? 5),
  );

  app.get(
    "/audiences/fields",
    {
      schema: {
        operationId: "listAudienceFields",
        summary: "The user fields an audience filter may use, with their operators and values",
        tags: ["audiences"],
        response: { 200: AudienceFieldsReply },
      },
    },
    async () =>
      AUDIENCE_FIELD_INFO.map((f) => ({ ...f, ops: [...f.ops], values: f.values && [...f.values] })),
  );
}
