import { SmsimError } from "../domain/errors";

/** Run output that cannot be reported as given (e.g. timeline series of different lengths). */
export class ReportError extends SmsimError {
  constructor(message: string) {
    super("REPORT_INVALID", message);
  }
}
