import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { FastifyInstance } from "fastify";

const HERE = dirname(fileURLToPath(import.meta.url));

/** Static files only: the page holds no data until the browser calls the API with a token. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Serves the operations console at / with its stylesheet and script. The script is bundled from
 * src/ by esbuild in memory on first request, so no build step or output directory is needed.
 */
export function registerConsoleRoutes(app: FastifyInstance): void {
  let bundle: Promise<string> | null = null;
  const script = () => {
    bundle ??= bundleScript();
    bundle.catch(() => {
      bundle = null;
    });
    return bundle;
  };
  const config = { public: true, rateLimit: false } as const;
  const schema = { hide: true };

  app.get("/", { config, schema }, async (_request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("content-security-policy", CONTENT_SECURITY_POLICY)
      .header("referrer-policy", "no-referrer")
      .header("x-frame-options", "DENY")
      .send(await readFile(join(HERE, "index.html"), "utf8")),
  );
  app.get("/console.css", { config, schema }, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").send(await readFile(join(HERE, "console.css"), "utf8")),
  );
  app.get("/console.js", { config, schema }, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").send(await script()),
  );
  // Browsers ask for /favicon.ico on their own; both names get the same small SVG.
  for (const path of ["/favicon.svg", "/favicon.ico"]) {
    app.get(path, { config, schema }, async (_request, reply) =>
      reply
        .type("image/svg+xml")
        .header("cache-control", "public, max-age=86400")
        .send(await readFile(join(HERE, "favicon.svg"), "utf8")),
    );
  }
}

async function bundleScript(): Promise<string> {
  const result = await build({
    entryPoints: [join(HERE, "src", "main.ts")],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    platform: "browser",
    legalComments: "none",
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no console bundle");
  return output.text;
}
