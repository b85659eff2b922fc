import {
  ApiError,
  type AudienceSource,
  api,
  type Condition,
  type FieldInfo,
  type Me,
  type Preview,
} from "../api";
import { describeAudience, opLabel } from "../audience-text";
import { debounce, fmt, h, replaceChildren } from "../dom";

const PREVIEW_DELAY_MS = 400;
const MAX_CONTENT = 2000;

/** New campaign: audience builder with a live count, the message, then a confirmed send. */
export async function composeView(root: HTMLElement, me: Me): Promise<void> {
  const fields = await api.get<FieldInfo[]>("/audiences/fields");
  const conditions: Condition[] = [];
  let match: "all" | "any" = "all";
  let lastCount: number | null = null;

  const conditionList = h("div", { class: "conditions" });
  const matchSelect = h(
    "select",
    {
      id: "match",
      "aria-label": "Match",
      onchange: () => {
        match = matchSelect.value as "all" | "any";
        changed();
      },
    },
    h("option", { value: "all" }, "all"),
    h("option", { value: "any" }, "any"),
  );
  const countEl = h("div", { class: "count", id: "preview-count" }, "…");
  const previewNote = h("div", { class: "muted", id: "preview-note" });
  const sampleEl = h("div", { class: "sample" });

  const name = h("input", {
    id: "name",
    type: "text",
    maxlength: 200,
    placeholder: "Spring sale — gold & VIP",
  });
  const templateId = h("input", { id: "template-id", type: "text", maxlength: 64, placeholder: "optional" });
  const content = h("textarea", {
    id: "content",
    rows: 6,
    maxlength: MAX_CONTENT,
    placeholder: "Message text",
  });
  const counter = h("span", { class: "muted" }, `0 / ${MAX_CONTENT}`);
  content.addEventListener("input", () => {
    counter.textContent = `${content.value.length} / ${MAX_CONTENT}`;
  });
  const formError = h("div", { class: "error", role: "alert" });
  const send = h("button", { id: "send", class: "primary", type: "button" }, "Review and send…");
  if (me.role !== "operator") {
    send.disabled = true;
    send.title = "Sending needs an operator token";
  }

  const audience = (): AudienceSource =>
    conditions.length === 0 ? { kind: "all" } : { kind: "filter", match, conditions: [...conditions] };

  const refreshPreview = debounce(async () => {
    const asked = JSON.stringify(audience());
    try {
      const preview = await api.post<Preview>("/audiences/preview", { audience: audience(), sampleSize: 5 });
      if (asked !== JSON.stringify(audience())) return;
      lastCount = preview.count;
      countEl.textContent = fmt.int(preview.count);
      previewNote.textContent = `recipients · ${describeAudience(audience())}`;
      replaceChildren(sampleEl, sampleTable(preview.sample));
    } catch (error) {
      lastCount = null;
      countEl.textContent = "—";
      previewNote.textContent = error instanceof ApiError ? error.message : String(error);
      replaceChildren(sampleEl);
    }
  }, PREVIEW_DELAY_MS);

  function changed() {
    countEl.textContent = "…";
    renderConditions();
    refreshPreview();
  }

  function renderConditions() {
    replaceChildren(
      conditionList,
      conditions.length === 0 ? h("p", { class: "muted" }, "No conditions: every user.") : null,
      conditions.map((c, i) => conditionRow(c, i)),
    );
  }

  function conditionRow(c: Condition, index: number): HTMLElement {
    const info = fields.find((f) => f.field === c.field) ?? fields[0];
    if (!info) throw new Error("the server offered no audience fields");
    const fieldSelect = h(
      "select",
      {
        "aria-label": "Field",
        class: "field",
        onchange: () => {
          const next = fields.find((f) => f.field === fieldSelect.value) ?? info;
          conditions[index] = defaultCondition(next);
          changed();
        },
      },
      fields.map((f) => h("option", { value: f.field, selected: f.field === c.field }, f.label)),
    );
    const opSelect = h(
      "select",
      {
        "aria-label": "Operator",
        class: "op",
        onchange: () => {
          conditions[index] = {
            ...c,
            op: opSelect.value as Condition["op"],
            value: defaultValue(info, opSelect.value),
          };
          changed();
        },
      },
      info.ops.map((op) => h("option", { value: op, selected: op === c.op }, opLabel(op))),
    );
    const setValue = (value: Condition["value"]) => {
      conditions[index] = { ...c, value };
      countEl.textContent = "…";
      refreshPreview();
    };
    return h(
      "div",
      { class: "condition" },
      fieldSelect,
      opSelect,
      valueInput(info, c, setValue),
      h(
        "button",
        {
          type: "button",
          class: "icon",
          title: "Remove condition",
          "aria-label": "Remove condition",
          onclick: () => {
            conditions.splice(index, 1);
            changed();
          },
        },
        "×",
      ),
    );
  }

  const addButton = h(
    "button",
    {
      id: "add-condition",
      type: "button",
      onclick: () => {
        const first = fields[0];
        if (first) conditions.push(defaultCondition(first));
        changed();
      },
    },
    "+ Add condition",
  );

  send.addEventListener("click", () => {
    const problem = !name.value.trim()
      ? "Give the campaign a name."
      : !content.value.trim()
        ? "Write the message."
        : !lastCount
          ? "The audience matches nobody yet."
          : "";
    formError.textContent = problem;
    if (!problem) confirmSend();
  });

  function confirmSend() {
    const dialog = h(
      "dialog",
      { id: "confirm-send", class: "confirm" },
      h("h3", {}, "Send this campaign?"),
      h(
        "p",
        {},
        h("strong", {}, name.value.trim()),
        " to ",
        h("strong", {}, `${fmt.int(lastCount ?? 0)} recipients`),
      ),
      h("p", { class: "muted" }, describeAudience(audience())),
      h("blockquote", {}, content.value),
      h("div", { class: "error", role: "alert" }),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => dialog.close() }, "Cancel"),
        h(
          "button",
          { id: "confirm-send-button", type: "button", class: "primary", onclick: () => submit() },
          "Send now",
        ),
      ),
    );
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();

    async function submit() {
      const error = dialog.querySelector(".error") as HTMLElement;
      const button = dialog.querySelector("#confirm-send-button") as HTMLButtonElement;
      button.disabled = true;
      try {
        const created = await api.post<{ logId: number }>("/campaigns", {
          name: name.value.trim(),
          content: content.value,
          ...(templateId.value.trim() ? { templateId: templateId.value.trim() } : {}),
          audience: audience(),
        });
        dialog.close();
        location.hash = `#/campaigns/${created.logId}`;
      } catch (e) {
        error.textContent = e instanceof ApiError ? e.message : String(e);
        button.disabled = false;
      }
    }
  }

  replaceChildren(
    root,
    h("h1", {}, "New campaign"),
    h(
      "div",
      { class: "grid two" },
      h(
        "section",
        { class: "card" },
        h("h2", {}, "Audience"),
        h("div", { class: "match" }, "Users matching ", matchSelect, " of these conditions:"),
        conditionList,
        addButton,
      ),
      h("section", { class: "card preview" }, h("h2", {}, "Preview"), countEl, previewNote, sampleEl),
    ),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Message"),
      h("label", { for: "name" }, "Campaign name"),
      name,
      h("label", { for: "template-id" }, "Carrier template ID"),
      templateId,
      h("label", { for: "content" }, "Text ", counter),
      content,
      formError,
      h("div", { class: "actions" }, send),
    ),
  );
  renderConditions();
  refreshPreview();
}

