import type { FastifyRequest } from "fastify";
import { type AdminRole, type Authenticator, type Principal, roleAllows } from "./auth";
import { ForbiddenError, UnauthorizedError } from "./errors";
import type { AdminApp } from "./typebox-provider";

/** Told of every 403 before it is answered, so denials are audited. */
export type OnDenied = (request: FastifyRequest, needed: AdminRole) => Promise<void>;

/**
 * Names the caller on every request (onRequest), so the rate limiter can key on the token; then,
 * before any body is read (preParsing), refuses callers without a token or with too small a role.
 * A path that matches no route answers 404 to anyone: there is nothing there to protect.
 */
export function installAccessControl(app: AdminApp, authenticator: Authenticator, onDenied: OnDenied): void {
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    request.principal = authenticator.authenticate(request.headers.authorization);
  });
  app.addHook("preParsing", async (request) => {
    const { config } = request.routeOptions;
    if (config.public || request.is404) return;
    const principal = principalOf(request);
    const needed = config.role ?? "viewer";
    if (!roleAllows(principal.role, needed)) {
      await onDenied(request, needed);
      throw new ForbiddenError(principal.role, needed);
    }
  });
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}
