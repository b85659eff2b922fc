import { h } from "./dom";
import { tryT } from "./i18n";

const TONE: Record<string, string> = {
  QUEUEING: "info",
  QUEUED: "info",
  SENDING: "info",
  COMPLETED: "good",
  PARTIAL: "warn",
  FAILED: "bad",
  ENQUEUE_FAILED: "bad",
  RUNNING: "info",
  CANCELLED: "warn",
  OK: "good",
  ALARM: "bad",
  INSUFFICIENT_DATA: "warn",
};

export function statusBadge(status: string): HTMLElement {
  const words = tryT(`status.${status}`, status.replace(/_/g, " ").toLowerCase());
  return h("span", { class: `badge ${TONE[status] ?? "muted"}`, "data-status": status }, words);
}

/** Campaign states after which nothing changes any more. */
export const FINAL_STATUSES = new Set(["COMPLETED", "PARTIAL", "FAILED"]);
