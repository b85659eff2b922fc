import {
  ApiError,
  api,
  type DlqEntry,
  type DlqView,
  type Me,
  type Moved,
  type Purged,
  type RedriveTask,
} from "../api";
import { confirmDialog, fmt, h, replaceChildren } from "../dom";
import { t } from "../i18n";
import { statusBadge } from "../status-badge";

const POLL_MS = 3000;
const PAGE_SIZE = 50;

interface Filter {
  logId: number | null;
  errorCode: string | null;
  page: number;
}

/** What an action touches, for its confirmation. */
interface Reach {
  messages: number;
  recipients: number;
  campaigns: number;
}

/**
 * The DLQ: the server's snapshot of every message, filtered by campaign and error code, with
 * why each failed; redrive of everything, one campaign or the selected messages, with progress;
 * a guarded purge. Polling re-renders only what changed, and opened bodies and ticked rows stay
 * as they were.
 */
export function dlqView(root: HTMLElement, me: Me, params: URLSearchParams): () => void {
  const filter: Filter = {
    logId: params.has("logId") ? Number(params.get("logId")) : null,
    errorCode: params.get("errorCode"),
    page: Math.max(1, Number(params.get("page") ?? 1) || 1),
  };
  const isOperator = me.role === "operator";
  const opened = new Set<string>();
  const selected = new Map<string, DlqEntry>();
  const summary = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const filters = h("div", { class: "filters" });
  const messages = h("div", {});
  const tasks = h("div", {});
  const notice = h("div", { class: "notice", role: "status", id: "dlq-notice" });
  let last: DlqView | null = null;
  let lastSignature = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const rate = h("input", {
    id: "redrive-rate",
    type: "number",
    min: 1,
    max: 500,
    placeholder: t("dlq.rate"),
  });
  const redriveAll = h(
    "button",
    { id: "redrive", class: "primary", type: "button", disabled: !isOperator },
    t("dlq.redriveAll"),
  );
  const redriveCampaign = h("button", { id: "redrive-campaign", class: "primary", type: "button" });
  const redriveSelected = h("button", { id: "redrive-selected", type: "button" });
  const confirmInput = h("input", {
    id: "purge-confirm",
    type: "text",
    autocomplete: "off",
    disabled: !isOperator,
  });
  const purge = h("button", { id: "purge", class: "danger", type: "button", disabled: true }, t("dlq.purge"));

  const go = (next: Partial<Filter>) => {
    const f = { ...filter, page: 1, ...next };
    const query = new URLSearchParams();
    if (f.logId !== null) query.set("logId", String(f.logId));
    if (f.errorCode) query.set("errorCode", f.errorCode);
    if (f.page > 1) query.set("page", String(f.page));
    location.hash = `#/dlq${query.size ? `?${query}` : ""}`;
  };

  const wholeQueue = (dlq: DlqView): Reach => ({
    messages: dlq.total,
    recipients: dlq.campaigns.reduce((n, c) => n + c.recipients, 0),
    campaigns: dlq.campaigns.filter((c) => c.logId !== null).length,
  });

  async function act(question: string, run: () => Promise<string>, danger = false) {
    if (
      !(await confirmDialog(
        t("dlq.confirmTitle"),
        question,
        danger ? t("dlq.purge") : t("dlq.confirmOk"),
        danger,
      ))
    )
      return;
    notice.className = "notice";
    try {
      notice.textContent = await run();
    } catch (error) {
      notice.className = "notice error";
      notice.textContent = error instanceof ApiError ? error.message : String(error);
    }
    refresh(true);
  }

  const moved = (m: Moved) =>
    t("dlq.moved", { messages: fmt.int(m.messages), recipients: fmt.int(m.recipients) });

  redriveAll.addEventListener("click", () => {
    if (!last) return;
    const reach = wholeQueue(last);
    act(t("dlq.confirmRedrive", reachWords(reach)), async () => {
      await api.post("/dlq/redrive", rate.value ? { maxPerSecond: Number(rate.value) } : {});
      return t("dlq.started", reachWords(reach));
    });
  });
  redriveCampaign.addEventListener("click", () => {
    const share = last?.campaigns.find((c) => c.logId === filter.logId);
    if (!share || filter.logId === null) return;
    const logId = filter.logId;
    act(t("dlq.confirmRedrive", reachWords({ ...share, campaigns: 1 })), async () =>
      moved(await api.post<Moved>("/dlq/messages/redrive", { logId })),
    );
  });
  redriveSelected.addEventListener("click", () => {
    const chosen = [...selected.values()];
    const reach = {
      messages: chosen.length,
      recipients: chosen.reduce((n, m) => n + m.userIds.length, 0),
      campaigns: new Set(chosen.map((m) => m.logId).filter((id) => id !== null)).size,
    };
    act(t("dlq.confirmRedrive", reachWords(reach)), async () => {
      const result = await api.post<Moved>("/dlq/messages/redrive", { messageIds: [...selected.keys()] });
      selected.clear();
      return moved(result);
    });
  });
  confirmInput.addEventListener("input", () => {
    purge.disabled = confirmInput.value !== last?.queue;
  });
  purge.addEventListener("click", () => {
    if (!last) return;
    act(
      t("dlq.confirmPurge", reachWords(wholeQueue(last))),
      async () => {
        const reply = await api.post<Purged>("/dlq/purge", { confirm: confirmInput.value });
        confirmInput.value = "";
        purge.disabled = true;
        const settled = reply.campaigns.reduce((n, c) => n + c.settled, 0);
        return t("dlq.purged", { n: fmt.int(reply.messages), settled: fmt.int(settled) });
      },
      true,
    );
  });

  function updateButtons() {
    redriveCampaign.hidden = filter.logId === null;
    redriveCampaign.textContent = t("dlq.redriveCampaign", { logId: filter.logId ?? "" });
    redriveCampaign.disabled = !isOperator || !last?.campaigns.some((c) => c.logId === filter.logId);
    redriveSelected.textContent = t("dlq.redriveSelected", { n: selected.size });
    redriveSelected.disabled = !isOperator || selected.size === 0;
  }

  async function refresh(fresh = false) {
    clearTimeout(timer);
    try {
      const query = new URLSearchParams({ page: String(filter.page), pageSize: String(PAGE_SIZE) });
      if (filter.logId !== null) query.set("logId", String(filter.logId));
      if (filter.errorCode) query.set("errorCode", filter.errorCode);
      if (fresh) query.set("refresh", "true");
      const [dlq, redrives] = await Promise.all([
        api.get<DlqView>(`/dlq?${query}`),
        api.get<{ tasks: RedriveTask[] }>("/dlq/redrive"),
      ]);
      if (stopped) return;
      // Unchanged data is not drawn again: rows keep their place, state and the reader's eye.
      const signature = JSON.stringify([dlq.depth, dlq.scannedAt, dlq.items, dlq.campaigns, redrives.tasks]);
      if (signature !== lastSignature) {
        lastSignature = signature;
        last = dlq;
        confirmInput.placeholder = t("dlq.purgePlaceholder", { queue: dlq.queue });
        replaceChildren(
          summary,
          depthStats(dlq, () => refresh(true)),
        );
        replaceChildren(filters, filterBar(dlq, filter, go));
        replaceChildren(
          messages,
          messagesTable(dlq, filter, { opened, selected, onSelect: updateButtons }, go),
        );
        replaceChildren(tasks, tasksTable(redrives.tasks));
        updateButtons();
      }
    } catch (error) {
      replaceChildren(summary, h("p", { class: "error" }, String(error)));
    }
    if (!stopped) timer = setTimeout(() => refresh(), POLL_MS);
  }

  replaceChildren(
    root,
    h("h1", {}, t("dlq.title")),
    h("section", { class: "card" }, summary),
    h("section", { class: "card" }, h("h2", {}, t("dlq.messages")), filters, messages),
    notice,
    h(
      "div",
      { class: "grid two" },
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("dlq.redrive")),
        h("p", { class: "muted" }, t("dlq.redriveHint")),
        h("div", { class: "inline" }, rate, redriveAll),
        h("div", { class: "inline" }, redriveCampaign, redriveSelected),
        tasks,
      ),
      h(
        "section",
        { class: "card danger-zone" },
        h("h2", {}, t("dlq.purge")),
        h("p", { class: "muted" }, t("dlq.purgeHint")),
        h("div", { class: "inline" }, confirmInput, purge),
      ),
    ),
    isOperator ? null : h("p", { class: "muted" }, t("dlq.operatorOnly")),
  );
  updateButtons();
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function reachWords(r: Reach): Record<string, string> {
  return {
    messages: fmt.int(r.messages),
    recipients: fmt.int(r.recipients),
    campaigns: fmt.int(r.campaigns),
  };
}

