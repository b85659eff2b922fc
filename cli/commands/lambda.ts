import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { readEnv } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { parseWith } from "../../domain/validation";
import { buildLambda, DEFAULT_LAMBDA_OUT_DIR } from "../../infra/build/build-lambda";
import { loadPipelineConfig } from "../../infra/pipeline-config";
import { templateEnvironment } from "../../sim/lambda/function-environment";
import { createLambdaServer } from "../../sim/lambda/lambda-server";
import { withoutPassword } from "../../sim/lambda/masked-variables";

interface ServeFlags {
  port: string;
  host: string;
  zip: string;
  functionName?: string;
  timeout?: string;
}

const DEFAULT_ZIP = join(DEFAULT_LAMBDA_OUT_DIR, "handler.zip");
/** `sam local start-lambda`'s port, so one --lambda-endpoint fits either. */
const DEFAULT_PORT = "3001";
/** Shown at start-up: where the function will reach its services. */
const SHOWN_VARIABLES = ["MYSQL_URL", "CARRIER_BASE_URL", "SQS_ENDPOINT", "QUEUE_URL", "AWS_REGION"];

export function registerLambdaCommand(program: Command): void {
  const lambda = program
    .command("lambda")
    .description("The deployable Lambda artifact (dist/lambda/handler.zip)");
  lambda
    .command("serve")
    .description(
      "Host the artifact behind a Lambda-Invoke-compatible endpoint until interrupted; the function's " +
        "environment is this process's (MYSQL_URL, CARRIER_BASE_URL, SQS_ENDPOINT, ...), its settings the template's",
    )
    .option("--port <port>", "port to listen on (0 picks a free one)", DEFAULT_PORT)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--zip <path>", "the artifact; the default one is built first when it is missing", DEFAULT_ZIP)
    .option("--function-name <name>", "function name (default: infra/template.yaml's)")
    .option("--timeout <seconds>", "function timeout (default: infra/template.yaml's)")
    .action(async (flags: ServeFlags) => {
      // Listening from the start: an interrupt while the artifact loads still closes it cleanly.
      let interrupt = () => {};
      const interrupted = new Promise<void>((done) => {
        interrupt = done;
      });
      process.once("SIGINT", interrupt);
      process.once("SIGTERM", interrupt);
      try {
        const app = await startServer(flags);
        await interrupted;
        await app.close();
      } finally {
        process.off("SIGINT", interrupt);
        process.off("SIGTERM", interrupt);
      }
    });
}

/** The server listening, and what it serves printed. */
async function startServer(flags: ServeFlags): Promise<FastifyInstance> {
  const port = parseWith(z.coerce.number().int().min(0).max(65_535), flags.port, "--port");
  const timeoutSeconds =
    flags.timeout === undefined
      ? undefined
      : parseWith(z.coerce.number().int().min(1).max(900), flags.timeout, "--timeout");
  const { lambda: settings } = loadPipelineConfig();
  const zipPath = await artifactAt(resolve(flags.zip));
  // MYSQL_URL falls back to the local database, as for the other commands.
  const env: Record<string, string | undefined> = {
    ...templateEnvironment(settings),
    ...process.env,
    MYSQL_URL: readEnv().mysqlUrl,
  };
  const app = await createLambdaServer({
    zipPath,
    env,
    functionName: flags.functionName,
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
  });
  let url: string;
  try {
    url = await app.listen({ port, host: flags.host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const name = flags.functionName ?? settings.functionName;
  const timeout = timeoutSeconds ?? settings.timeoutSeconds;
  process.stdout.write(
    `lambda ${name} (${relative(process.cwd(), zipPath)}; timeout ${timeout} s, ${settings.memoryMb} MB, ` +
      `reserved concurrency ${settings.reservedConcurrency ?? "none"}) listening on ${url}\n` +
      `  environment: ${SHOWN_VARIABLES.map((v) => `${v}=${shown(env[v])}`).join(" ")}\n` +
      `  invoke it with the Lambda Invoke API at ${url} (--lambda-endpoint ${url})\n`,
  );
  return app;
}

/** The artifact to serve; the default one is built when it is missing, any other must exist. */
async function artifactAt(zipPath: string): Promise<string> {
  if (existsSync(zipPath)) return zipPath;
  if (zipPath !== DEFAULT_ZIP) throw new ValidationError("--zip", zipPath, "no such file");
  process.stderr.write(`${relative(process.cwd(), zipPath)} is missing: building it\n`);
  return (await buildLambda()).zipPath;
}

/** A variable's value for the start-up line, with any password in a URL hidden. */
function shown(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return "(unset)";
  return withoutPassword(value);
}
