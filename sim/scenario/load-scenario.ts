import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { describeValue, SmsimError } from "../../domain/errors";
import { valueAt } from "../../domain/validation";
import {
  DEFAULT_TEMPLATE_PATH,
  loadPipelineConfig,
  type PipelineConfig,
  type TemplateOverrides,
} from "../../infra/pipeline-config";
import { ALARM_STATES } from "../../reports/summary";
import { RUN_METRICS_BY_NAME } from "../run/metric-catalog";
import { ThresholdSyntaxError } from "../thresholds/errors";
import { type TagValues, thresholdProblems } from "../thresholds/threshold-checks";
import { parseThresholdKey, parseThresholdSpec } from "../thresholds/threshold-parser";
import { ScenarioError, ScenarioFileError, type ScenarioProblem } from "./errors";
import { type ParsedScenario, type ScenarioInput, scenarioFields, scenarioSchema } from "./schema";

/** A validated scenario: durations in milliseconds, defaults filled in, the pipeline resolved. */
export interface Scenario extends Omit<ParsedScenario, "infra"> {
  /** Absolute path of the scenario file, or null for a scenario built in code. */
  sourcePath: string | null;
  infra: { templatePath: string; overrides: TemplateOverrides };
  /** The template with `infra.overrides` and the `handler` settings applied. */
  pipeline: PipelineConfig;
  /** The scenario as written (durations as strings): what `--set` edits and reports quote. */
  input: ScenarioInput;
}

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);

/** Imports or reads a scenario file (.ts/.mts/.js/.mjs default export, .json, .yaml/.yml) and validates it. */
export async function loadScenario(path: string): Promise<Scenario> {
  const { input, sourcePath } = await readScenarioInput(path);
  return parseScenario(input, sourcePath, path);
}

/** A scenario file's content, not yet validated, and its absolute path. */
export async function readScenarioInput(path: string): Promise<{ input: unknown; sourcePath: string }> {
  const sourcePath = resolve(path);
  return { input: await readScenarioFile(path, sourcePath), sourcePath };
}

/**
 * Validates a scenario object, throwing a ScenarioError with every problem found. Relative
 * template paths resolve against the directory of `sourcePath` (the working directory when null);
 * `label` names the source in errors.
 */
export function parseScenario(
  input: unknown,
  sourcePath: string | null = null,
  label = sourcePath,
): Scenario {
  const result = validateScenario(input, sourcePath);
  if (!result.ok) throw new ScenarioError(label ?? "<inline>", result.problems);
  return result.scenario;
}

export type ScenarioValidation =
  | { ok: true; scenario: Scenario }
  | { ok: false; problems: ScenarioProblem[] };

/**
 * Everything `smsim validate`, `run` and `sweep` check before simulating, all at once: the fields,
 * the template with its overrides, and the thresholds against the run's metrics (names, tags,
 * aggregations, and tag values the scenario can produce: its traffic names, the template's alarm
 * names and the alarm states).
 */
export function validateScenario(input: unknown, sourcePath: string | null = null): ScenarioValidation {
  const baseDir = sourcePath === null ? process.cwd() : dirname(sourcePath);
  const result = scenarioSchema.safeParse(input);
  const problems = result.success ? [] : result.error.issues.map((issue) => problemOf(input, issue));
  const raw = (input ?? {}) as Record<string, unknown>;
  const infra = result.success ? result.data.infra : rawInfra(raw.infra);
  let pipeline: PipelineConfig | null = null;
  let templatePath = DEFAULT_TEMPLATE_PATH;
  if (infra !== null) {
    templatePath = infra.template === null ? DEFAULT_TEMPLATE_PATH : resolve(baseDir, infra.template);
    try {
      pipeline = loadPipelineConfig({ templatePath, overrides: infra.overrides });
    } catch (error) {
      if (!(error instanceof SmsimError)) throw error;
      problems.push({ field: "infra", detail: error.message });
    }
  }
  problems.push(...thresholdProblemsOf(raw, pipeline));
  if (!result.success || pipeline === null || problems.length > 0) return { ok: false, problems };
  const parsed = result.data;
  const { recordParallelism, retries } = parsed.handler;
  return {
    ok: true,
    scenario: {
      ...parsed,
      sourcePath,
      infra: { templatePath, overrides: parsed.infra.overrides },
      pipeline: {
        ...pipeline,
        lambda: {
          ...pipeline.lambda,
          recordParallelism: recordParallelism ?? pipeline.lambda.recordParallelism,
          carrierRetries: retries ?? pipeline.lambda.carrierRetries,
        },
      },
      input: structuredClone(input as ScenarioInput),
    },
  };
}

/** `infra` as written, when it is well-formed enough to load the template from. */
function rawInfra(value: unknown): { template: string | null; overrides: TemplateOverrides } | null {
  const parsed = scenarioFields.shape.infra.safeParse(value);
  return parsed.success ? { template: parsed.data.template ?? null, overrides: parsed.data.overrides } : null;
}

/**
 * The thresholds' problems against the run's metrics. Traffic names come from the input as
 * written, so a threshold is checked even when another field is wrong; alarm names need the template.
 */
