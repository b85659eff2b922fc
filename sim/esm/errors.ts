import { SmsimError } from "../../domain/errors";

/** The queue answered in a way the event source mapping cannot use. */
export class EsmQueueError extends SmsimError {
  constructor(message: string) {
    super("ESM_QUEUE", message);
  }
}
