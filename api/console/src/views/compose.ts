import {
  ApiError,
  type AudienceSource,
  api,
  type Condition,
  type FieldInfo,
  type Me,
  type Preview,
} from "../api";
import { describeAudience, fieldLabel, opLabel } from "../audience-text";
import { debounce, fmt, h, replaceChildren } from "../dom";
import { t } from "../i18n";

const PREVIEW_DELAY_MS = 400;
const MAX_CONTENT = 2000;

/**
 * New campaign: audience builder with a live count, the message, then a confirmed send. Nobody
 * is chosen until the user adds a condition or ticks "every user": a campaign to everyone is a
 * decision, not a default.
 */
export async function composeView(root: HTMLElement, me: Me): Promise<void> {
  const fields = await api.get<FieldInfo[]>("/audiences/fields");
  const conditions: Condition[] = [];
  let match: "all" | "any" = "all";
  let lastCount: number | null = null;
  const everyone = h("input", { id: "everyone", type: "checkbox", onchange: () => changed() });
  const everyoneRow = h("label", { class: "chip everyone" }, everyone, t("compose.everyone"));

  const conditionList = h("div", { class: "conditions" });
  const matchSelect = h(
    "select",
    {
      id: "match",
      "aria-label": t("compose.matchBefore"),
      onchange: () => {
        match = matchSelect.value as "all" | "any";
        changed();
      },
    },
    h("option", { value: "all" }, t("compose.matchAll")),
    h("option", { value: "any" }, t("compose.matchAny")),
  );
  const countEl = h("div", { class: "count", id: "preview-count" }, "…");
  const previewNote = h("div", { class: "muted", id: "preview-note" });
  const sampleEl = h("div", { class: "sample" });

  const name = h("input", {
    id: "name",
    type: "text",
    maxlength: 200,
    placeholder: t("compose.namePlaceholder"),
  });
  const templateId = h("input", {
    id: "template-id",
    type: "text",
    maxlength: 64,
    placeholder: t("compose.optional"),
  });
  const content = h("textarea", {
    id: "content",
    rows: 6,
    maxlength: MAX_CONTENT,
    placeholder: t("compose.textPlaceholder"),
  });
  const counter = h("span", { class: "muted" }, `0 / ${MAX_CONTENT}`);
  content.addEventListener("input", () => {
    counter.textContent = `${content.value.length} / ${MAX_CONTENT}`;
  });
  const formError = h("div", { class: "error", role: "alert" });
  const send = h("button", { id: "send", class: "primary", type: "button" }, t("compose.review"));
  if (me.role !== "operator") {
    send.disabled = true;
    send.title = t("compose.needsOperator");
  }

  /** The audience chosen so far, or null while there is none. */
  const audience = (): AudienceSource | null => {
    if (conditions.length > 0) return { kind: "filter", match, conditions: [...conditions] };
    return everyone.checked ? { kind: "all" } : null;
  };

  /** Why the audience cannot be counted yet, in words; empty when it can. */
  const incomplete = (): string => {
    if (!audience()) return t("compose.choose");
    const empty = conditions.find((c) => Array.isArray(c.value) && c.value.length === 0);
    return empty ? t("compose.pickValues", { field: fieldLabel(empty.field) }) : "";
  };

  const refreshPreview = debounce(async () => {
    const chosen = audience();
    const problem = incomplete();
    if (!chosen || problem) {
      lastCount = null;
      countEl.textContent = "—";
      previewNote.textContent = problem;
      replaceChildren(sampleEl);
      return;
    }
    const asked = JSON.stringify(chosen);
    try {
      const preview = await api.post<Preview>("/audiences/preview", { audience: chosen, sampleSize: 5 });
      if (asked !== JSON.stringify(audience())) return;
      lastCount = preview.count;
      countEl.textContent = fmt.int(preview.count);
      previewNote.textContent = t("compose.recipients", { audience: describeAudience(chosen) });
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
    if (conditions.length > 0) everyone.checked = false;
    replaceChildren(
      conditionList,
      conditions.length === 0
        ? [everyone.checked ? null : h("p", { class: "muted" }, t("compose.noAudience")), everyoneRow]
        : null,
      conditions.map((c, i) => conditionRow(c, i)),
    );
  }

  function conditionRow(c: Condition, index: number): HTMLElement {
    const info = fields.find((f) => f.field === c.field) ?? fields[0];
    if (!info) throw new Error("the server offered no audience fields");
    const fieldSelect = h(
      "select",
      {
        "aria-label": t("compose.field"),
        class: "field",
        onchange: () => {
          const next = fields.find((f) => f.field === fieldSelect.value) ?? info;
          conditions[index] = defaultCondition(next);
          changed();
        },
      },
      fields.map((f) =>
        h("option", { value: f.field, selected: f.field === c.field }, fieldLabel(f.field, f.label)),
      ),
    );
    const opSelect = h(
      "select",
      {
        "aria-label": t("compose.op"),
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
          title: t("compose.remove"),
          "aria-label": t("compose.remove"),
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
    t("compose.add"),
  );

  send.addEventListener("click", () => {
    const problem = !name.value.trim()
      ? t("compose.noName")
      : !content.value.trim()
        ? t("compose.noText")
        : incomplete() || (!lastCount ? t("compose.matchesNobody") : "");
    formError.textContent = problem;
    if (!problem) confirmSend();
  });

  function confirmSend() {
    const chosen = audience();
    if (!chosen) return;
    const dialog = h(
      "dialog",
      { id: "confirm-send", class: "confirm" },
      h("h3", {}, t("compose.confirmTitle")),
      h(
        "p",
        {},
        h("strong", {}, name.value.trim()),
        " → ",
        h("strong", {}, t("n.recipients", { n: fmt.int(lastCount ?? 0) })),
      ),
      h("p", { class: "muted" }, describeAudience(chosen)),
      h("blockquote", {}, content.value),
      h("div", { class: "error", role: "alert" }),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => dialog.close() }, t("cancel")),
        h(
          "button",
          { id: "confirm-send-button", type: "button", class: "primary", onclick: () => submit() },
          t("compose.sendNow"),
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
          audience: chosen,
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
    h("h1", {}, t("compose.title")),
    h(
      "div",
      { class: "grid two" },
      h(
        "section",
        { class: "card" },
        h("h2", {}, t("compose.audience")),
        h(
          "div",
          { class: "match" },
          `${t("compose.matchBefore")} `,
          matchSelect,
          ` ${t("compose.matchAfter")}`,
        ),
        conditionList,
        addButton,
      ),
      h(
        "section",
        { class: "card preview" },
        h("h2", {}, t("compose.preview")),
        countEl,
        previewNote,
        sampleEl,
      ),
    ),
    h(
      "section",
      { class: "card" },
      h("h2", {}, t("compose.message")),
      h("label", { for: "name" }, t("compose.name")),
      name,
      h("label", { for: "template-id" }, t("compose.template")),
      templateId,
      h("label", { for: "content" }, `${t("compose.text")} `, counter),
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
  // `in` starts with nothing ticked: the user picks every value deliberately.
  if (info.kind === "enum") return op === "in" ? [] : (info.values?.[0] ?? "");
  return new Date().toISOString().slice(0, 10);
}

function valueInput(info: FieldInfo, c: Condition, set: (value: Condition["value"]) => void): HTMLElement {
  if (c.op === "is_null" || info.kind === "boolean") {
    const [yes, no] = c.op === "is_null" ? [t("empty"), t("set")] : [t("yes"), t("no")];
    const select = h(
      "select",
      { "aria-label": t("compose.value"), class: "value", onchange: () => set(select.value === "true") },
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
      { "aria-label": t("compose.value"), class: "value", onchange: () => set(select.value) },
      (info.values ?? []).map((v) => h("option", { value: v, selected: v === c.value }, v)),
    );
    return select;
  }
  const date = h("input", {
    type: "date",
    "aria-label": t("compose.value"),
    class: "value",
    value: String(c.value),
    onchange: () => set(date.value),
  });
  return date;
}

function sampleTable(sample: Preview["sample"]): HTMLElement {
  if (sample.length === 0) return h("p", { class: "muted" }, t("compose.noUsers"));
  return h(
    "table",
    { class: "compact" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        [t("col.id"), t("col.name"), t("col.phone"), t("col.tier"), t("col.region")].map((label) =>
          h("th", {}, label),
        ),
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
