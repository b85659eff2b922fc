import { SmsimError } from "../../domain/errors";

/** The users table already holds rows the seed would write. */
export class SeedConflictError extends SmsimError {
  constructor(message: string) {
    super("SEED_CONFLICT", message);
  }
}
