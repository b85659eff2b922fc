import { SmsimError } from "../../domain/errors";

/** `state()` or `history()` asked about an alarm the evaluator was not given. */
export class UnknownAlarmError extends SmsimError {
  constructor(
    readonly alarmName: string,
    known: readonly string[],
  ) {
    super(
      "ALARM_UNKNOWN",
      `no alarm named ${JSON.stringify(alarmName)}; known: ${known.join(", ") || "none"}`,
    );
  }
}

/** An alarm the evaluator cannot reproduce faithfully (e.g. a high-resolution period on minute data). */
export class UnsupportedAlarmError extends SmsimError {
  constructor(
    readonly alarmName: string,
    reason: string,
  ) {
    super("ALARM_UNSUPPORTED", `alarm ${alarmName}: ${reason}`);
  }
}
