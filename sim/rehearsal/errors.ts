import { SmsimError } from "../../domain/errors";

/** A rehearsal step failed or did not reach the state it waits for in time. */
export class RehearsalError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("REHEARSAL", `rehearsal: ${message}`, options);
  }
}
