import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium package: the tests never download a browser. */
const CHROMIUM = "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** Opens a report the way a person would and records what the page complained of or fetched. */
export async function openReport(browser: Browser, path: string) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const problems: string[] = [];
  const fetched: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("request", (request) => fetched.push(request.url()));
  await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
  return { page, problems, fetched };
}