function depthStats(dlq: DlqView, reread: () => void): HTMLElement {
  const { visible, inFlight, delayed } = dlq.depth;
  const stat = (value: number, label: string, tone = "") =>
    h(
      "div",
      { class: `stat ${tone}` },
      h("div", { class: "value" }, fmt.int(value)),
      h("div", { class: "label" }, label),
    );
  return h(
    "div",
    {},
    h(
      "div",
      { class: "stats", id: "dlq-depth" },
      stat(visible, t("dlq.inQueue", { queue: dlq.queue }), visible > 0 ? "bad" : "good"),
      stat(inFlight, t("dlq.inFlight")),
      stat(delayed, t("dlq.delayed")),
    ),
    h(
      "p",
      { class: "muted small" },
      t("dlq.scanned", { at: fmt.time(dlq.scannedAt) }),
      dlq.complete ? "" : ` ${t("dlq.incomplete", { n: fmt.int(dlq.total) })}`,
      " ",
      h("button", { type: "button", class: "link", id: "dlq-reread", onclick: reread }, t("dlq.reread")),
    ),
  );
}

function filterBar(dlq: DlqView, filter: Filter, go: (next: Partial<Filter>) => void): HTMLElement {
  const campaign = h(
    "select",
    {
      id: "dlq-campaign",
      "aria-label": t("dlq.campaign"),
      onchange: () => go({ logId: campaign.value ? Number(campaign.value) : null }),
    },
    h("option", { value: "" }, t("dlq.allCampaigns", { n: fmt.int(dlq.total) })),
    dlq.campaigns
      .filter((c) => c.logId !== null)
      .map((c) =>
        h(
          "option",
          { value: String(c.logId), selected: c.logId === filter.logId },
          t("dlq.campaignOption", {
            logId: String(c.logId),
            messages: fmt.int(c.messages),
            recipients: fmt.int(c.recipients),
          }),
        ),
      ),
  );
  const code = h(
    "select",
    { id: "dlq-code", "aria-label": t("dlq.code"), onchange: () => go({ errorCode: code.value || null }) },
    h("option", { value: "" }, t("dlq.allCodes")),
    dlq.errorCodes
      .filter((c) => c.errorCode !== null)
      .map((c) =>
        h(
          "option",
          { value: c.errorCode ?? "", selected: c.errorCode === filter.errorCode },
          t("dlq.codeOption", { code: c.errorCode ?? "", messages: fmt.int(c.messages) }),
        ),
      ),
  );
  const shown = dlq.items.length;
  return h(
    "div",
    { class: "inline" },
    h("label", {}, `${t("dlq.campaign")} `, campaign),
    h("label", {}, `${t("dlq.code")} `, code),
    h(
      "span",
      { class: "muted", id: "dlq-count" },
      t("dlq.shown", { shown: fmt.int(shown), matching: fmt.int(dlq.matching) }),
      dlq.matching !== dlq.total ? t("dlq.ofTotal", { total: fmt.int(dlq.total) }) : "",
    ),
  );
}

