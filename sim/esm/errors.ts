import { SmsimError } from "../../domain/errors";

/** The queue answered in a way the event source mapping cannot use. */
export class EsmQueueError extends SmsimError {
  constructor(message: string) {
    super("ESM_QUEUE", message);
  }
}

/** A function thread could not start, or stopped while invocations were running on it. */
export class FunctionThreadError extends SmsimError {
  constructor(message: string, options?: ErrorOptions) {
    super("FUNCTION_THREAD", message, options);
  }
}
