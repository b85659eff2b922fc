import { SmsimError } from "../../domain/errors";

/**
 * A threshold that does not parse. `key` is the threshold's metric key, `expression` the failing
 * expression (null when the key itself is bad), `token` the text at which parsing stopped.
 */
export class ThresholdSyntaxError extends SmsimError {
  constructor(
    readonly key: string,
    readonly expression: string | null,
    readonly token: string,
    reason: string,
  ) {
    const where =
      expression === null
        ? `threshold ${JSON.stringify(key)}`
        : `threshold ${JSON.stringify(key)}: ${JSON.stringify(expression)}`;
    super(
      "THRESHOLD_SYNTAX",
      `${where}: ${reason} (at ${token === "" ? "end of input" : JSON.stringify(token)})`,
    );
  }
}

/** A threshold on a metric that does not exist, or with an aggregation its metric kind lacks. */
export class ThresholdMetricError extends SmsimError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super("THRESHOLD_METRIC", `threshold ${JSON.stringify(key)}: ${reason}`);
  }
}

/** A metric name declared twice with different kinds (e.g. once as a counter, once as a trend). */
export class MetricKindConflictError extends SmsimError {
  constructor(
    readonly metric: string,
    existing: string,
    requested: string,
  ) {
    super("METRIC_KIND_CONFLICT", `metric ${JSON.stringify(metric)} is a ${existing}, not a ${requested}`);
  }
}
