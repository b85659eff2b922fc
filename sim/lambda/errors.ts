import { SmsimError } from "../../domain/errors";
import type { FunctionErrorPayload } from "./invoke-api";

/** The function cannot be hosted: the zip is unreadable, has no index.mjs, or its init fails. */
export class LambdaHostError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("LAMBDA_HOST", message, options);
  }
}

/** The function's init phase failed: importing index.mjs threw, or it exports no handler. */
export class LambdaInitError extends SmsimError {
  constructor(readonly payload: FunctionErrorPayload) {
    super("LAMBDA_INIT", `init failed: ${payload.errorType ?? "error"}: ${payload.errorMessage}`);
  }
}

/** The function itself failed an invocation made through the Invoke API (X-Amz-Function-Error). */
export class FunctionInvocationError extends SmsimError {
  readonly errorType: string | undefined;
  readonly trace: string[];

  constructor(
    /** "Unhandled" or "Handled", as the X-Amz-Function-Error header said. */
    readonly functionError: string,
    payload: FunctionErrorPayload,
  ) {
    super("FUNCTION_ERROR", `${functionError} ${payload.errorType ?? "error"}: ${payload.errorMessage}`);
    this.errorType = payload.errorType;
    this.trace = payload.trace ?? [];
  }
}
