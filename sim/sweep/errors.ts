import { SmsimError } from "../../domain/errors";

/** A `--vary KEY=VALUES` that is not of that form or whose values do not parse. */
export class VaryError extends SmsimError {
  constructor(
    readonly vary: string,
    reason: string,
  ) {
    super("SWEEP_VARY_INVALID", `--vary ${vary}: ${reason}`);
  }
}

/** A sweep option that does not fit the rest (`--minimize` of a key not varied, too many points). */
export class SweepOptionError extends SmsimError {
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super("SWEEP_OPTION_INVALID", `${option}: ${reason}`);
  }
}

/** A point that could not be run: its worker died or its runner answered with an error. */
export class SweepPointError extends SmsimError {
  constructor(
    readonly point: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super("SWEEP_POINT_FAILED", `point ${point}: ${reason}`, options);
  }
}
