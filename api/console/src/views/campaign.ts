import { ApiError, api, type CampaignDetail, type FailureRow, type Page } from "../api";
import { describeAudience } from "../audience-text";
import { fmt, h, replaceChildren } from "../dom";
import { t } from "../i18n";
import { FINAL_STATUSES, statusBadge } from "../status-badge";

const POLL_MS = 2000;
const FAILURE_PAGE_SIZE = 20;

/**
 * One campaign's live progress and why deliveries fail. Polls while the campaign runs, and after
 * its final status until two polls in a row agree: failure reasons are counted a moment after
 * the counters, so they would go stale if polling stopped at the final status.
 */
export function campaignView(root: HTMLElement, id: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let failuresShown = -1;
  let lastSignature = "";
  const failuresEl = h("div", {});
  replaceChildren(root, h("p", { class: "muted" }, t("loading")));

  async function poll() {
    try {
      const detail = await api.get<CampaignDetail>(`/campaigns/${id}`);
      if (stopped) return;
      const signature = JSON.stringify([
        detail.status,
        detail.progress,
        detail.failureReasons,
        detail.failedAttempts,
        detail.dlq,
      ]);
      const settled = FINAL_STATUSES.has(detail.status) && signature === lastSignature;
      lastSignature = signature;
      render(detail, !settled);
      if (detail.failedCount !== failuresShown) {
        failuresShown = detail.failedCount;
        loadFailures();
      }
      if (!settled) timer = setTimeout(poll, POLL_MS);
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 404 ? t("campaign.notFound", { id }) : String(error);
      replaceChildren(root, h("h1", {}, `#${id}`), h("p", { class: "error" }, message));
    }
  }

  async function loadFailures() {
    const page = await api.get<Page<FailureRow>>(
      `/campaigns/${id}/failures?page=1&pageSize=${FAILURE_PAGE_SIZE}`,
    );
    replaceChildren(failuresEl, failuresTable(id, page));
  }

  async function resume() {
    try {
      await api.post(`/campaigns/${id}/resume`, {});
    } catch (error) {
      window.alert(error instanceof ApiError ? error.message : String(error));
    }
    clearTimeout(timer);
    poll();
  }

  function render(c: CampaignDetail, live: boolean) {
    const p = c.progress;
    replaceChildren(
      root,
      h(
        "div",
        { class: "title-row" },
        h("h1", {}, c.name ?? `#${c.id}`),
        statusBadge(c.status),
        live ? h("span", { class: "live", id: "live", title: t("campaign.live") }, "●") : null,
      ),
      h(
        "p",
        { class: "muted" },
        t("campaign.requested", { id: c.id, who: c.requestedBy, at: fmt.time(c.requestedAt) }),
        c.completedAt ? t("campaign.finished", { at: fmt.time(c.completedAt) }) : "",
      ),
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("campaign.progress")),
        c.interrupted
          ? h(
              "p",
              { class: "callout bad", id: "campaign-interrupted" },
              t("campaign.interrupted"),
              " ",
              h(
                "button",
                { type: "button", class: "primary", onclick: () => resume() },
                t("campaign.resume"),
              ),
            )
          : c.status === "QUEUEING"
            ? h("p", { class: "muted" }, t("campaign.queueing"))
            : null,
        progressBar(p),
        h(
          "div",
          { class: "stats", id: "progress" },
          stat(t("stat.recipients"), p.total),
          stat(t("stat.queued"), p.queued),
          stat(t("stat.sent"), p.sent, "good"),
          stat(t("stat.failed"), p.failed, "bad"),
          stat(t("stat.awaiting"), p.awaitingResult, "warn", t("stat.awaitingTitle")),
          c.dlq.recipients > 0 ? stat(t("stat.inDlq"), c.dlq.recipients, "bad") : null,
          p.notYetQueued > 0 ? stat(t("stat.enqueueing"), p.notYetQueued) : null,
          p.enqueueFailed > 0 ? stat(t("stat.enqueueFailed"), p.enqueueFailed, "bad") : null,
        ),
        c.dlq.messages > 0
          ? h(
              "p",
              { class: "callout bad", id: "campaign-dlq" },
              t("campaign.inDlq", {
                messages: fmt.int(c.dlq.messages),
                recipients: fmt.int(c.dlq.recipients),
              }),
              " ",
              h("a", { href: `#/dlq?logId=${c.id}` }, t("campaign.openDlq")),
            )
          : null,
      ),
      h(
        "div",
        { class: "grid two" },
        h(
          "section",
          { class: "card" },
          h("h2", {}, t("campaign.attempts")),
          h("p", { class: "muted small" }, t("campaign.attemptsHint")),
          attemptsTable(c.failedAttempts.byCode),
        ),
        h(
          "section",
          { class: "card" },
          h("h2", {}, t("campaign.failureReasons")),
          c.failureReasonsAsOf
            ? h(
                "p",
                { class: "muted small" },
                t("campaign.countedAt", { at: fmt.time(c.failureReasonsAsOf) }),
              )
            : null,
          c.failureReasons.length === 0
            ? h("p", { class: "muted" }, t("campaign.noFailures"))
            : h(
                "table",
                { class: "compact", id: "failure-reasons" },
                h(
                  "tbody",
                  {},
                  c.failureReasons.map((r) =>
                    h(
                      "tr",
                      {},
                      h("td", { class: "mono" }, r.errorCode),
                      h("td", { class: "num" }, fmt.int(r.count)),
                    ),
                  ),
                ),
              ),
        ),
      ),
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("campaign.audienceMessage")),
        h("p", {}, describeAudience(c.audience)),
        c.templateId ? h("p", { class: "muted" }, t("campaign.template", { id: c.templateId })) : null,
        h("blockquote", {}, c.content),
      ),
      h("section", { class: "card" }, h("h2", {}, t("campaign.failedRecipients")), failuresEl),
    );
  }

  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function attemptsTable(reasons: CampaignDetail["failedAttempts"]["byCode"]): HTMLElement {
  if (reasons.length === 0) return h("p", { class: "muted" }, t("campaign.noAttempts"));
  return h(
    "table",
    { class: "compact", id: "attempt-reasons" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        [t("col.code"), t("col.attempts"), t("col.lastDetail"), t("col.at")].map((label) =>
          h("th", {}, label),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      reasons.map((r) =>
        h(
          "tr",
          {},
          h("td", { class: "mono" }, r.code),
          h("td", { class: "num" }, fmt.int(r.count)),
          h("td", { class: "detail" }, r.lastDetail),
          h("td", { class: "nowrap" }, fmt.time(r.lastAt)),
        ),
      ),
    ),
  );
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
    { class: "bar", role: "img", "aria-label": fmt.pct(p.sent + p.failed, p.total) },
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
  if (page.total === 0) return h("p", { class: "muted" }, t("none"));
  const download = h(
    "button",
    {
      type: "button",
      onclick: () => api.download(`/campaigns/${id}/failures?format=csv`, `campaign-${id}-failures.csv`),
    },
    t("campaign.download", { n: fmt.int(page.total) }),
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
          [t("col.user"), t("col.phone"), t("col.error"), t("col.attempts"), t("col.at")].map((label) =>
            h("th", {}, label),
          ),
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
            h("td", { class: "mono" }, f.errorCode ?? "—"),
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
        ? h(
            "span",
            { class: "muted" },
            t("campaign.showing", { shown: page.items.length, total: fmt.int(page.total) }),
          )
        : null,
      download,
    ),
  );
}