function thresholdProblemsOf(
  raw: Record<string, unknown>,
  pipeline: PipelineConfig | null,
): ScenarioProblem[] {
  const thresholds = scenarioFields.shape.thresholds.safeParse(raw.thresholds);
  if (!thresholds.success) return [];
  const definitions = [];
  for (const [key, specs] of Object.entries(thresholds.data)) {
    try {
      definitions.push({
        key,
        ...parseThresholdKey(key),
        expressions: specs.map((s) => parseThresholdSpec(key, s)),
      });
    } catch (error) {
      if (!(error instanceof ThresholdSyntaxError)) throw error;
      // The schema reports the syntax error itself.
    }
  }
  const traffic = Array.isArray(raw.traffic) ? raw.traffic : [];
  const trafficNames = traffic
    .map((entry) => (entry as { name?: unknown } | null)?.name)
    .filter((name): name is string => typeof name === "string");
  const tagValues: Record<string, TagValues> = {
    campaign: { values: trafficNames, source: "the scenario's traffic names" },
    to: { values: ALARM_STATES, source: "the alarm states" },
  };
  if (pipeline !== null)
    tagValues.alarm = { values: pipeline.alarms.map((a) => a.name), source: "the template's alarms" };
  return thresholdProblems(definitions, RUN_METRICS_BY_NAME, tagValues).map((p) => ({
    field: formatPath(p.index === undefined ? ["thresholds", p.key] : ["thresholds", p.key, p.index]),
    detail: p.message,
  }));
}

async function readScenarioFile(label: string, sourcePath: string): Promise<unknown> {
  const extension = extname(sourcePath).toLowerCase();
  if (!MODULE_EXTENSIONS.has(extension) && ![".json", ".yaml", ".yml"].includes(extension)) {
    throw new ScenarioFileError(label, "expected a .ts, .mts, .js, .mjs, .json, .yaml or .yml file");
  }
  let text: string;
  try {
    text = await readFile(sourcePath, "utf8");
  } catch (error) {
    throw new ScenarioFileError(label, `cannot read: ${(error as Error).message}`, { cause: error });
  }
  if (MODULE_EXTENSIONS.has(extension)) {
    let module: { default?: unknown };
    try {
      module = await import(pathToFileURL(sourcePath).href);
    } catch (error) {
      const syntax = await moduleSyntaxError(text, extension, label);
      if (syntax) throw new ScenarioFileError(label, syntax, { cause: error });
      throw new ScenarioFileError(label, `cannot import: ${(error as Error).message}`, { cause: error });
    }
    if (module.default === undefined) {
      throw new ScenarioFileError(label, "has no default export; export default defineScenario({ ... })");
    }
    return module.default;
  }
  try {
    return extension === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const kind = extension.slice(1).toUpperCase();
    throw new ScenarioFileError(label, documentSyntaxError(error as Error, kind), { cause: error });
  }
}

/**
 * Where a module's syntax is wrong, as "line:column: syntax error: …", found by parsing its text
 * with esbuild: Node's own SyntaxError from import() names no position. Null when it parses.
 */
async function moduleSyntaxError(text: string, extension: string, label: string): Promise<string | null> {
  const { transform } = await import("esbuild");
  const loader = extension === ".ts" || extension === ".mts" ? "ts" : "js";
  try {
    await transform(text, { loader, format: "esm", sourcefile: label });
    return null;
  } catch (error) {
    const [first] =
      (error as { errors?: { text: string; location: { line: number; column: number } | null }[] }).errors ??
      [];
    if (!first?.location) return null;
    return `${first.location.line}:${first.location.column + 1}: syntax error: ${first.text}`;
  }
}

/** A JSON or YAML parse error as "line:column: not valid JSON: …". */
function documentSyntaxError(error: Error, kind: string): string {
  const yamlAt = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  const jsonAt = /\(line (\d+) column (\d+)\)/.exec(error.message);
  const at = yamlAt ? `${yamlAt.line}:${yamlAt.col}` : jsonAt ? `${jsonAt[1]}:${jsonAt[2]}` : null;
  const reason = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:$/, "");
  return at === null
    ? `not valid ${kind}: ${reason}`
    : `${at}: not valid ${kind}: ${reason.replace(/ \(line \d+ column \d+\)$/, "")}`;
}

/** A zod issue as a problem: `traffic[2].stages[0].target: expected a number (got "x")`. */
function problemOf(input: unknown, issue: z.core.$ZodIssue): ScenarioProblem {
  const path = [...issue.path];
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  // A custom issue may name what it is about (a threshold's key rather than the value under it).
  const got = issue.code === "custom" ? issue.params?.got : undefined;
  const value = got ?? valueAt(input, path);
  return { field: formatPath(path), detail: `${reasonOf(issue, value)} (got ${describeValue(value)})` };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment))
      text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text || "(root)";
}

function reasonOf(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type": {
      const expected = issue.expected === "int" ? "an integer" : withArticle(issue.expected);
      return value === undefined ? `required, expected ${expected}` : `expected ${expected}`;
    }
    case "unrecognized_keys":
      return "unknown field";
    case "invalid_value":
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "invalid_union": {
      // zod lists a discriminated union's allowed values on the issue, outside its declared type.
      const options = (issue as { options?: unknown[] }).options;
      if (!Array.isArray(options)) return issue.message;
      const named = options.filter((o) => o !== null && o !== undefined).map((o) => JSON.stringify(o));
      return `expected one of ${named.join(", ")}${options.includes(undefined) ? " (or none)" : ""}`;
    }
    case "too_small":
    case "too_big": {
      const [word, op] = issue.code === "too_small" ? ["least", ">"] : ["most", "<"];
      const limit = issue.code === "too_small" ? issue.minimum : issue.maximum;
      if (issue.origin === "array")
        return `must have at ${word} ${limit} ${Number(limit) === 1 ? "entry" : "entries"}`;
      if (issue.origin === "string") return `must have at ${word} ${limit} characters`;
      return `must be ${op}${issue.inclusive ? "=" : ""} ${limit}`;
    }
    default:
      return issue.message;
  }
}

function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}