function defaultCondition(info: FieldInfo): Condition {
  const op = info.ops[0] ?? "eq";
  return { field: info.field, op, value: defaultValue(info, op) };
}

function defaultValue(info: FieldInfo, op: string): Condition["value"] {
  if (op === "is_null" || info.kind === "boolean") return true;
  if (info.kind === "enum") {
    const first = info.values?.[0] ?? "";
    return op === "in" ? [first] : first;
  }
  return new Date().toISOString().slice(0, 10);
}

function valueInput(info: FieldInfo, c: Condition, set: (value: Condition["value"]) => void): HTMLElement {
  if (c.op === "is_null" || info.kind === "boolean") {
    const [yes, no] = c.op === "is_null" ? ["empty", "set"] : ["yes", "no"];
    const select = h(
      "select",
      { "aria-label": "Value", class: "value", onchange: () => set(select.value === "true") },
      h("option", { value: "true", selected: c.value === true }, yes),
      h("option", { value: "false", selected: c.value === false }, no),
    );
    return select;
  }
  if (info.kind === "enum" && c.op === "in") {
    const chosen = new Set(Array.isArray(c.value) ? c.value : []);
    return h(
      "div",
      { class: "value chips" },
      (info.values ?? []).map((v) => {
        const box = h("input", {
          type: "checkbox",
          value: v,
          checked: chosen.has(v),
          onchange: () => {
            if (box.checked) chosen.add(v);
            else chosen.delete(v);
            set([...chosen]);
          },
        });
        return h("label", { class: "chip" }, box, v);
      }),
    );
  }
  if (info.kind === "enum") {
    const select = h(
      "select",
      { "aria-label": "Value", class: "value", onchange: () => set(select.value) },
      (info.values ?? []).map((v) => h("option", { value: v, selected: v === c.value }, v)),
    );
    return select;
  }
  const date = h("input", {
    type: "date",
    "aria-label": "Value",
    class: "value",
    value: String(c.value),
    onchange: () => set(date.value),
  });
  return date;
}

function sampleTable(sample: Preview["sample"]): HTMLElement {
  if (sample.length === 0) return h("p", { class: "muted" }, "No users match.");
  return h(
    "table",
    { class: "compact" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["ID", "Name", "Phone", "Tier", "Region"].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      sample.map((u) =>
        h(
          "tr",
          {},
          h("td", {}, u.id),
          h("td", {}, u.name),
          h("td", {}, u.phone),
          h("td", {}, u.tier),
          h("td", {}, u.region),
        ),
      ),
    ),
  );
}
