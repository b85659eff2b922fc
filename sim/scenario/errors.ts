import { SmsimError } from "../../domain/errors";

/** A scenario that does not validate: `source` is its file (or "<inline>"), `field` the path in it. */
export class ScenarioError extends SmsimError {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super("SCENARIO_INVALID", `${source}: ${field}: ${detail}`, options);
  }
}

/** A scenario file that cannot be read or imported at all. */
export class ScenarioFileError extends SmsimError {
  constructor(
    readonly source: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super("SCENARIO_UNREADABLE", `${source}: ${message}`, options);
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
