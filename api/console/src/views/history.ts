import { api, type CampaignSummary, type Page } from "../api";
import { describeAudience } from "../audience-text";
import { fmt, h, replaceChildren } from "../dom";
import { statusBadge } from "../status-badge";

const PAGE_SIZE = 20;
const REFRESH_MS = 5000;

/** Every campaign, newest first: who sent what to whom, and how it went. Refreshes itself. */
export function historyView(root: HTMLElement, page: number): () => void {
  const body = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  replaceChildren(root, h("h1", {}, "Campaign history"), h("section", { class: "card" }, body));

  async function load() {
    const data = await api.get<Page<CampaignSummary>>(`/campaigns?page=${page}&pageSize=${PAGE_SIZE}`);
    replaceChildren(
      body,
      data.items.length === 0 ? h("p", { class: "muted" }, "No campaigns yet.") : table(data),
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
    "Name",
    "Requested by",
    "When",
    "Audience",
    "Recipients",
    "Sent",
    "Failed",
    "Status",
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
        headings.map((t) => h("th", {}, t)),
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
          h("td", {}, statusBadge(c.status)),
        ),
      ),
    ),
  );
}

function pager(data: Page<CampaignSummary>): HTMLElement | null {
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  if (pages === 1) return null;
  return h(
    "div",
    { class: "pager" },
    data.page > 1 ? h("a", { href: `#/campaigns?page=${data.page - 1}` }, "← Newer") : null,
    h("span", { class: "muted" }, `Page ${data.page} of ${pages}`),
    data.page < pages ? h("a", { href: `#/campaigns?page=${data.page + 1}` }, "Older →") : null,
  );
}
