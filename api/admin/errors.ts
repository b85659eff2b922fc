import { SmsimError } from "../../domain/errors";

/** An admin API error that carries the HTTP status it answers with. */
export class AdminHttpError extends SmsimError {
  constructor(
    code: string,
    message: string,
    readonly statusCode: number,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

export class UnauthorizedError extends AdminHttpError {
  constructor(message = "send Authorization: Bearer <token>") {
    super("UNAUTHORIZED", message, 401);
  }
}

export class ForbiddenError extends AdminHttpError {
  constructor(role: string, needed: string) {
    super("FORBIDDEN", `this action needs the ${needed} role; your token has ${role}`, 403);
  }
}

export class NotFoundError extends AdminHttpError {
  constructor(what: string) {
    super("NOT_FOUND", `${what} not found`, 404);
  }
}

/** SQS refused or could not be reached; the message says which call. */
export class QueueUnavailableError extends AdminHttpError {
  constructor(call: string, cause: unknown) {
    super("SQS_UNAVAILABLE", `${call} failed: ${(cause as Error)?.message ?? String(cause)}`, 502, { cause });
  }
}

/** A redrive is already moving messages off this DLQ (SQS allows one active task per queue). */
export class RedriveInProgressError extends AdminHttpError {
  constructor(readonly taskHandle: string | null) {
    super(
      "REDRIVE_IN_PROGRESS",
      "a redrive task is already running for this DLQ; wait for it to finish",
      409,
    );
  }
}
