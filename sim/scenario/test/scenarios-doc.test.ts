import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RUN_METRIC_INFO } from "../../run/metric-catalog";
import { RUN_METRICS } from "../../run/run-metrics";

const DOC = resolve(import.meta.dirname, "../../../docs/SCENARIOS.md");

describe("docs/SCENARIOS.md", () => {
  it("lists every metric with the type, unit and tags the run reports", async () => {
    // Prepare
    const text = await readFile(DOC, "utf8");
    // Act: the metrics table's rows as [metric, type, unit, tags]
    const documented = new Map(
      text
        .split("\n")
        .filter((line) => /^\| `[a-z_]+` +\| (counter|gauge|rate|trend) /.test(line))
        .map((line) => {
          const [metric, kind, unit, tags] = line
            .split("|")
            .slice(1, 5)
            .map((cell) => cell.trim());
          return [metric, [kind, unit, tags]];
        }),
    );
    // Assess
    for (const key of Object.keys(RUN_METRICS) as (keyof typeof RUN_METRICS)[]) {
      const info = RUN_METRIC_INFO[key];
      const tags = info.tags.map((t) => `\`${t}\``).join(", ");
      expect(documented.get(`\`${RUN_METRICS[key]}\``)).toEqual([info.kind, info.unit, tags]);
    }
  });
});
