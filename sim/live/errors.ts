import { SmsimError } from "../../domain/errors";

/** The live engine could not set up, drive or read the real stack. */
export class LiveEngineError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("LIVE_ENGINE", message, options);
  }
}
