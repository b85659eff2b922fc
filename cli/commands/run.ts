import { resolve } from "node:path";
import type { Command } from "commander";
import { ValidationError } from "../../domain/errors";
import { formatConsoleSummary } from "../../reports/console-summary";
import { baselineResults, checkAgainstBaseline, formatBaselineCheck } from "../../sim/compare/baseline";
import { readSummaryFile } from "../../sim/compare/read-summary";
import { parseTolerances, TOLERANCE_KEYS } from "../../sim/compare/tolerances";
import { RunInterruptedError } from "../../sim/live/errors";
import type { InvokeMode } from "../../sim/live/remote-function";
import type { EngineOptions } from "../../sim/run/engines";
import { loadScenarioWithSets } from "../../sim/scenario/apply-sets";
import { formatDuration } from "../../sim/scenario/durations";
import type { Scenario } from "../../sim/scenario/load-scenario";
import type { RunProgress, RunResult } from "../../sim/virtual/virtual-engine";
import { interruptOnSignals } from "../interrupt-on-signals";

// The engines and the report writer load only when a run starts: `validate` and argument errors
// answer in about a second instead of loading vega, the AWS SDK and MySQL first.
const ENGINE_NAMES = "virtual or live";
const INVOKE_MODES = ["in-process", "lambda"] as const satisfies readonly InvokeMode[];

/** k6's exit code when a threshold fails, so CI treats smsim like k6. */
export const THRESHOLDS_FAILED_EXIT_CODE = 99;

