import type { Command } from "commander";
import { compareSummaries, formatComparison } from "../../sim/compare/compare-summaries";
import { readSummaryFile } from "../../sim/compare/read-summary";
import { parseTolerances, TOLERANCE_KEYS } from "../../sim/compare/tolerances";

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerCompareCommand(program: Command): void {
  program
    .command("compare")
    .description("Print two runs' summaries side by side; exit 1 when they disagree beyond the tolerances")
    .argument("<a>", "summary.json of the first run (e.g. the virtual engine's)")
    .argument("<b>", "summary.json of the second run (e.g. the live engine's)")
    .option(
      "--tolerance <key=value>",
      `override a tolerance (repeatable): ${TOLERANCE_KEYS.join(", ")}; e.g. drain=20% alarm=300`,
      collect,
      [],
    )
    .action(async (a: string, b: string, flags: { tolerance: string[] }) => {
      const tolerances = parseTolerances(flags.tolerance);
      const [first, second] = await Promise.all([readSummaryFile(a), readSummaryFile(b)]);
      const comparison = compareSummaries(first, second, tolerances);
      const labels = [`A (${first.engine})`, `B (${second.engine})`] as const;
      process.stdout.write(`A: ${a}\nB: ${b}\n\n${formatComparison(comparison, labels)}\n`);
      if (!comparison.ok) process.exitCode = 1;
    });
}
