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
import { ScenarioError, ScenarioFileError } from "./errors";
import { type ParsedScenario, type ScenarioInput, scenarioSchema } from "./schema";

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
  const sourcePath = resolve(path);
  return parseScenario(await readScenarioFile(path, sourcePath), sourcePath, path);
}

/**
 * Validates a scenario object. Relative template paths resolve against the directory of
 * `sourcePath` (the working directory when null); `label` names the source in errors.
 */
export function parseScenario(
  input: unknown,
  sourcePath: string | null = null,
  label = sourcePath,
): Scenario {
  const source = label ?? "<inline>";
  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw issueError(source, input, result.error.issues[0]);
  const parsed = result.data;
  const baseDir = sourcePath === null ? process.cwd() : dirname(sourcePath);
  const templatePath =
    parsed.infra.template === null ? DEFAULT_TEMPLATE_PATH : resolve(baseDir, parsed.infra.template);
  const overrides = parsed.infra.overrides;
  let pipeline: PipelineConfig;
  try {
    pipeline = loadPipelineConfig({ templatePath, overrides });
  } catch (error) {
    if (error instanceof SmsimError)
      throw new ScenarioError(source, "infra", error.message, { cause: error });
    throw error;
  }
  const { recordParallelism, retries } = parsed.handler;
  return {
    ...parsed,
    sourcePath,
    infra: { templatePath, overrides },
    pipeline: {
      ...pipeline,
      lambda: {
        ...pipeline.lambda,
        recordParallelism: recordParallelism ?? pipeline.lambda.recordParallelism,
        carrierRetries: retries ?? pipeline.lambda.carrierRetries,
      },
    },
    input: structuredClone(input as ScenarioInput),
  };
}

async function readScenarioFile(label: string, sourcePath: string): Promise<unknown> {
  const extension = extname(sourcePath).toLowerCase();
  if (MODULE_EXTENSIONS.has(extension)) {
    let module: { default?: unknown };
    try {
      module = await import(pathToFileURL(sourcePath).href);
    } catch (error) {
      throw new ScenarioFileError(label, `cannot import: ${(error as Error).message}`, { cause: error });
    }
    if (module.default === undefined) {
      throw new ScenarioFileError(label, "has no default export; export default defineScenario({ ... })");
    }
    return module.default;
  }
  if (![".json", ".yaml", ".yml"].includes(extension)) {
    throw new ScenarioFileError(label, "expected a .ts, .mts, .js, .mjs, .json, .yaml or .yml file");
  }
  let text: string;
  try {
    text = await readFile(sourcePath, "utf8");
  } catch (error) {
    throw new ScenarioFileError(label, `cannot read: ${(error as Error).message}`, { cause: error });
  }
  try {
    return extension === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioFileError(
      label,
      `not valid ${extension.slice(1).toUpperCase()}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** The first zod issue as a ScenarioError: `traffic[2].stages[0].target: expected a number (got "x")`. */
function issueError(source: string, input: unknown, issue: z.core.$ZodIssue | undefined): ScenarioError {
  if (issue === undefined) return new ScenarioError(source, "(root)", "invalid");
  const path = [...issue.path];
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  // A custom issue may name what it is about (a threshold's key rather than the value under it).
  const got = issue.code === "custom" ? issue.params?.got : undefined;
  const value = got ?? valueAt(input, path);
  return new ScenarioError(
    source,
    formatPath(path),
    `${reasonOf(issue, value)} (got ${describeValue(value)})`,
  );
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
