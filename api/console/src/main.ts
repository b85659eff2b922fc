import { type Alarms, api, type Me, token, whenUnauthorized } from "./api";
import { h, replaceChildren } from "./dom";
import { campaignView } from "./views/campaign";
import { composeView } from "./views/compose";
import { dlqView } from "./views/dlq";
import { historyView } from "./views/history";

const ALARM_POLL_MS = 10_000;

const view = document.getElementById("view") as HTMLElement;
const who = document.getElementById("who") as HTMLElement;
const banner = document.getElementById("alarm-banner") as HTMLElement;
const tokenDialog = document.getElementById("token-dialog") as HTMLDialogElement;
const tokenForm = document.getElementById("token-form") as HTMLFormElement;
const tokenInput = document.getElementById("token-input") as HTMLInputElement;
const tokenError = document.getElementById("token-error") as HTMLElement;

let me: Me | null = null;
let leaveView: (() => void) | undefined;

/** Asks for a token until the API accepts one; it lives in sessionStorage for this tab only. */
async function signIn(): Promise<Me> {
  if (token.get()) {
    try {
      return await api.get<Me>("/whoami");
    } catch {
      token.clear();
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
      } catch {
        token.clear();
        tokenError.textContent = "That token was not accepted.";
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
    else if (path === "/dlq")
      leaveView = dlqView(view, me, params.has("logId") ? Number(params.get("logId")) : null);
    else if (path === "/compose") await composeView(view, me);
    else location.hash = "#/compose";
  } catch (error) {
    replaceChildren(view, h("p", { class: "error" }, String(error)));
  }
}

async function watchAlarms(): Promise<void> {
  try {
    const alarms = await api.get<Alarms>("/alarms");
    const firing = alarms.alarms.filter((a) => a.state === "ALARM");
    banner.hidden = firing.length === 0;
    replaceChildren(
      banner,
      firing.map((a) =>
        h(
          "div",
          {},
          h("strong", {}, `${a.name} is in ALARM`),
          ` — ${a.reason} `,
          h("a", { href: "#/dlq" }, "Open the DLQ →"),
        ),
      ),
    );
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
      "Sign out",
    ),
  );
}

whenUnauthorized(() => {
  token.clear();
  location.reload();
});
window.addEventListener("hashchange", route);
me = await signIn();
showWho(me);
await route();
watchAlarms();
