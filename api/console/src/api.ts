const TOKEN_KEY = "smsim.adminToken";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthorized: () => void = () => {};

/** Called when the API refuses the token, so the page can ask for another. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function request(method: string, path: string, body?: unknown, accept = "application/json") {
  const headers: Record<string, string> = { accept, authorization: `Bearer ${token.get() ?? ""}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.ok) return response;
  const error = (await response.json().catch(() => ({}))) as {
    error?: string;
    message?: string;
    field?: string;
  };
  if (response.status === 401) onUnauthorized();
  throw new ApiError(
    response.status,
    error.error ?? `HTTP_${response.status}`,
    error.message ?? response.statusText,
    error.field,
  );
}

export const api = {
  get: async <T>(path: string): Promise<T> => (await request("GET", path)).json() as Promise<T>,
  post: async <T>(path: string, body: unknown): Promise<T> =>
    (await request("POST", path, body)).json() as Promise<T>,
  /** Fetches with the token and hands the browser the file to save. */
  async download(path: string, filename: string): Promise<void> {
    const blob = await (await request("GET", path, undefined, "text/csv")).blob();
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement("a"), { href: url, download: filename });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  },
};

export type { AudienceFieldInfo as FieldInfo } from "../../admin/audience-fields";
export type { Principal as Me } from "../../admin/auth";
export type { FailureRow, Page } from "../../admin/campaign-queries";
export type { DlqDepth, RedriveTask } from "../../admin/dlq-service";
// Type-only imports: esbuild drops them, so no server code reaches the browser bundle.
export type { AudienceCondition as Condition, AudienceSource } from "../../audience/compile-audience";

import type { Static } from "@sinclair/typebox";
import type {
  AlarmsReply,
  CampaignDetail as CampaignDetailSchema,
  CampaignSummary as CampaignSummarySchema,
  DlqReply,
  MovedReply,
  PreviewReply,
  PurgeReply,
} from "../../admin/schemas";

export type Alarms = Static<typeof AlarmsReply>;
export type Preview = Static<typeof PreviewReply>;
export type DlqView = Static<typeof DlqReply>;
export type DlqEntry = DlqView["items"][number];
export type Moved = Static<typeof MovedReply>;
export type Purged = Static<typeof PurgeReply>;
export type CampaignDetail = Static<typeof CampaignDetailSchema>;
export type CampaignSummary = Static<typeof CampaignSummarySchema>;