interface RowState {
  opened: Set<string>;
  selected: Map<string, DlqEntry>;
  onSelect(): void;
}

function messagesTable(
  dlq: DlqView,
  filter: Filter,
  state: RowState,
  go: (next: Partial<Filter>) => void,
): HTMLElement {
  if (dlq.items.length === 0)
    return h("p", { class: "muted" }, dlq.total === 0 ? t("dlq.empty") : t("dlq.noneMatch"));
  const pages = Math.max(1, Math.ceil(dlq.matching / dlq.pageSize));
  return h(
    "div",
    {},
    h(
      "table",
      { class: "compact", id: "dlq-messages" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [
            "",
            t("col.campaign"),
            t("col.chunk"),
            t("col.recipients"),
            t("col.reason"),
            t("col.receives"),
            t("col.moved"),
            t("col.age"),
            t("col.body"),
          ].map((label) => h("th", {}, label)),
        ),
      ),
      h(
        "tbody",
        {},
        dlq.items.map((m) => messageRow(m, state)),
      ),
    ),
    pages > 1
      ? h(
          "div",
          { class: "pager" },
          filter.page > 1
            ? h(
                "button",
                { type: "button", class: "link", onclick: () => go({ page: filter.page - 1 }) },
                t("dlq.prev"),
              )
            : null,
          h("span", { class: "muted" }, t("history.page", { page: filter.page, pages })),
          filter.page < pages
            ? h(
                "button",
                { type: "button", class: "link", onclick: () => go({ page: filter.page + 1 }) },
                t("dlq.next"),
              )
            : null,
        )
      : null,
    h("p", { class: "muted small" }, dlq.note),
  );
}

