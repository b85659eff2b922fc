import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { ValidationError } from "../domain/errors";
import { parseWith } from "../domain/validation";
import { BULK_SEND_PATH, IDEMPOTENCY_HEADER } from "../handler/carrier/carrier-api";
import { type CarrierModelConfig, parseCarrierConfig } from "./config";
import { type CarrierModel, createCarrierModel } from "./model";

export interface CarrierServerOptions {
  model?: CarrierModelConfig;
  seed?: number;
  logger?: boolean;
}

const requestsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100_000).default(100) });

/**
 * The mock carrier over HTTP, on the real clock: the model decides each request when it arrives
 * and the server only carries the decision out (delays, hangs, dropped connections).
 */
export function createCarrierServer(options: CarrierServerOptions = {}): FastifyInstance {
  const model = createCarrierModel(options.model ?? {}, { seed: options.seed ?? 1, now: Date.now });
  const app = Fastify({ logger: options.logger ?? false, forceCloseConnections: true });
  const timers = new Set<NodeJS.Timeout>();
  // Delays never outlive the server: close() clears them along with the connections.
  // A zero delay answers without a timer, which would hold every reply for at least a millisecond.
  const wait = async (ms: number): Promise<void> => {
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  };
  app.addHook("onClose", async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  });

  // Unreadable JSON reaches the model as the raw text, so it is answered and counted like any bad body.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, text, done) => {
    try {
      done(null, JSON.parse(text as string));
    } catch {
      done(null, text);
    }
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ValidationError)
      return reply.code(400).send({ code: error.code, message: error.message });
    return reply.send(error);
  });

  app.post(BULK_SEND_PATH, (request, reply) => sendBulk(model, wait, request, reply));

  app.get("/__admin/stats", async () => ({
    stats: model.stats(),
    acceptedPerSecond: model.acceptedPerSecond(),
    config: model.config(),
  }));
  app.get("/__admin/requests", async (request) => {
    const { limit } = parseWith(requestsQuerySchema, request.query, "query");
    return { requests: model.requests(limit) };
  });
  app.put("/__admin/config", async (request) => ({
    config: model.reconfigure(parseCarrierConfig(request.body, "config")),
  }));
  app.post("/__admin/reset", async (_request, reply) => {
    model.reset();
    return reply.code(204).send();
  });
  app.get("/health", async () => ({ status: "ok" }));
  return app;
}

async function sendBulk(
  model: CarrierModel,
  wait: (ms: number) => Promise<void>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const header = request.headers[IDEMPOTENCY_HEADER];
  const idempotencyKey = Array.isArray(header) ? header[0] : header;
  const decision = model.handle({ idempotencyKey, body: request.body });
  switch (decision.kind) {
    case "timeout":
      // No answer: the connection hangs, then closes without a response.
      reply.hijack();
      await wait(decision.hangMs);
      request.raw.socket.destroy();
      return undefined;
    case "reset":
      reply.hijack();
      await wait(decision.delayMs);
      request.raw.socket.resetAndDestroy();
      return undefined;
    case "rate-limited":
      await wait(decision.delayMs);
      return reply
        .code(429)
        .header("retry-after", String(decision.retryAfterSeconds))
        .send({ code: "RATE_LIMITED", message: decision.message });
    case "error":
      await wait(decision.delayMs);
      return reply.code(decision.status).send({ code: decision.code, message: decision.message });
    case "response":
      await wait(decision.delayMs);
      return reply.code(200).send(decision.body);
  }
}
