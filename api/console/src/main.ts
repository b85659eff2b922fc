import { type Alarms, ApiError, api, type Me, token, whenUnauthorized } from "./api";
import { h, replaceChildren } from "./dom";
import { chooseLanguage, LANGUAGES, type Language, language, type MessageKey, t } from "./i18n";
import { campaignView } from "./views/campaign";
import { composeView } from "./views/compose";
import { dlqView } from "./views/dlq";
import { historyView } from "./views/history";

const ALARM_POLL_MS = 10_000;

const view = document.getElementById("view") as HTMLElement;
const who = document.getElementById("who") as HTMLElement;
const banner = document.getElementById("alarm-banner") as HTMLElement;
const alarmState = document.getElementById("alarm-state") as HTMLAnchorElement;
const languageSelect = document.getElementById("language") as HTMLSelectElement;
const tokenDialog = document.getElementById("token-dialog") as HTMLDialogElement;
const tokenForm = document.getElementById("token-form") as HTMLFormElement;
const tokenInput = document.getElementById("token-input") as HTMLInputElement;
const tokenError = document.getElementById("token-error") as HTMLElement;

let me: Me | null = null;
let leaveView: (() => void) | undefined;

/** Puts the page's fixed words in the current language. */
function translatePage(): void {
  document.documentElement.lang = language;
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n as MessageKey);
  }
  tokenInput.setAttribute("aria-label", t("signin.token"));
  languageSelect.setAttribute("aria-label", t("lang.label"));
  replaceChildren(
    languageSelect,
    Object.entries(LANGUAGES).map(([code, name]) =>
      h("option", { value: code, selected: code === language }, name),
    ),
  );
}

function describeRefusal(error: unknown): string {
  if (error instanceof ApiError) return t("signin.rejected", { status: error.status, code: error.code });
  return t("signin.unreachable", { message: String(error) });
}

/** Asks for a token until the API accepts one; it lives in sessionStorage for this tab only. */
async function signIn(): Promise<Me> {
  if (token.get()) {
    try {
      return await api.get<Me>("/whoami");
    } catch {
      token.clear();
      tokenError.textContent = t("signin.expired");
    }
  }
  tokenDialog.showModal();
  return new Promise((resolve) => {
    tokenForm.addEventListener("submit", async function submit(event) {
      event.preventDefault();
      token.set(tokenInput.value.trim());
      try {
        const principal = await api.get<Me>("/whoami");
        tokenForm.removeEventListener("submit", submit);
        tokenDialog.close();
        tokenInput.value = "";
        tokenError.textContent = "";
        resolve(principal);
      } catch (error) {
        token.clear();
        tokenError.textContent = describeRefusal(error);
        tokenInput.select();
      }
    });
  });
}

async function route(): Promise<void> {
  if (!me) return;
  leaveView?.();
  leaveView = undefined;
  const [path = "", query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("active", path.startsWith(link.getAttribute("href")?.slice(1) ?? "-"));
  }
  const campaign = /^\/campaigns\/(\d+)$/.exec(path);
  try {
    if (campaign) leaveView = campaignView(view, Number(campaign[1]));
    else if (path === "/campaigns") leaveView = historyView(view, Number(params.get("page") ?? 1));
    else if (path === "/dlq") leaveView = dlqView(view, me, params);
    else if (path === "/compose") await composeView(view, me);
    else location.hash = "#/compose";
  } catch (error) {
    replaceChildren(view, h("p", { class: "error" }, String(error)));
  }
}

let lastAlarms: Alarms | null = null;

/** The alarms' overall state in the top bar, always; a banner for each alarm that fires. */
function renderAlarms(alarms: Alarms): void {
  const firing = alarms.alarms.filter((a) => a.state === "ALARM");
  const state = ["OK", "ALARM", "INSUFFICIENT_DATA"].includes(alarms.state) ? alarms.state : "UNKNOWN";
  alarmState.hidden = false;
  alarmState.className = `alarm-state ${state.toLowerCase()}`;
  alarmState.textContent = t(`alarm.pill.${state}` as MessageKey);
  alarmState.title =
    alarms.note ?? alarms.alarms.map((a) => `${a.name}: ${a.state} — ${a.reason}`).join("\n");
  banner.hidden = firing.length === 0;
  replaceChildren(
    banner,
    firing.map((a) =>
      h(
        "div",
        {},
        h("strong", {}, t("alarm.firing", { name: a.name })),
        ` — ${a.reason} `,
        h("a", { href: "#/dlq" }, t("alarm.open")),
      ),
    ),
  );
}

async function watchAlarms(): Promise<void> {
  try {
    lastAlarms = await api.get<Alarms>("/alarms");
    renderAlarms(lastAlarms);
  } catch {
    // The next poll tries again; a failing alarm source must not break the page.
  }
  setTimeout(watchAlarms, ALARM_POLL_MS);
}

function showWho(principal: Me): void {
  replaceChildren(
    who,
    h("span", {}, principal.name),
    h("span", { class: `badge ${principal.role === "operator" ? "info" : "muted"}` }, principal.role),
    h(
      "button",
      {
        type: "button",
        class: "link",
        onclick: () => {
          token.clear();
          location.reload();
        },
      },
      t("signout"),
    ),
  );
}

languageSelect.addEventListener("change", () => {
  chooseLanguage(languageSelect.value as Language);
  translatePage();
  if (me) showWho(me);
  if (lastAlarms) renderAlarms(lastAlarms);
  route();
});
window.addEventListener("hashchange", route);
translatePage();
me = await signIn();
// From here on a refused token (revoked, server restarted with new tokens) means signing in again.
whenUnauthorized(() => {
  token.clear();
  location.reload();
});
showWho(me);
await route();
watchAlarms();
