import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJsonLogger } from "../../../domain/logger";
import { readQueueDepth } from "../../../domain/sqs-client";
import { createLocalAlarmSource, type LocalAlarmSource } from "../../../sim/alarms/local-alarm-source";
import { MINUTE_MS } from "../../../sim/alarms/metric-store";
import { createLocalConsumer, type LocalConsumer } from "../../../sim/esm/local-consumer";
import { type LiveCarrier, startLiveCarrier } from "../../../sim/live/live-carrier";
import { REHEARSAL_OVERRIDES } from "../../../sim/rehearsal/dlq-incident";
import {
  type Backends,
  eventually,
  type Harness,
  OPERATOR,
  seedUsers,
  startAdmin,
  startBackends,
  type UserSeed,
} from "../../admin/test/admin-harness";
import { launchChromium, screenshot } from "./browser";

/**
 * The on-call engineer's incident, end to end on the real stack (ElasticMQ, MariaDB, the mock
 * carrier over HTTP, the production handler under the ESM emulator), driven through the console
 * in Chromium: the carrier goes down, the campaign says why, its messages reach the DLQ, the DLQ
 * shows them by campaign with reasons, the carrier recovers, the engineer redrives that campaign
 * and it completes. Once in English and once in Korean, as the browser's language picks.
 */

const TIERS = ["basic", "silver", "gold", "vip"] as const;
const USERS: UserSeed[] = Array.from({ length: 120 }, (_, i) => ({
  name: `고객 ${i + 1}`,
  tier: TIERS[i % 4],
}));
const VIPS = USERS.filter((u) => u.tier === "vip").length;
const GOLDS = USERS.filter((u) => u.tier === "gold").length;
const VIP_MESSAGES = Math.ceil(VIPS / 10);
/** 2026-11-06T10:00:00Z: the alarm source's clock, advanced a minute per sample by the test. */
const T0 = Date.UTC(2026, 10, 6, 10, 0, 0);
const OUTAGE = { outages: [{ startInMs: 0, durationMs: 3_600_000 }] };

let backends: Backends;
let admin: Harness;
let carrier: LiveCarrier;
let consumer: LocalConsumer;
let alarms: LocalAlarmSource;
let minute = 0;
let browser: Browser;

beforeAll(async () => {
  // Retries every 2 s instead of 120 s (the rehearsal's settings), so three receives take seconds.
  [backends, carrier, browser] = await Promise.all([
    startBackends("console_incident", REHEARSAL_OVERRIDES),
    startLiveCarrier({ seed: 7 }),
    launchChromium(),
  ]);
  await seedUsers(backends.db.pool, USERS);
  const { client, queueUrl, dlqUrl, config } = backends.mq;
  alarms = createLocalAlarmSource({
    pipeline: config,
    readDepths: async () => ({
      source: await readQueueDepth(client, queueUrl),
      dlq: await readQueueDepth(client, dlqUrl),
    }),
    startMs: T0,
  });
  admin = await startAdmin(backends, { alarms });
  consumer = await createLocalConsumer({
    client,
    queueUrl,
    pipeline: config,
    pool: backends.db.pool,
    carrier: { baseUrl: carrier.baseUrl },
    logger: createJsonLogger({ level: "silent" }),
    pollWaitSeconds: 1,
  });
  consumer.esm.start();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await consumer?.close();
  await admin?.close();
  await carrier?.close();
  await backends?.mq.stop();
  await backends?.db.drop();
});

/** One CloudWatch minute of the template's alarm over the real queues (its period is 60 s here). */
const sampleAlarmMinute = () => alarms.sampleMinute(T0 + ++minute * MINUTE_MS);

async function openConsole(locale: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(admin.url);
  await page.fill("#token-input", OPERATOR.token);
  await page.click("#token-form button[type=submit]");
  await page.waitForSelector("#who >> text=olivia");
  return page;
}

const LANGUAGES = [
  {
    locale: "en-US",
    words: {
      vip: "vip",
      attempts: "Failed attempts so far",
      inDlq: "of this campaign are in the DLQ",
      alarm: "messaging-dlq-alarm is in ALARM",
      shown: `${VIP_MESSAGES} of ${VIP_MESSAGES} shown (`,
      confirm: `Move ${VIP_MESSAGES} messages (${VIPS} recipients) of 1 campaign back`,
      moved: `Moved ${VIP_MESSAGES} messages (${VIPS} recipients)`,
    },
  },
  {
    locale: "ko-KR",
    words: {
      vip: "vip",
      attempts: "지금까지 실패한 시도",
      inDlq: "이 캠페인의 메시지",
      alarm: "messaging-dlq-alarm 경보 발생",
      shown: `${VIP_MESSAGES}건 중 ${VIP_MESSAGES}건 표시 (DLQ 전체`,
      confirm: `캠페인 1개의 메시지 ${VIP_MESSAGES}건(수신자 ${VIPS}명)`,
      moved: `메시지 ${VIP_MESSAGES}건(수신자 ${VIPS}명)을 대기열로 되돌렸습니다`,
    },
  },
] as const;

