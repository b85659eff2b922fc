import { SmsimError } from "../../domain/errors";

/** One thing wrong in a scenario: `field` is its path (`traffic[2].stages[0].target`). */
export interface ScenarioProblem {
  field: string;
  detail: string;
}

/**
 * A scenario that does not validate, with every problem found: `source` is its file (or
 * "<inline>"); `field` and `detail` are the first problem's.
 */
export class ScenarioError extends SmsimError {
  readonly field: string;
  readonly detail: string;
  constructor(
    readonly source: string,
    readonly problems: readonly ScenarioProblem[],
    options?: ErrorOptions,
  ) {
    const lines = problems.map((p) => `${p.field}: ${p.detail}`);
    super(
      "SCENARIO_INVALID",
      lines.length === 1
        ? `${source}: ${lines[0]}`
        : `${source}: ${lines.length} problems\n  ${lines.join("\n  ")}`,
      options,
    );
    this.field = problems[0]?.field ?? "(root)";
    this.detail = problems[0]?.detail ?? "invalid";
  }
}

/** A scenario file that cannot be read or imported at all; a syntax error reads `file:line:column: …`. */
export class ScenarioFileError extends SmsimError {
  constructor(
    readonly source: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super("SCENARIO_UNREADABLE", `${source}:${/^\d+:\d+: /.test(message) ? "" : " "}${message}`, options);
  }
}

/** A `--set key=value` that is not of that form, names no setting, or sets an invalid value. */
export class ScenarioSetError extends SmsimError {
  constructor(
    readonly set: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super("SCENARIO_SET_INVALID", `--set ${set}: ${message}`, options);
  }
}
