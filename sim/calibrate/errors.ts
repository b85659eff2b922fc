import { SmsimError } from "../../domain/errors";

/** A calibration that could not measure what it needs (a carrier call or a query failed). */
export class CalibrationError extends SmsimError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CALIBRATION_FAILED", message, options);
  }
}
