import { api, type CampaignSummary, type Page } from "../api";
import { describeAudience } from "../audience-text";
import { fmt, h, replaceChildren } from "../dom";
import { t } from "../i18n";
import { statusBadge } from "../status-badge";

const PAGE_SIZE = 20;
const REFRESH_MS = 5000;

/** Every campaign, newest first: who sent what to whom, how it went, and what sits in the DLQ. */
export function historyView(root: HTMLElement, page: number): () => void {
  const body = h("div", {}, h("p", { class: "muted" }, t("loading")));
  replaceChildren(root, h("h1", {}, t("history.title")), h("section", { class: "card" }, body));

  async function load() {
    const data = await api.get<Page<CampaignSummary>>(`/campaigns?page=${page}&pageSize=${PAGE_SIZE}`);
    replaceChildren(
      body,
      data.items.length === 0 ? h("p", { class: "muted" }, t("history.empty")) : table(data),
      pager(data),
    );
  }
  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}

function table(data: Page<CampaignSummary>): HTMLElement {
  const headings = [
    "#",
    t("col.name"),
    t("col.requestedBy"),
    t("col.when"),
    t("col.audience"),
    t("col.recipients"),
    t("col.sent"),
    t("col.failed"),
    t("col.inDlq"),
    t("col.status"),
  ];
  return h(
    "table",
    { id: "history" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        headings.map((label) => h("th", {}, label)),
      ),
    ),
    h(
      "tbody",
      {},
      data.items.map((c) =>
        h(
          "tr",
          { class: "clickable", onclick: () => (location.hash = `#/campaigns/${c.id}`) },
          h("td", {}, h("a", { href: `#/campaigns/${c.id}` }, c.id)),
          h("td", {}, c.name ?? "—"),
          h("td", {}, c.requestedBy),
          h("td", { class: "nowrap" }, fmt.time(c.requestedAt)),
          h("td", { class: "audience" }, describeAudience(c.audience)),
          h("td", { class: "num" }, fmt.int(c.totalCount)),
          h("td", { class: "num" }, fmt.int(c.sentCount)),
          h("td", { class: "num" }, fmt.int(c.failedCount)),
          h("td", { class: "num dlq-share" }, dlqShare(c)),
          h("td", {}, statusBadge(c.status)),
        ),
      ),
    ),
  );
}

/** The campaign's recipients in the DLQ, linking to them; a dash when there are none. */
function dlqShare(c: CampaignSummary): HTMLElement | string {
  if (c.dlq.messages === 0) return "—";
  return h(
    "a",
    {
      class: "badge bad",
      href: `#/dlq?logId=${c.id}`,
      title: t("history.dlqTitle", {
        messages: fmt.int(c.dlq.messages),
        recipients: fmt.int(c.dlq.recipients),
      }),
      onclick: (event: Event) => event.stopPropagation(),
    },
    fmt.int(c.dlq.recipients),
  );
}

function pager(data: Page<CampaignSummary>): HTMLElement | null {
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  if (pages === 1) return null;
  return h(
    "div",
    { class: "pager" },
    data.page > 1 ? h("a", { href: `#/campaigns?page=${data.page - 1}` }, t("history.newer")) : null,
    h("span", { class: "muted" }, t("history.page", { page: data.page, pages })),
    data.page < pages ? h("a", { href: `#/campaigns?page=${data.page + 1}` }, t("history.older")) : null,
  );
}
