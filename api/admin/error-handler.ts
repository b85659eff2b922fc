import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { SmsimError, ValidationError } from "../../domain/errors";
import { AdminHttpError } from "./errors";

interface ErrorReply {
  error: string;
  message: string;
  field?: string;
}

interface AjvIssue {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "BODY_TOO_LARGE"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "UNSUPPORTED_MEDIA_TYPE"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "INVALID_CONTENT_LENGTH"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "INVALID_JSON"],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, "INVALID_JSON"],
};

/** Domain errors that mean the request was well-formed but cannot be carried out. */
const UNPROCESSABLE = new Set(["AUDIENCE_EMPTY"]);
const DOMAIN_STATUS: Record<string, number> = { CAMPAIGN_NOT_FOUND: 404, RESUME_REFUSED: 409 };

/**
 * Turns every error into `{ error, message, field?, requestId }` with the right status; hides
 * internals on 5xx, whose stack goes to the log under the same request id.
 */
export function adminErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const [status, body] = describe(error);
  if (status >= 500) request.log.error({ err: error }, "request failed");
  reply.errorCode = body.error;
  return reply.status(status).send({ ...body, requestId: request.id });
}

function describe(error: FastifyError): [number, ErrorReply] {
  const issue = (error.validation as AjvIssue[] | undefined)?.[0];
  if (issue) {
    const field = fieldOf(issue);
    return [400, { error: "VALIDATION_FAILED", field, message: `${field}: ${issue.message ?? "invalid"}` }];
  }
  if (error instanceof ValidationError) {
    return [400, { error: error.code, field: error.field, message: error.message }];
  }
  if (error instanceof AdminHttpError)
    return [error.statusCode, { error: error.code, message: error.message }];
  const known = FASTIFY_CODES[error.code];
  if (known) return [known[0], { error: known[1], message: error.message }];
  if (error.statusCode === 429) return [429, { error: "RATE_LIMITED", message: error.message }];
  if (error instanceof SmsimError && UNPROCESSABLE.has(error.code)) {
    return [422, { error: error.code, message: error.message }];
  }
  if (error instanceof SmsimError && DOMAIN_STATUS[error.code] !== undefined) {
    return [DOMAIN_STATUS[error.code] as number, { error: error.code, message: error.message }];
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return [error.statusCode, { error: error.code ?? "BAD_REQUEST", message: error.message }];
  }
  return [500, { error: "INTERNAL", message: "internal error; the server log has the details" }];
}

/** "/audience/conditions/0/value" -> "audience.conditions.0.value"; names the missing or extra key. */
function fieldOf(issue: AjvIssue): string {
  const path = issue.instancePath.split("/").filter(Boolean);
  const key = issue.params.missingProperty ?? issue.params.additionalProperty;
  if (typeof key === "string") path.push(key);
  return path.join(".") || "body";
}
