import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DAY_MS, formatDuration, HOUR_MS } from "../../scenario/durations";
import { loadScenario, parseScenario, type Scenario } from "../../scenario/load-scenario";
import type { ScenarioInput } from "../../scenario/schema";
import { SHIPPED_SCENARIOS_DIR, shippedScenarioFiles } from "../../scenario/test/fixtures";
import { runVirtualScenario } from "../virtual-engine";

const SCENARIOS_DIR = SHIPPED_SCENARIOS_DIR;
/**
 * Month-long scenarios take tens of seconds to minutes (docs/BENCHMARKS.md): month-1m runs here
 * cut short, month-10m only in bench/virtual-engine.bench.ts, which checks its thresholds.
 */
const MONTHS = new Set(["month-1m.ts", "month-10m.ts"]);
const files = shippedScenarioFiles();

/**
 * The first `keepMs` of a scenario: traffic after the cut dropped, daily and constant-arrival-rate
 * entries shortened to it; the rates, sizes and thresholds stay as written.
 */
function firstPartOf(scenario: Scenario, keepMs: number): Scenario {
  const traffic = scenario.traffic.flatMap((entry, i): ScenarioInput["traffic"] => {
    const written = scenario.input.traffic[i] as ScenarioInput["traffic"][number];
    switch (entry.executor) {
      case "campaign":
        return entry.startMs < keepMs ? [written] : [];
      case "daily": {
        const days = Math.min(entry.days, Math.ceil((keepMs - entry.atMs) / DAY_MS));
        return days > 0 ? [{ ...written, days } as ScenarioInput["traffic"][number]] : [];
      }
      case "constant-arrival-rate": {
        if (entry.startMs >= keepMs) return [];
        const duration = formatDuration(Math.min(entry.durationMs, keepMs - entry.startMs));
        return [{ ...written, duration } as ScenarioInput["traffic"][number]];
      }
      default:
        throw new Error(`firstPartOf: cannot cut ${entry.executor} entry ${entry.name}`);
    }
  });
  const input = { ...scenario.input, duration: formatDuration(keepMs), traffic };
  return parseScenario(input, scenario.sourcePath);
}

function failedThresholds(summary: Awaited<ReturnType<typeof runVirtualScenario>>["summary"]) {
  return summary.thresholds.filter((t) => !t.ok);
}

describe("shipped scenarios on the virtual engine", () => {
  it.each(files.filter((f) => !MONTHS.has(f)))("%s runs and passes its own thresholds", async (file) => {
    // Prepare
    const scenario = await loadScenario(resolve(SCENARIOS_DIR, file));

    // Act
    const { summary } = await runVirtualScenario(scenario);

    // Assess
    expect(summary.thresholds.length).toBeGreaterThan(0);
    expect(failedThresholds(summary)).toEqual([]);
    expect(summary.recipients.unaccounted).toBe(0);
  });

  it("month-1m, cut to its first 36 hours (the first weekly campaign drains in them), passes its thresholds", async () => {
    // Prepare: weekly-marketing-w1 at 1d10h, the first day's daily campaigns and 36 h of orders
    const month = await loadScenario(resolve(SCENARIOS_DIR, "month-1m.ts"));
    const scenario = firstPartOf(month, 36 * HOUR_MS);

    // Act
    const { summary } = await runVirtualScenario(scenario);

    // Assess
    expect(summary.campaigns.map((c) => [c.name, c.recipients])).toEqual([
      // k6's ticker period is 3600 s / 140 truncated to whole ns: tick 5,040 falls just before 36 h.
      ["order-notifications", 36 * 140 + 1],
      ["daily-promo", 8_000],
      ["daily-reminder", 2_000],
      ["weekly-marketing-w1", 150_000],
    ]);
    expect(summary.thresholds.map((t) => t.metric)).toEqual(
      expect.arrayContaining(["campaign_drain_seconds{campaign:weekly-marketing-w1}"]),
    );
    expect(failedThresholds(summary)).toEqual([]);
  });
});