describe("the incident flow in the console", () => {
  it.each(LANGUAGES)(
    "carrier outage → reasons → DLQ by campaign → redrive → completed ($locale)",
    async ({ locale, words }) => {
      // Prepare: the carrier answers 503 to everything; a campaign to the VIP tier.
      await carrier.configure(OUTAGE);
      const page = await openConsole(locale);
      const shot = (name: string) => screenshot(page, `incident-${locale}-${name}`);
      expect(await page.getAttribute("html", "lang")).toBe(locale.slice(0, 2));
      await page.goto(`${admin.url}/#/compose`);
      await page.click("#add-condition");
      await page.locator(".condition select.field").selectOption("tier");
      await page.locator(".condition select.op").selectOption("eq");
      await page.locator(".condition select.value").selectOption(words.vip);
      await page.waitForSelector(`#preview-count >> text="${VIPS}"`);
      await page.fill("#name", `VIP ${locale}`);
      await page.fill("#content", "[smsim] VIP 고객님, 오늘만 20% 할인");
      await page.click("#send");
      await page.click("#confirm-send-button");
      await page.waitForURL(/#\/campaigns\/\d+$/);
      const logId = Number(/(\d+)$/.exec(page.url())?.[1]);
      // A bystander in the same outage: its messages share the DLQ and must stay there.
      const bystander = await admin.call("POST", "/campaigns", {
        body: {
          name: `Gold ${locale}`,
          content: "gold",
          audience: {
            kind: "filter",
            match: "all",
            conditions: [{ field: "tier", op: "eq", value: "gold" }],
          },
        },
      });
      const goldId = ((await bystander.json()) as { logId: number }).logId;

      // Act 1: the failures say why while they happen, then the messages reach the DLQ.
      await page.waitForSelector("#attempt-reasons >> text=CARRIER_HTTP_503", { timeout: 30_000 });
      expect(await page.textContent("main")).toContain(words.attempts);
      await shot("1-failing");
      // All of them: the DLQ's snapshot follows within its 5-second read interval.
      await page.waitForSelector(`#campaign-dlq:has-text("${VIPS}")`, { timeout: 60_000 });
      expect(await page.textContent("#campaign-dlq")).toContain(words.inDlq);
      await sampleAlarmMinute();
      await page.waitForSelector(`#alarm-banner:not([hidden]) >> text=${words.alarm}`, { timeout: 15_000 });
      await shot("2-in-dlq");

      // Act 2: history shows the trouble; from there, the DLQ filtered to this campaign, with reasons.
      await page.goto(`${admin.url}/#/campaigns`);
      const dlqCell = page.locator(`#history a.badge[href="#/dlq?logId=${logId}"]`);
      await dlqCell.waitFor();
      expect(await dlqCell.textContent()).toBe(String(VIPS));
      await page.waitForSelector(`#history a.badge[href="#/dlq?logId=${goldId}"]`, { timeout: 60_000 });
      await shot("3-history");
      await dlqCell.click();
      await page.waitForSelector("#dlq-messages tbody tr");
      expect(page.url()).toContain(`logId=${logId}`);
      await page.waitForSelector(`#dlq-count >> text=${words.shown}`, { timeout: 15_000 });
      const reasons = await page.locator("#dlq-messages td.reason .code").allTextContents();
      expect(reasons).toEqual(Array(VIP_MESSAGES).fill("CARRIER_HTTP_503"));
      const receives = await page.locator("#dlq-messages tbody tr td:nth-child(6)").allTextContents();
      expect(receives).toEqual(Array(VIP_MESSAGES).fill("3"));
      await shot("4-dlq");

      // Act 3: the carrier is back; redrive this campaign only.
      await carrier.configure({ outages: [] });
      await page.click("#redrive-campaign");
      await page.waitForSelector(`#confirm-action[open] >> text=${words.confirm}`);
      await shot("5-confirm");
      await page.click("#confirm-action-ok");
      await page.waitForSelector(`#dlq-notice >> text=${words.moved}`);

      // Assess: every VIP sent; the bystander still in the DLQ, untouched.
      await page.goto(`${admin.url}/#/campaigns/${logId}`);
      await page.waitForSelector('.title-row .badge[data-status="COMPLETED"]', { timeout: 60_000 });
      expect(await page.textContent("#progress")).toContain(`${VIPS}`);
      await page.waitForSelector("#live", { state: "detached", timeout: 15_000 });
      await shot("6-completed");
      const [row] = await backends.db.pool.query(
        "SELECT sent_count, failed_count, status FROM messaging_log WHERE id = ?",
        [logId],
      );
      expect((row as { sent_count: number }[])[0]).toMatchObject({
        sent_count: VIPS,
        failed_count: 0,
        status: "COMPLETED",
      });
      // The bystander's messages (all of them, once its last retries end) are still in the DLQ.
      const bystanderOnly = [{ logId: goldId, messages: Math.ceil(GOLDS / 10), recipients: GOLDS }];
      const left = await eventually(
        async () =>
          ((await (await admin.call("GET", "/dlq?refresh=true")).json()) as { campaigns: unknown[] })
            .campaigns,
        (campaigns) => JSON.stringify(campaigns) === JSON.stringify(bystanderOnly),
        "only the bystander is left in the DLQ",
        20_000,
      );
      expect(left).toEqual(bystanderOnly);

      // The bystander goes back too; with the DLQ empty the template's alarm returns to OK.
      await admin.call("POST", "/dlq/messages/redrive", { body: { logId: goldId } });
      await eventually(
        () => admin.call("GET", `/campaigns/${goldId}`).then((r) => r.json() as Promise<{ status: string }>),
        (c) => c.status === "COMPLETED",
        "the bystander completes",
        60_000,
      );
      await sampleAlarmMinute();
      await page.waitForSelector("#alarm-banner[hidden]", { state: "attached", timeout: 15_000 });
      await page.context().close();
    },
    180_000,
  );
});
