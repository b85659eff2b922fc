import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Command } from "commander";
import { ValidationError } from "../../domain/errors";
import { createLambdaClient } from "../../sim/esm/lambda-invoke-function";
import { createLambdaRunner, SWEEP_FUNCTION_NAME } from "../../sim/sweep/lambda-runner";
import { parseVary } from "../../sim/sweep/parse-vary";
import { type PointRunner, runPointJob } from "../../sim/sweep/point-job";
import { createProcessPool } from "../../sim/sweep/process-pool";
import { detailSection } from "../../sim/sweep/report/sweep-html";
import { formatSweepTable } from "../../sim/sweep/report/sweep-table";
import { writeSweepOutput } from "../../sim/sweep/report/write-sweep-output";
import {
  detailPoint,
  jobOf,
  runSweep,
  type SweepProgress,
  type SweepResult,
} from "../../sim/sweep/run-sweep";
import { scenarioFrom, THRESHOLDS_FAILED_EXIT_CODE } from "./run";

interface SweepFlags {
  vary: string[];
  repeat: string;
  jobs?: string;
  out?: string;
  minimize?: string;
  set: string[];
  seed?: string;
  progress: boolean;
  detail?: string;
  on: string;
  lambdaEndpoint?: string;
  functionName: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSweepCommand(program: Command): void {
  program
    .command("sweep")
    .description(
      "Run a scenario over a grid of settings; exit 0 when some point passes every threshold, 99 when none does",
    )
    .argument("<scenario>", "scenario file (.ts, .js, .json, .yaml)")
    .option(
      "--vary <key=values>",
      "a key --set takes, and its values: a list (1,2,5) or a range (1..20, 10..120:10); repeatable",
      collect,
      [],
    )
    .option("--repeat <k>", "seeds per point (the scenario's seed, +1, ...), for the spread", "1")
    .option("--jobs <n>", `points run at once (default: the cores, ${availableParallelism()})`)
    .option("--out <dir>", "where sweep.json, sweep.csv and sweep.html go (default reports/<scenario>-sweep)")
    .option("--minimize <key>", "search for the smallest value of a varied key that passes (bisection)")
    .option("--set <key=value>", "as for run: applied to every point (repeatable)", collect, [])
    .option("--seed <n>", "the first seed (default: the scenario's)")
    .option(
      "--detail <point>",
      "the point whose campaigns sweep.html details (default: the cheapest passing)",
    )
    .option("--on <where>", "where points run: local (worker processes) or lambda (SweepFunction)", "local")
    .option(
      "--lambda-endpoint <url>",
      'with --on lambda: an Invoke API endpoint (smsim lambda serve --zip dist/lambda/sweep.zip), or "aws"',
    )
    .option("--function-name <name>", "with --on lambda: the deployed SweepFunction", SWEEP_FUNCTION_NAME)
    .option("--no-progress", "no progress bar, even on a terminal")
    .action(async (path: string, flags: SweepFlags) => {
      if (flags.vary.length === 0)
        throw new ValidationError("--vary", undefined, "at least one --vary KEY=VALUES");
      const varies = flags.vary.map(parseVary);
      const repeat = wholeNumber("--repeat", flags.repeat);
      const jobs = flags.jobs === undefined ? availableParallelism() : wholeNumber("--jobs", flags.jobs);
      const scenario = await scenarioFrom(path, flags);
      for (const warning of scenario.pipeline.warnings) process.stderr.write(`warning: ${warning}\n`);
      const requested = flags.detail === undefined ? undefined : wholeNumber("--detail", flags.detail, 0);
      const plan = { scenario, varies, repeat, minimize: flags.minimize };
      const runner = runnerFor(flags, jobs, scenario.infra.templatePath);
      const progress = flags.progress && process.stderr.isTTY ? progressBar() : undefined;
      let result: SweepResult;
      let detail = "";
      try {
        result = await runSweep(plan, { runner, onProgress: progress?.update });
        const point = detailPoint(result, requested);
        if (point !== undefined) {
          // Here, whatever ran the sweep: the same seed gives the same run, and a month's timeline
          // is too large for a Lambda response.
          const { timeline } = await runPointJob(
            jobOf(plan, point.settings, result.seeds[0] as number, true),
          );
          detail = await detailSection(result, point, timeline);
        }
      } finally {
        progress?.done();
        await runner.close();
      }
      const dir = resolve(flags.out ?? `reports/${scenario.name}-sweep`);
      const paths = await writeSweepOutput(dir, result, detail);
      process.stdout.write(`${formatSweepTable(result, { color: process.stdout.isTTY })}\n`);
      process.stdout.write(`\n  wrote ${paths.json}\n        ${paths.csv}\n        ${paths.html}\n`);
      if (!result.points.some((p) => p.passed)) process.exitCode = THRESHOLDS_FAILED_EXIT_CODE;
    });
}

const RUNNERS = ["local", "lambda"];

function runnerFor(flags: SweepFlags, jobs: number, templatePath: string): PointRunner {
  if (!RUNNERS.includes(flags.on)) {
    throw new ValidationError("--on", flags.on, `expected one of ${RUNNERS.join(", ")}`);
  }
  if (flags.on === "local") {
    if (flags.lambdaEndpoint !== undefined) {
      throw new ValidationError("--lambda-endpoint", flags.lambdaEndpoint, "needs --on lambda");
    }
    return createProcessPool(jobs);
  }
  if (flags.lambdaEndpoint === undefined) {
    throw new ValidationError(
      "--lambda-endpoint",
      undefined,
      'with --on lambda: a URL, or "aws" for the deployed function',
    );
  }
  const endpoint = flags.lambdaEndpoint === "aws" ? undefined : flags.lambdaEndpoint;
  return createLambdaRunner({
    client: createLambdaClient({ endpoint }),
    functionName: flags.functionName,
    concurrency: jobs,
    templatePath,
  });
}

function wholeNumber(flag: string, text: string, min = 1): number {
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new ValidationError(flag, text, `expected a whole number >= ${min}`);
  }
  return Number(text);
}

/** One line on stderr: runs done of those planned, and the time left at this pace. */
function progressBar() {
  const started = performance.now();
  return {
    update({ runsDone, runsPlanned }: SweepProgress) {
      const width = 30;
      const fraction = runsPlanned > 0 ? Math.min(1, runsDone / runsPlanned) : 0;
      const filled = Math.round(fraction * width);
      const elapsed = (performance.now() - started) / 1000;
      const eta = fraction > 0 ? elapsed / fraction - elapsed : 0;
      process.stderr.write(
        `\r[${"=".repeat(filled)}${" ".repeat(width - filled)}] ${runsDone}/${runsPlanned} runs  ${elapsed.toFixed(1)}s  ETA ${eta.toFixed(1)}s\x1b[K`,
      );
    },
    done() {
      process.stderr.write("\r\x1b[K");
    },
  };
}
