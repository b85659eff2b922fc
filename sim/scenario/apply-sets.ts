import { valueAt } from "../../domain/validation";
import { parseSetValue } from "../../infra/pipeline-config";
import { DEFAULT_CARRIER_CONFIG } from "../../provider-mock/config";
import { ScenarioError, type ScenarioProblem, ScenarioSetError } from "./errors";
import { formatPath, readScenarioInput, type Scenario, validateScenario } from "./load-scenario";
import { scenarioFields } from "./schema";

const SCENARIO_FIELDS = new Set(Object.keys(scenarioFields.shape));
/** Defaults of nested settings a --set may name part of. */
const SET_DEFAULTS = { carrier: DEFAULT_CARRIER_CONFIG };

/**
 * Loads a scenario file with the CLI's `--set key=value` applied before it is validated, so a set
 * can mend what the file gets wrong and every problem is reported once, against the result.
 */
export async function loadScenarioWithSets(path: string, sets: readonly string[]): Promise<Scenario> {
  const { input, sourcePath } = await readScenarioInput(path);
  return withSets(input, sets, sourcePath, path);
}

/**
 * Applies `--set key=value` to a scenario and validates the result. A key is either a scenario
 * path (`carrier.transientFailureRate`, `traffic[0].recipients`, `seed`) or a template override
 * `<LogicalId>.<Property.Path>` (`MessagingQueue.VisibilityTimeout`). Values are JSON when they
 * parse as JSON, else strings.
 */
export function applySets(scenario: Scenario, sets: readonly string[]): Scenario {
  if (sets.length === 0) return scenario;
  return withSets(scenario.input, sets, scenario.sourcePath, scenario.sourcePath);
}

function withSets(
  written: unknown,
  sets: readonly string[],
  sourcePath: string | null,
  label: string | null,
) {
  const input = structuredClone(written ?? {}) as Record<string, unknown>;
  // What each set would be blamed for if the result does not validate.
  const applied: { set: string; caused: (problem: ScenarioProblem) => boolean }[] = [];
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) throw new ScenarioSetError(set, "expected key=value");
    const key = set.slice(0, eq).trim();
    const value = parseSetValue(set.slice(eq + 1));
    const path = parsePath(set, key);
    if (typeof path[0] === "string" && SCENARIO_FIELDS.has(path[0])) {
      setAt(input, path, value, set);
      const field = formatPath(path);
      applied.push({
        set,
        caused: (p) => p.field.startsWith(field) && /^($|[.[])/.test(p.field.slice(field.length)),
      });
    } else if (/^[A-Za-z][A-Za-z0-9]*\.[^.]/.test(key)) {
      input.infra = { ...(input.infra as object | undefined) };
      const infra = input.infra as { overrides?: Record<string, unknown> };
      infra.overrides = { ...infra.overrides, [key]: value };
      applied.push({ set, caused: (p) => p.field === "infra" && p.detail.includes(key) });
    } else {
      throw new ScenarioSetError(
        set,
        `unknown setting ${key}; expected a scenario field (${[...SCENARIO_FIELDS].join(", ")}) or a template override <LogicalId>.<Property>`,
      );
    }
  }
  const result = validateScenario(input, sourcePath);
  if (result.ok) return result.scenario;
  // Each problem is blamed on the last --set that touched its field, if any.
  const blamed = result.problems.map((problem) => ({
    problem,
    culprit: applied.findLast((a) => a.caused(problem)),
  }));
  const [only] = blamed;
  if (blamed.length === 1 && only?.culprit) {
    throw new ScenarioSetError(only.culprit.set, `${only.problem.field}: ${only.problem.detail}`);
  }
  throw new ScenarioError(
    label ?? "<inline>",
    blamed.map(({ problem, culprit }) =>
      culprit ? { ...problem, field: `--set ${culprit.set}: ${problem.field}` } : problem,
    ),
  );
}

/** "traffic[0].stages[1].target" -> ["traffic", 0, "stages", 1, "target"]. */
function parsePath(set: string, key: string): (string | number)[] {
  const path: (string | number)[] = [];
  const segment = /([A-Za-z_$][\w$]*)|\[(\d+)\]/y;
  let expectDot = false;
  while (segment.lastIndex < key.length) {
    if (expectDot && key[segment.lastIndex] === ".") segment.lastIndex++;
    const match = segment.exec(key);
    if (!match)
      throw new ScenarioSetError(set, `cannot read the path ${key} at character ${segment.lastIndex + 1}`);
    path.push(match[1] ?? Number(match[2]));
    expectDot = true;
  }
  return path;
}

function setAt(
  root: Record<string, unknown>,
  path: readonly (string | number)[],
  value: unknown,
  set: string,
) {
  let node: unknown = root;
  for (const [i, segment] of path.entries()) {
    const here = formatPath(path.slice(0, i + 1));
    const container = node as Record<string | number, unknown> & unknown[];
    if (typeof segment === "number") {
      if (!Array.isArray(node))
        throw new ScenarioSetError(set, `${formatPath(path.slice(0, i))} is not a list`);
      if (segment >= node.length) {
        throw new ScenarioSetError(set, `${here}: no such entry (the list has ${node.length})`);
      }
    } else if (node === null || typeof node !== "object" || Array.isArray(node)) {
      throw new ScenarioSetError(set, `${formatPath(path.slice(0, i))} is not an object`);
    }
    if (i === path.length - 1) {
      container[segment] = value;
      return;
    }
    // A partial object merges with what it would default to: carrier.latencyMs.p50=100 keeps dist.
    container[segment] ??=
      (i > 0 ? structuredClone(valueAt(SET_DEFAULTS, path.slice(0, i + 1))) : undefined) ??
      (typeof path[i + 1] === "number" ? [] : {});
    node = container[segment];
  }
}
