import { ApiError, api, type DlqView, type Me, type RedriveTask } from "../api";
import { fmt, h, replaceChildren } from "../dom";
import { statusBadge } from "../status-badge";

const POLL_MS = 3000;

/** The DLQ: depth, a peek at its messages, redrive with progress, and a guarded purge. */
export function dlqView(root: HTMLElement, me: Me, logId: number | null): () => void {
  const isOperator = me.role === "operator";
  const summary = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const messages = h("div", {});
  const tasks = h("div", {});
  const actionError = h("div", { class: "error", role: "alert" });
  let queueName = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const rate = h("input", {
    id: "redrive-rate",
    type: "number",
    min: 1,
    max: 500,
    placeholder: "max msgs/s",
  });
  const redrive = h(
    "button",
    { id: "redrive", class: "primary", type: "button", disabled: !isOperator },
    "Redrive all",
  );
  redrive.addEventListener("click", async () => {
    if (!confirm(`Move every message in ${queueName} back to the source queue?`)) return;
    await act(() => api.post("/dlq/redrive", rate.value ? { maxPerSecond: Number(rate.value) } : {}));
  });

  const confirmInput = h("input", {
    id: "purge-confirm",
    type: "text",
    autocomplete: "off",
    disabled: !isOperator,
  });
  const purge = h("button", { id: "purge", class: "danger", type: "button", disabled: true }, "Purge");
  confirmInput.addEventListener("input", () => {
    purge.disabled = confirmInput.value !== queueName;
  });
  purge.addEventListener("click", async () => {
    await act(() => api.post("/dlq/purge", { confirm: confirmInput.value }));
    confirmInput.value = "";
    purge.disabled = true;
  });

  async function act(run: () => Promise<unknown>) {
    actionError.textContent = "";
    try {
      await run();
    } catch (error) {
      actionError.textContent = error instanceof ApiError ? error.message : String(error);
    }
    refresh();
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const query = `/dlq?limit=50${logId ? `&logId=${logId}` : ""}`;
      const [dlq, redrives] = await Promise.all([
        api.get<DlqView>(query),
        api.get<{ tasks: RedriveTask[] }>("/dlq/redrive"),
      ]);
      if (stopped) return;
      queueName = dlq.queue;
      confirmInput.placeholder = `type ${dlq.queue} to confirm`;
      replaceChildren(summary, depthStats(dlq));
      replaceChildren(messages, messagesTable(dlq, logId));
      replaceChildren(tasks, tasksTable(redrives.tasks));
    } catch (error) {
      replaceChildren(summary, h("p", { class: "error" }, String(error)));
    }
    if (!stopped) timer = setTimeout(refresh, POLL_MS);
  }

  replaceChildren(
    root,
    h("h1", {}, "Dead-letter queue"),
    h("section", { class: "card" }, summary),
    h(
      "section",
      { class: "card" },
      h("h2", {}, logId ? `Messages of campaign #${logId}` : "Messages"),
      logId ? h("p", {}, h("a", { href: "#/dlq" }, "Show every campaign")) : null,
      messages,
    ),
    h(
      "div",
      { class: "grid two" },
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Redrive"),
        h("p", { class: "muted" }, "Sends every DLQ message back to the source queue for another try."),
        h("div", { class: "inline" }, rate, redrive),
        tasks,
      ),
      h(
        "section",
        { class: "card danger-zone" },
        h("h2", {}, "Purge"),
        h("p", { class: "muted" }, "Deletes every DLQ message for good. Type the queue's name to enable."),
        h("div", { class: "inline" }, confirmInput, purge),
      ),
    ),
    actionError,
    isOperator ? null : h("p", { class: "muted" }, "Redrive and purge need an operator token."),
  );
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function depthStats(dlq: DlqView): HTMLElement {
  const { visible, inFlight, delayed } = dlq.depth;
  return h(
    "div",
    { class: "stats", id: "dlq-depth" },
    h(
      "div",
      { class: `stat ${visible > 0 ? "bad" : "good"}` },
      h("div", { class: "value" }, fmt.int(visible)),
      h("div", { class: "label" }, `messages in ${dlq.queue}`),
    ),
    h(
      "div",
      { class: "stat" },
      h("div", { class: "value" }, fmt.int(inFlight)),
      h("div", { class: "label" }, "in flight"),
    ),
    h(
      "div",
      { class: "stat" },
      h("div", { class: "value" }, fmt.int(delayed)),
      h("div", { class: "label" }, "delayed"),
    ),
  );
}

function messagesTable(dlq: DlqView, logId: number | null): HTMLElement {
  if (dlq.messages.length === 0)
    return h("p", { class: "muted" }, logId ? "None for this campaign." : "The DLQ is empty.");
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
          ["Message", "Campaign", "Chunk", "Users", "Receives", "Sent", ""].map((t) => h("th", {}, t)),
        ),
      ),
      h(
        "tbody",
        {},
        dlq.messages.map((m) =>
          h(
            "tr",
            {},
            h("td", { class: "mono", title: m.messageId }, m.messageId.slice(0, 8)),
            h(
              "td",
              {},
              m.logId
                ? h("a", { href: `#/campaigns/${m.logId}` }, `#${m.logId}`)
                : h("span", { class: "error" }, "unreadable"),
            ),
            h("td", {}, m.chunkId ?? "—"),
            h("td", { class: "users" }, m.userIds.join(", ") || m.parseError || "—"),
            h("td", { class: "num" }, m.receiveCount),
            h("td", { class: "nowrap" }, fmt.time(m.sentAt)),
            h("td", {}, h("details", {}, h("summary", {}, "body"), h("pre", {}, m.body))),
          ),
        ),
      ),
    ),
    h("p", { class: "muted small" }, dlq.note),
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
        ["Started", "Status", "Moved", "Rate"].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      tasks.map((t) =>
        h(
          "tr",
          {},
          h("td", { class: "nowrap" }, fmt.time(t.startedAt)),
          h("td", {}, statusBadge(t.status), t.failureReason ? ` ${t.failureReason}` : ""),
          h(
            "td",
            { class: "num" },
            t.toMove ? `${fmt.int(t.moved)} / ${fmt.int(t.moved + t.toMove)}` : fmt.int(t.moved),
          ),
          h("td", { class: "num" }, t.maxPerSecond ? `${t.maxPerSecond}/s` : "max"),
        ),
      ),
    ),
  );
}
