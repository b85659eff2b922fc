import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlarmStatusSource } from "../../admin/alarm-status";
import {
  type Backends,
  type Harness,
  OPERATOR,
  queueDepth,
  seedUsers,
  sendBodies,
  startAdmin,
  startBackends,
  type UserSeed,
} from "../../admin/test/admin-harness";
import { launchChromium, screenshot } from "./browser";

const TIERS = ["basic", "silver", "gold", "vip"] as const;
const USERS: UserSeed[] = Array.from({ length: 64 }, (_, i) => ({
  name: `Customer ${i + 1}`,
  tier: TIERS[i % 4],
  marketing_opt_in: i % 3 !== 0,
}));
const optedInGoldOrVip = USERS.filter(
  (u) => u.marketing_opt_in && (u.tier === "gold" || u.tier === "vip"),
).length;

/** A firing DLQ alarm, as the simulator's evaluator would report it. */
const firingAlarm: AlarmStatusSource = {
  current: () => [
    {
      name: "messaging-dlq-alarm",
      state: "ALARM",
      reason: "Threshold Crossed: 1 datapoint [2.0] >= 1.0",
      stateChangedAt: Date.UTC(2026, 2, 1, 9, 0),
    },
  ],
  history: () => [],
};

let backends: Backends;
let admin: Harness;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [backends, browser] = await Promise.all([startBackends("console_browser"), launchChromium()]);
  await seedUsers(backends.db.pool, USERS);
  admin = await startAdmin(backends, { alarms: firingAlarm });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await backends?.mq.stop();
  await backends?.db.drop();
});

const shot = (name: string) => screenshot(page, name);

describe("operations console", () => {
  it("says why a token is refused, then signs in once per tab and shows the firing alarm", async () => {
    // Prepare
    await page.goto(admin.url);
    // Act
    await page.fill("#token-input", "not-a-real-token-000000");
    await page.click("#token-form button[type=submit]");
    await page.waitForSelector("#token-error >> text=That token was not accepted (401 UNAUTHORIZED)");
    await shot("0-sign-in-refused");
    await page.fill("#token-input", OPERATOR.token);
    await page.click("#token-form button[type=submit]");
    // Assess
    await page.waitForSelector("#who >> text=olivia");
    expect(await page.textContent("#who")).toContain("operator");
    await page.waitForSelector("#alarm-banner:not([hidden]) >> text=messaging-dlq-alarm is in ALARM");
    expect(await page.textContent("#alarm-state")).toBe("Alarms: ALARM");
    await page.reload();
    await page.waitForSelector("#who >> text=olivia");
    expect(await page.isVisible("#token-dialog")).toBe(false);
  });

  it("switches to Korean and keeps the choice across a reload", async () => {
    // Prepare
    await page.goto(`${admin.url}/#/campaigns`);
    await page.waitForSelector("h1 >> text=Campaign history");
    // Act
    await page.selectOption("#language", "ko");
    await page.waitForSelector("h1 >> text=캠페인 발송 이력");
    await page.reload();
    // Assess
    await page.waitForSelector("h1 >> text=캠페인 발송 이력");
    expect(await page.textContent("#nav")).toContain("새 캠페인");
    expect(await page.getAttribute("html", "lang")).toBe("ko");
    await page.selectOption("#language", "en");
    await page.waitForSelector("h1 >> text=Campaign history");
  });

  it("composes an audience with a live count, sends it, and follows its progress", async () => {
    // Prepare
    await page.goto(`${admin.url}/#/compose`);
    await page.waitForSelector("#preview-note >> text=Choose who receives it");
    await page.check("#everyone");
    await page.waitForSelector("#preview-count >> text=64");
    // Act
    await page.click("#add-condition");
    await page.click("#add-condition");
    const second = page.locator(".condition").nth(1);
    await second.locator("select.field").selectOption("tier");
    await second.locator("select.op").selectOption("in");
    // Nothing is ticked for the user: the count waits for a choice.
    expect(await second.locator("label.chip input:checked").count()).toBe(0);
    await page.waitForSelector("#preview-note >> text=Tick at least one value for Tier");
    await second.locator("label.chip", { hasText: "gold" }).locator("input").check();
    await second.locator("label.chip", { hasText: "vip" }).locator("input").check();
    await page.waitForSelector(`#preview-count >> text="${optedInGoldOrVip}"`);
    const firstField = await page
      .locator(".condition select.field")
      .first()
      .evaluate((el) => {
        const select = el as HTMLSelectElement;
        return select.selectedOptions[0]?.textContent;
      });
    expect(firstField).toBe("Marketing opt-in");
    await page.fill("#name", "Spring sale — gold & VIP");
    await page.fill("#content", "[smsim] Gold and VIP members: 20% off until Sunday.");
    await shot("1-compose");
    await page.click("#send");
    await page.waitForSelector("#confirm-send[open]");
    await shot("2-confirm");
    await page.click("#confirm-send-button");
    // Assess
    await page.waitForURL(/#\/campaigns\/\d+$/);
    await page.waitForSelector(".badge >> text=queued");
    const progress = await page.textContent("#progress");
    expect(progress).toContain(`${optedInGoldOrVip}Recipients`);
    expect(progress).toContain(`${optedInGoldOrVip}Queued`);
    expect(await queueDepth(admin.sqs.client, admin.sqs.queueUrl)).toBe(Math.ceil(optedInGoldOrVip / 10));
    await shot("3-campaign");
  });

  it("lists the campaign in the history", async () => {
    // Prepare
    await page.goto(`${admin.url}/#/campaigns`);
    // Act
    const row = page.locator("#history tbody tr").first();
    await row.waitFor();
    // Assess
    expect(await row.textContent()).toContain("Spring sale — gold & VIP");
    expect(await row.textContent()).toContain("olivia");
    expect(await row.textContent()).toContain("marketing_opt_in = true AND tier in gold, vip");
    await shot("4-history");
  });

  it("lists DLQ messages, keeps an opened body open across refreshes, and redrives them all", async () => {
    // Prepare
    const before = await queueDepth(admin.sqs.client, admin.sqs.queueUrl);
    const markup = '<img src=x onerror="window.__xss=1">';
    await sendBodies(admin.sqs.client, admin.sqs.dlqUrl, [
      { logId: 1, chunkId: 0, userIds: [3, 6, 7] },
      { logId: 1, chunkId: 1, userIds: [10, 11] },
      markup,
    ]);
    await page.goto(`${admin.url}/#/dlq`);
    await page.waitForSelector("#dlq-messages tbody tr >> nth=2");
    await page.locator("#dlq-messages details summary").first().click();
    await page.waitForTimeout(3500);
    expect(await page.locator("#dlq-messages details[open]").count()).toBe(1);
    expect(await page.textContent("#dlq-count")).toBe("3 of 3 shown");
    // A body is text, never markup.
    expect(await page.locator("#dlq-messages pre", { hasText: markup }).count()).toBe(1);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await shot("5-dlq");
    // Act
    await page.click("#redrive");
    await page.waitForSelector("#confirm-action[open] >> text=Move 3 messages (5 recipients) of 1 campaign");
    await page.click("#confirm-action-ok");
    // Assess
    await page.waitForSelector("#redrive-tasks >> text=completed");
    await page.waitForSelector("text=The DLQ is empty.");
    expect(await queueDepth(admin.sqs.client, admin.sqs.dlqUrl)).toBe(0);
    expect(await queueDepth(admin.sqs.client, admin.sqs.queueUrl)).toBe(before + 3);
    await shot("6-dlq-redriven");
  });
});
