import type { FastifyInstance } from "fastify";
import { AdminHttpError } from "./errors";

/** No request of this API nests deeper than a few levels; 32 leaves room and stops stack-deep input. */
export const MAX_JSON_DEPTH = 32;

export class JsonTooDeepError extends AdminHttpError {
  constructor() {
    super("JSON_TOO_DEEP", `body: nested deeper than ${MAX_JSON_DEPTH} levels (arrays and objects)`, 400);
  }
}

/**
 * How deeply `text` nests arrays and objects, counted without parsing and stopping as soon as it
 * passes `limit`: recursive code downstream (validators, serializers) never sees such input.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Replaces Fastify's JSON parser with one that refuses deep nesting first, then parses as Fastify does. */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(new JsonTooDeepError(), undefined);
      return;
    }
    parse(request, text, done);
  });
}
