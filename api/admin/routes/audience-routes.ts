import { AUDIENCE_FIELD_INFO } from "../audience-fields";
import type { AudiencePreview } from "../audience-preview";
import { AudienceFieldsReply, errorResponses, PreviewBody, PreviewReply } from "../schemas";
import type { AdminApp } from "../typebox-provider";

export function registerAudienceRoutes(app: AdminApp, { audiences }: { audiences: AudiencePreview }) {
  app.post(
    "/audiences/preview",
    {
      schema: {
        summary: "Count an audience and show a few of its users (phones masked)",
        tags: ["audiences"],
        body: PreviewBody,
        response: { 200: PreviewReply, ...errorResponses },
      },
    },
    async (request) => audiences.preview(request.body.audience, request.body.sampleSize ?? 5),
  );

  app.get(
    "/audiences/fields",
    {
      schema: {
        summary: "The user fields an audience filter may use, with their operators and values",
        tags: ["audiences"],
        response: { 200: AudienceFieldsReply, ...errorResponses },
      },
    },
    async () => AUDIENCE_FIELD_INFO,
  );
}