interface RunFlags {
  engine: string;
  seed?: string;
  out?: string;
  set: string[];
  progress: boolean;
  timeScale: string;
  invoke: string;
  lambdaEndpoint?: string;
  baseline?: string;
  tolerance: string[];
  keep?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export async function scenarioFrom(path: string, flags: { seed?: string; set: string[] }): Promise<Scenario> {
  const sets = [...flags.set];
  if (flags.seed !== undefined) {
    if (!/^\d+$/.test(flags.seed)) throw new ValidationError("--seed", flags.seed, "expected a whole number");
    sets.push(`seed=${flags.seed}`);
  }
  return loadScenarioWithSets(path, sets);
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("Run a scenario and check its thresholds (exit 99 when one fails)")
    .argument("<scenario>", "scenario file (.ts, .js, .json, .yaml)")
    .option("--engine <name>", `engine: ${ENGINE_NAMES}`, "virtual")
    .option("--seed <n>", "override the scenario's seed")
    .option(
      "--out <dir>",
      "where summary.json, junit.xml and report.html go (default reports/<scenario name>)",
    )
    .option("--set <key=value>", "override a scenario field or a template property (repeatable)", collect, [])
    .option("--no-progress", "no progress bar, even on a terminal")
    .option(
      "--time-scale <k>",
      "live: shrink every duration by k (visibility timeout, alarm period, gaps)",
      "1",
    )
    .option(
      "--invoke <mode>",
      `live: how the function is invoked: ${INVOKE_MODES.join(" or ")}`,
      "in-process",
    )
    .option(
      "--lambda-endpoint <url>",
      'live with --invoke lambda: Invoke API endpoint, or "aws" (default: host dist/lambda/handler.zip)',
    )
    .option("--baseline <summary.json>", "compare with a committed summary; exit 99 on a regression")
    .option(
      "--tolerance <key=value>",
      `with --baseline, as for compare (${TOLERANCE_KEYS.join(", ")})`,
      collect,
      [],
    )
    .option("--keep", "live: keep the run's database and queues for inspection")
    .action(async (path: string, flags: RunFlags) => {
      const liveOptions = liveOptionsOf(flags);
      const scenario = await scenarioFrom(path, flags);
      const { ENGINES } = await import("../../sim/run/engines");
      const engine = ENGINES[flags.engine];
      if (!engine) {
        throw new ValidationError(
          "--engine",
          flags.engine,
          `expected one of ${Object.keys(ENGINES).join(", ")}`,
        );
      }
      const tolerances = parseTolerances(flags.tolerance);
      const baseline = flags.baseline === undefined ? undefined : await readSummaryFile(flags.baseline);
      const progress = flags.progress && process.stderr.isTTY ? progressBar() : undefined;
      // A virtual run takes seconds and has nothing to clean up: Ctrl-C ends it as usual.
      const interruption =
        flags.engine === "live"
          ? interruptOnSignals((line) => {
              progress?.done();
              process.stderr.write(`smsim: ${line}\n`);
            })
          : undefined;
      let result: RunResult;
      try {
        result = await engine(scenario, {
          slackWebhookUrl: process.env.SLACK_WEBHOOK_URL || undefined,
          onProgress: progress?.update,
          signal: interruption?.signal,
          ...liveOptions,
        });
      } catch (error) {
        if (!(error instanceof RunInterruptedError)) throw error;
        process.stderr.write(`smsim: ${error.message}; nothing to report\n`);
        process.exitCode = interruption?.exitCode();
        return;
      } finally {
        interruption?.dispose();
        progress?.done();
      }
      const dir = resolve(flags.out ?? `reports/${scenario.name}`);
      const { writeBaselineJUnit, writeRunOutput } = await import("../../reports/write-run-output");
      const paths = await writeRunOutput(dir, result.summary, result.timeline);
      process.stdout.write(`${formatConsoleSummary(result.summary, { color: process.stdout.isTTY })}\n`);
      process.stdout.write(`\n  wrote ${paths.summary}\n        ${paths.junit}\n        ${paths.html}\n`);
      const failed = result.summary.thresholds.filter((t) => !t.ok).length;
      if (result.summary.interrupted) {
        process.stderr.write("smsim: interrupted: the summary covers the run up to the interruption\n");
        process.exitCode = interruption?.exitCode();
      } else if (failed > 0) {
        process.stderr.write(`smsim: ${failed} threshold(s) failed\n`);
        process.exitCode = THRESHOLDS_FAILED_EXIT_CODE;
      }
      if (baseline !== undefined && flags.baseline !== undefined && !result.summary.interrupted) {
        const check = checkAgainstBaseline(baseline, result.summary, tolerances);
        const junit = await writeBaselineJUnit(dir, baselineResults(check), result.summary);
        process.stdout.write(`\n${formatBaselineCheck(check, flags.baseline)}\n        wrote ${junit}\n`);
        if (check.regressions.length > 0) process.exitCode = THRESHOLDS_FAILED_EXIT_CODE;
      }
    });

  program
    .command("validate")
    .description("Check a scenario file and print what it resolves to")
    .argument("<scenario>", "scenario file")
    .option("--set <key=value>", "as for run (repeatable)", collect, [])
    .action(async (path: string, flags: { set: string[] }) => {
      const scenario = await scenarioFrom(path, flags);
      process.stdout.write(`${describeScenario(scenario).join("\n")}\n`);
    });
}

/** What `smsim validate` prints: the scenario as it will run, every setting resolved. */
export function describeScenario(scenario: Scenario): string[] {
  const { pipeline, carrier, users } = scenario;
  const { queue, esm, lambda } = pipeline;
  const rate = (n: number | null) => (n === null ? "unlimited" : `${n}/s`);
  const latency = Object.entries(carrier.latencyMs)
    .map(([k, v]) => (k === "dist" ? v : `${k} ${v} ms`))
    .join(", ");
  const outages = carrier.outages.map(
    (o) => `${formatDuration(o.startMs)} for ${formatDuration(o.durationMs)}`,
  );
  return [
    `${scenario.name}: valid`,
    `  duration ${formatDuration(scenario.durationMs)}, seed ${scenario.seed}, ${scenario.traffic.length} traffic entries, ${Object.keys(scenario.thresholds).length} thresholds`,
    `  users: ${users.count.toLocaleString("en-US")}, invalidRate ${users.invalidRate}`,
    `  carrier: rate limit ${rate(carrier.rateLimit.requestsPerSecond)} requests, ${rate(carrier.rateLimit.recipientsPerSecond)} recipients; latency ${latency}`,
    `           transientFailureRate ${carrier.transientFailureRate}, timeoutRate ${carrier.timeoutRate}, connectionResetRate ${carrier.connectionResetRate}, invalidRecipientRate ${carrier.invalidRecipientRate}, rejectRate ${carrier.rejectRate}; outages ${outages.join("; ") || "none"}`,
    `  handler: recordParallelism ${lambda.recordParallelism}, carrier retries ${lambda.carrierRetries}, carrier timeout ${lambda.carrierTimeoutMs} ms`,
    `  queue ${queue.name}: VisibilityTimeout ${queue.visibilityTimeoutSeconds}s, maxReceiveCount ${queue.maxReceiveCount}, retention ${formatDuration(queue.retentionSeconds * 1000)}`,
    `  mapping: BatchSize ${esm.batchSize}, MaximumConcurrency ${esm.maximumConcurrency ?? "none"}; function Timeout ${lambda.timeoutSeconds}s, reserved ${lambda.reservedConcurrency ?? "none"}, ${lambda.memoryMb} MB ${lambda.architecture}`,
    `  alarms: ${pipeline.alarms.map((a) => a.name).join(", ") || "none"}`,
    ...pipeline.warnings.map((w) => `  advice: ${w}`),
  ];
}

/** --time-scale, --invoke, --lambda-endpoint and --keep, validated; only the live engine takes them. */
function liveOptionsOf(
  flags: RunFlags,
): Pick<EngineOptions, "timeScale" | "invoke" | "lambdaEndpoint" | "keepResources"> {
  const timeScale = Number(flags.timeScale);
  if (!(timeScale >= 1) || !Number.isFinite(timeScale)) {
    throw new ValidationError("--time-scale", flags.timeScale, "expected a number >= 1");
  }
  if (!(INVOKE_MODES as readonly string[]).includes(flags.invoke)) {
    throw new ValidationError("--invoke", flags.invoke, `expected one of ${INVOKE_MODES.join(", ")}`);
  }
  const invoke = flags.invoke as InvokeMode;
  if (flags.lambdaEndpoint !== undefined && invoke !== "lambda") {
    throw new ValidationError("--lambda-endpoint", flags.lambdaEndpoint, "needs --invoke lambda");
  }
  if (flags.engine !== "live" && (timeScale !== 1 || invoke !== "in-process")) {
    const flag = timeScale !== 1 ? "--time-scale" : "--invoke";
    throw new ValidationError(flag, timeScale !== 1 ? flags.timeScale : flags.invoke, "needs --engine live");
  }
  if (flags.engine !== "live" && flags.keep) throw new ValidationError("--keep", true, "needs --engine live");
  return { timeScale, invoke, lambdaEndpoint: flags.lambdaEndpoint, keepResources: flags.keep ?? false };
}

/** One line on stderr, redrawn at most ten times a second: scenario time, recipients done, ETA. */
function progressBar() {
  const started = performance.now();
  let last = 0;
  const draw = (p: RunProgress) => {
    const fraction = p.durationMs > 0 ? p.scenarioMs / p.durationMs : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const elapsed = (performance.now() - started) / 1000;
    const eta = fraction > 0 ? elapsed / fraction - elapsed : 0;
    const line =
      `[${"=".repeat(filled)}${" ".repeat(width - filled)}] ${formatDuration(Math.round(p.scenarioMs / 1000) * 1000)}` +
      ` / ${formatDuration(p.durationMs)}  recipients ${p.recipientsDone.toLocaleString("en-US")}/${p.recipientsRequested.toLocaleString("en-US")}` +
      `  ETA ${eta.toFixed(1)}s`;
    process.stderr.write(`\r${line}\x1b[K`);
  };
  return {
    update(p: RunProgress) {
      const now = performance.now();
      if (now - last < 100 && p.scenarioMs < p.durationMs) return;
      last = now;
      draw(p);
    },
    done() {
      process.stderr.write("\r\x1b[K");
    },
  };
}
