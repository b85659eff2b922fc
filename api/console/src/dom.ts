import { t } from "./i18n";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined>;

/**
 * Builds an element. Text always goes in as text nodes, never as HTML, so values from the API
 * (names, message bodies, error codes) cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children.flat());
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "object" ? child : String(child));
  }
}

export function replaceChildren(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children.flat());
}

export const fmt = {
  int: (n: number) => n.toLocaleString("en-US"),
  time: (iso: string | null) => (iso ? new Date(iso).toLocaleString("sv-SE").slice(0, 19) : "—"),
  pct: (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "—"),
  /** How long ago `iso` was, in its largest whole unit. */
  age: (iso: string | null, now = Date.now()) => {
    if (!iso) return "—";
    const s = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 1000));
    if (s < 60) return t("age.s", { n: s });
    if (s < 3600) return t("age.min", { n: Math.floor(s / 60) });
    if (s < 86_400) return t("age.h", { n: Math.floor(s / 3600) });
    return t("age.d", { n: Math.floor(s / 86_400) });
  },
};

/** A modal that asks before an action; resolves true on OK, false on Cancel or Escape. */
export function confirmDialog(title: string, message: string, ok: string, danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const dialog = h(
      "dialog",
      { class: "confirm", id: "confirm-action" },
      h("h3", {}, title),
      h("p", {}, message),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", onclick: () => dialog.close() }, t("cancel")),
        h(
          "button",
          {
            type: "button",
            id: "confirm-action-ok",
            class: danger ? "danger" : "primary",
            onclick: () => {
              answer = true;
              dialog.close();
            },
          },
          ok,
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Calls `run` once `ms` have passed without another call. */
export function debounce<A extends unknown[]>(run: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => run(...args), ms);
  };
}
