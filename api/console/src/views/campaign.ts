import { ApiError, api, type CampaignDetail, type FailureRow, type Page } from "../api";
import { describeAudience } from "../audience-text";
import { fmt, h, replaceChildren } from "../dom";
import { FINAL_STATUSES, statusBadge } from "../status-badge";

const POLL_MS = 2000;
const FAILURE_PAGE_SIZE = 20;

/** One campaign's live progress; polls until every recipient has a final result. */
export function campaignView(root: HTMLElement, id: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let failuresShown = -1;
  const failuresEl = h("div", {});
  replaceChildren(root, h("p", { class: "muted" }, "Loading…"));

  async function poll() {
    try {
      const detail = await api.get<CampaignDetail>(`/campaigns/${id}`);
      if (stopped) return;
      render(detail);
      if (detail.failedCount !== failuresShown) {
        failuresShown = detail.failedCount;
        loadFailures();
      }
      if (!FINAL_STATUSES.has(detail.status)) timer = setTimeout(poll, POLL_MS);
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 404 ? `No campaign #${id}.` : String(error);
      replaceChildren(root, h("h1", {}, `Campaign #${id}`), h("p", { class: "error" }, message));
    }
  }

  async function loadFailures() {
    const page = await api.get<Page<FailureRow>>(
      `/campaigns/${id}/failures?page=1&pageSize=${FAILURE_PAGE_SIZE}`,
    );
    replaceChildren(failuresEl, failuresTable(id, page));
  }

  function render(c: CampaignDetail) {
    const p = c.progress;
    replaceChildren(
      root,
      h("div", { class: "title-row" }, h("h1", {}, c.name ?? `Campaign #${c.id}`), statusBadge(c.status)),
      h(
        "p",
        { class: "muted" },
        `#${c.id} · requested by ${c.requestedBy} at ${fmt.time(c.requestedAt)}`,
        c.completedAt ? ` · finished ${fmt.time(c.completedAt)}` : "",
      ),
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Progress"),
        c.status === "QUEUEING" ? h("p", { class: "muted" }, "Recipients are being put on the queue…") : null,
        progressBar(p),
        h(
          "div",
          { class: "stats", id: "progress" },
          stat("Recipients", p.total),
          stat("Queued", p.queued),
          stat("Sent", p.sent, "good"),
          stat("Failed", p.failed, "bad"),
          stat("Awaiting result", p.awaitingResult, "warn", "On the queue, in flight, or in the DLQ"),
          p.notYetQueued > 0 ? stat("Being enqueued", p.notYetQueued) : null,
          p.enqueueFailed > 0 ? stat("Could not enqueue", p.enqueueFailed, "bad") : null,
        ),
        p.awaitingResult > 0 && FINAL_STATUSES.has(c.status) === false
          ? h(
              "p",
              { class: "muted" },
              "Stuck? ",
              h("a", { href: `#/dlq?logId=${c.id}` }, "Look for this campaign in the DLQ"),
              ".",
            )
          : null,
      ),
      h(
        "div",
        { class: "grid two" },
        h(
          "section",
          { class: "card" },
          h("h2", {}, "Audience and message"),
          h("p", {}, describeAudience(c.audience)),
          c.templateId ? h("p", { class: "muted" }, `Template ${c.templateId}`) : null,
          h("blockquote", {}, c.content),
        ),
        h(
          "section",
          { class: "card" },
          h("h2", {}, "Failure reasons"),
          c.failureReasonsAsOf
            ? h("p", { class: "muted small" }, `Counted at ${fmt.time(c.failureReasonsAsOf)}`)
            : null,
          c.failureReasons.length === 0
            ? h("p", { class: "muted" }, "No failures.")
            : h(
                "table",
                { class: "compact", id: "failure-reasons" },
                h(
                  "tbody",
                  {},
                  c.failureReasons.map((r) =>
                    h("tr", {}, h("td", {}, r.errorCode), h("td", { class: "num" }, fmt.int(r.count))),
                  ),
                ),
              ),
        ),
      ),
      h("section", { class: "card" }, h("h2", {}, "Failed recipients"), failuresEl),
    );
  }

  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function progressBar(p: CampaignDetail["progress"]): HTMLElement {
  const parts: [string, number][] = [
    ["good", p.sent],
    ["bad", p.failed + p.enqueueFailed],
    ["warn", p.awaitingResult],
    ["idle", p.notYetQueued],
  ];
  const total = Math.max(1, p.total);
  return h(
    "div",
    { class: "bar", role: "img", "aria-label": `${fmt.pct(p.sent + p.failed, p.total)} done` },
    parts.map(([tone, n]) => {
      const segment = h("span", { class: tone, title: fmt.int(n) });
      segment.style.width = `${(100 * n) / total}%`;
      return segment;
    }),
  );
}

function stat(label: string, value: number, tone = "", title?: string): HTMLElement {
  return h(
    "div",
    { class: `stat ${tone}`, title },
    h("div", { class: "value" }, fmt.int(value)),
    h("div", { class: "label" }, label),
  );
}

function failuresTable(id: number, page: Page<FailureRow>): HTMLElement {
  if (page.total === 0) return h("p", { class: "muted" }, "None.");
  const download = h(
    "button",
    {
      type: "button",
      onclick: () => api.download(`/campaigns/${id}/failures?format=csv`, `campaign-${id}-failures.csv`),
    },
    `Download all ${fmt.int(page.total)} as CSV`,
  );
  return h(
    "div",
    {},
    h(
      "table",
      { class: "compact", id: "failures" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["User", "Phone", "Error", "Attempts", "At"].map((t) => h("th", {}, t)),
        ),
      ),
      h(
        "tbody",
        {},
        page.items.map((f) =>
          h(
            "tr",
            {},
            h("td", {}, f.userId),
            h("td", {}, f.phone),
            h("td", {}, f.errorCode ?? "—"),
            h("td", { class: "num" }, f.attempts),
            h("td", { class: "nowrap" }, fmt.time(f.updatedAt)),
          ),
        ),
      ),
    ),
    h(
      "div",
      { class: "actions" },
      page.total > page.items.length
        ? h("span", { class: "muted" }, `Showing ${page.items.length} of ${fmt.int(page.total)}`)
        : null,
      download,
    ),
  );
}
