/**
 * Benchmark of the virtual engine on the month-long scenarios: each run in a fresh child process,
 * so its peak RSS is its own; prints medians (wall time, CPU time, peak RSS) against the targets, with
 * the load average (the machine is shared: read the figures against it).
 *
 *   npx tsx bench/virtual-engine.bench.ts                     # month-1m x3, month-10m x1
 *   npx tsx bench/virtual-engine.bench.ts month-1m=5          # only month-1m, 5 runs
 *   npx tsx bench/virtual-engine.bench.ts --cpu-prof .cache/profiles month-1m=1
 */
import { spawn } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ValidationError } from "../domain/errors";
import { loadScenario } from "../sim/scenario/load-scenario";
import { median } from "../sim/sweep/point-figures";
import { runVirtualScenario } from "../sim/virtual/virtual-engine";

const ROOT = resolve(import.meta.dirname, "..");
const RESULT_MARK = "BENCH_RESULT ";
const GIB = 1024 ** 3;

/** The issue's targets: seconds of wall time per scenario, and peak RSS for every run. */
const WALL_TARGET_SECONDS: Record<string, number> = { "month-1m": 2.5, "month-10m": 25 };
const RSS_TARGET_BYTES = GIB;
const DEFAULT_RUNS = ["month-1m=3", "month-10m=1"];

interface RunResult {
  /** The engine's own wall time (summary.wallSeconds): the run, without process start and loading. */
  engineSeconds: number;
  /** The child process from spawn to exit: Node and tsx start-up and loading the scenario included. */
  processSeconds: number;
  /** User + system CPU time of the child: less sensitive than wall time to a busy machine. */
  cpuSeconds: number;
  peakRssBytes: number;
  load1: number;
  recipients: number;
  failedThresholds: string[];
}

/** One run, in this process: what the child prints for the parent. */
async function child(path: string): Promise<void> {
  const scenario = await loadScenario(path);
  const { summary } = await runVirtualScenario(scenario);
  const usage = process.resourceUsage();
  const result = {
    engineSeconds: summary.wallSeconds,
    // resourceUsage() gives CPU times in microseconds and maxRSS in kilobytes.
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    peakRssBytes: usage.maxRSS * 1024,
    recipients: summary.recipients.requested,
    failedThresholds: summary.thresholds
      .filter((t) => !t.ok)
      .map((t) => `${t.metric} ${t.expression} (got ${t.value})`),
  };
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

function runChild(name: string, cpuProfDir: string | undefined): Promise<RunResult> {
  const load1 = loadavg()[0] as number;
  const started = performance.now();
  const profile = cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${resolve(cpuProfDir)}`];
  const args = [...profile, "--import", "tsx", import.meta.filename, "--child", `scenarios/${name}.ts`];
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    proc.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    proc.on("error", fail);
    proc.on("close", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARK));
      if (code !== 0 || line === undefined) {
        fail(new Error(`${name}: child exited with ${code} and no result`));
        return;
      }
      const processSeconds = (performance.now() - started) / 1000;
      done({ ...JSON.parse(line.slice(RESULT_MARK.length)), processSeconds, load1 });
    });
  });
}

function parseRuns(specs: readonly string[]): { name: string; runs: number }[] {
  return specs.map((spec) => {
    const match = /^([\w.-]+)=(\d+)$/.exec(spec);
    if (!match || Number(match[2]) < 1) {
      throw new ValidationError("runs", spec, "expected <scenario name>=<runs>, e.g. month-1m=3");
    }
    return { name: match[1] as string, runs: Number(match[2]) };
  });
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;
const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");

function verdict(actual: number, target: number, unit: (n: number) => string): string {
  return actual <= target ? "met" : `missed: ${unit(actual)} is ${(actual / target).toFixed(1)}x the target`;
}

async function parent(specs: readonly string[], cpuProfDir: string | undefined): Promise<void> {
  const plan = parseRuns(specs.length > 0 ? specs : DEFAULT_RUNS);
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(
    `machine: ${cpus().length} cores (${cpu}), ${mib(totalmem())} RAM, Node ${process.versions.node}\n` +
      `load average (1/5/15 min) at start: ${loads()}\n\n`,
  );
  const rows: string[] = [];
  for (const { name, runs } of plan) {
    const results: RunResult[] = [];
    for (let i = 0; i < runs; i++) {
      const result = await runChild(name, cpuProfDir);
      results.push(result);
      process.stdout.write(
        `  ${name} run ${i + 1}/${runs}: engine ${result.engineSeconds.toFixed(2)} s, ` +
          `process ${result.processSeconds.toFixed(2)} s, CPU ${result.cpuSeconds.toFixed(2)} s, ` +
          `peak RSS ${mib(result.peakRssBytes)}, ` +
          `load ${result.load1.toFixed(2)}\n`,
      );
    }
    const engine = median(results.map((r) => r.engineSeconds));
    const rss = median(results.map((r) => r.peakRssBytes));
    const wallTarget = WALL_TARGET_SECONDS[name];
    const failed = [...new Set(results.flatMap((r) => r.failedThresholds))];
    rows.push(
      `| ${name} | ${(results[0] as RunResult).recipients.toLocaleString("en-US")} | ${runs} | ` +
        `${engine.toFixed(2)} s | ${median(results.map((r) => r.processSeconds)).toFixed(2)} s | ` +
        `${median(results.map((r) => r.cpuSeconds)).toFixed(2)} s | ${mib(rss)} | ` +
        `${median(results.map((r) => r.load1)).toFixed(2)} | ` +
        `${wallTarget === undefined ? "-" : `<= ${wallTarget} s: ${verdict(engine, wallTarget, (s) => `${s.toFixed(1)} s`)}`}; ` +
        `RSS < 1 GiB: ${verdict(rss, RSS_TARGET_BYTES, mib)} | ${failed.length === 0 ? "all pass" : failed.join("; ")} |`,
    );
  }
  process.stdout.write(
    "\n| scenario | recipients | runs | engine wall | process wall | process CPU | peak RSS | load (1 min) | targets | thresholds |\n" +
      "|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n" +
      `${rows.join("\n")}\n\nload average (1/5/15 min) at end: ${loads()}\n`,
  );
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { child: { type: "string" }, "cpu-prof": { type: "string" } },
});
if (values.child !== undefined) await child(values.child);
else await parent(positionals, values["cpu-prof"]);
