import { SmsimError } from "../../domain/errors";

/** The live engine could not set up, drive or read the real stack. */
export class LiveEngineError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("LIVE_ENGINE", message, options);
  }
}

/** Nothing answers at --lambda-endpoint, or not in time. */
export class LambdaEndpointError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("LAMBDA_UNREACHABLE", message, options);
  }
}

/** The function behind --lambda-endpoint works with other services than the run: it would count nothing. */
export class LambdaSetupError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("LAMBDA_SETUP", message, options);
  }
}

/** The run was stopped (SIGINT or SIGTERM) before it had anything to report. */
export class RunInterruptedError extends SmsimError {
  constructor(message: string) {
    super("INTERRUPTED", message);
  }
}
