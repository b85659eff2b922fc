import type { FastifyInstance } from "fastify";

/**
 * One JSON line per request (request id, method, route, status, latency, caller, error code) on
 * the server's logger, and the headers every reply carries: the request id, so a user can quote
 * it; `no-store`, as replies hold campaign and recipient data; `nosniff`, so nothing is
 * reinterpreted as another content type.
 */
export function installRequestLogging(app: FastifyInstance): void {
  app.decorateReply("errorCode", null);
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    reply.header("x-content-type-options", "nosniff");
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const status = reply.statusCode;
    request.log[status >= 500 ? "error" : "info"](
      {
        method: request.method,
        route: request.is404 ? null : (request.routeOptions.url ?? null),
        path: request.url.split("?")[0],
        status,
        latencyMs: Math.round(reply.elapsedTime * 10) / 10,
        actor: request.principal?.name ?? null,
        error: reply.errorCode,
      },
      "request",
    );
  });
}