function messageRow(m: DlqEntry, state: RowState): HTMLElement {
  const box = h("input", {
    type: "checkbox",
    "aria-label": t("dlq.select"),
    checked: state.selected.has(m.messageId),
    onchange: () => {
      if (box.checked) state.selected.set(m.messageId, m);
      else state.selected.delete(m.messageId);
      state.onSelect();
    },
  });
  const body = h(
    "details",
    {
      open: state.opened.has(m.messageId),
      ontoggle: () => {
        if (body.open) state.opened.add(m.messageId);
        else state.opened.delete(m.messageId);
      },
    },
    h("summary", {}, t("dlq.bodyToggle")),
    h("pre", {}, m.body),
  );
  return h(
    "tr",
    { "data-message-id": m.messageId },
    h("td", {}, box),
    h(
      "td",
      {},
      m.logId
        ? h("a", { href: `#/campaigns/${m.logId}` }, `#${m.logId}`)
        : h("span", { class: "error", title: m.parseError ?? "" }, t("dlq.unreadable")),
    ),
    h("td", { class: "num" }, m.chunkId ?? "—"),
    h("td", { class: "num", title: m.userIds.join(", ") }, fmt.int(m.userIds.length)),
    h(
      "td",
      { class: "reason" },
      m.errorCode
        ? [h("span", { class: "code" }, m.errorCode), h("div", { class: "detail" }, m.errorDetail ?? "")]
        : h("span", { class: "muted" }, t("dlq.noRecord")),
    ),
    h("td", { class: "num" }, m.receiveCountAtMove ?? "—"),
    h("td", { class: "nowrap" }, fmt.time(m.movedAt)),
    h("td", { class: "nowrap" }, fmt.age(m.movedAt ?? m.sentAt)),
    h("td", {}, body),
  );
}

function tasksTable(tasks: RedriveTask[]): HTMLElement | null {
  if (tasks.length === 0) return null;
  return h(
    "table",
    { class: "compact", id: "redrive-tasks" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        [t("col.started"), t("col.status"), t("col.movedCount"), t("col.rate")].map((label) =>
          h("th", {}, label),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      tasks.map((task) =>
        h(
          "tr",
          {},
          h("td", { class: "nowrap" }, fmt.time(task.startedAt)),
          h("td", {}, statusBadge(task.status), task.failureReason ? ` ${task.failureReason}` : ""),
          h(
            "td",
            { class: "num" },
            task.toMove
              ? `${fmt.int(task.moved)} / ${fmt.int(task.moved + task.toMove)}`
              : fmt.int(task.moved),
          ),
          h("td", { class: "num" }, task.maxPerSecond ? `${task.maxPerSecond}/s` : t("dlq.max")),
        ),
      ),
    ),
  );
}
