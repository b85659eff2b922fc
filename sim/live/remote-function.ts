import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SmsimEnv } from "../../domain/env";
import { ValidationError } from "../../domain/errors";
import { buildLambda, DEFAULT_LAMBDA_OUT_DIR } from "../../infra/build/build-lambda";
import type { LambdaConfig } from "../../infra/pipeline-config";
import type { InvocationEvent } from "../esm/event-source-mapping";
import { createLambdaClient, createLambdaInvokeFunction } from "../esm/lambda-invoke-function";
import type { FunctionPort } from "../esm/ports";
import { templateEnvironment } from "../lambda/function-environment";
import { createLambdaServer } from "../lambda/lambda-server";
import { LambdaSetupError } from "./errors";
import { readFunctionVariables, setupMismatches } from "./function-setup";

export const INVOKE_MODES = ["in-process", "lambda"] as const;
export type InvokeMode = (typeof INVOKE_MODES)[number];

export interface RemoteFunctionOptions {
  lambda: LambdaConfig;
  /** An Invoke API endpoint, "aws" for the deployed function, or unset to host dist/lambda/handler.zip here. */
  endpoint?: string;
  /** Where the hosted function finds the run's services. */
  services: { env: SmsimEnv; mysqlUrl: string; carrierBaseUrl: string; queueUrl: string };
}

export interface RemoteFunction {
  port: FunctionPort;
  /** Feed every invocation: GB-seconds of a remote function are measured from the caller. */
  observe(event: InvocationEvent): void;
  gbSeconds(): number;
  close(): Promise<void>;
}

/**
 * The function behind the Lambda Invoke API (`--invoke lambda`): by default the deployable zip
 * hosted by `smsim lambda serve`'s server, else `sam local start-lambda` or a deployed function.
 * A hosted or deployed function runs in wall time, so the run cannot be time-scaled.
 */
export async function createRemoteFunction(options: RemoteFunctionOptions): Promise<RemoteFunction> {
  const { lambda, services } = options;
  let endpoint = options.endpoint;
  let server: Awaited<ReturnType<typeof createLambdaServer>> | null = null;
  if (endpoint === undefined) {
    const zipPath = join(DEFAULT_LAMBDA_OUT_DIR, "handler.zip");
    server = await createLambdaServer({
      zipPath: existsSync(zipPath) ? zipPath : (await buildLambda()).zipPath,
      env: {
        ...templateEnvironment(lambda),
        MYSQL_URL: services.mysqlUrl,
        CARRIER_BASE_URL: services.carrierBaseUrl,
        QUEUE_URL: services.queueUrl,
        ...(services.env.awsRegion === undefined ? {} : { AWS_REGION: services.env.awsRegion }),
        ...(services.env.sqsEndpoint === undefined ? {} : { SQS_ENDPOINT: services.env.sqsEndpoint }),
        LOG_LEVEL: "silent",
      },
      functionName: lambda.functionName,
      timeoutMs: lambda.timeoutSeconds * 1000,
      memoryMb: lambda.memoryMb,
      reservedConcurrency: lambda.reservedConcurrency,
    });
    endpoint = await server.listen({ port: 0, host: "127.0.0.1" });
  }
  const client = lambdaClientFor(endpoint, services.env);
  let billedMbMs = 0;
  return {
    port: createLambdaInvokeFunction({ client, functionName: lambda.functionName }),
    observe(event) {
      if (event.result !== "throttled") billedMbMs += (event.endedAt - event.startedAt) * lambda.memoryMb;
    },
    gbSeconds: () => billedMbMs / 1024 / 1000,
    async close() {
      client.destroy();
      await server?.close();
    },
  };
}

/**
 * Before a run through an endpoint it did not start: the endpoint answers (within seconds), and
 * the function there writes to the run's database, calls the run's carrier and reaches its SQS.
 * Anything else would leave every recipient unaccounted, so it is refused with what to set.
 */
export async function checkRemoteFunction(options: {
  lambda: LambdaConfig;
  endpoint: string;
  env: SmsimEnv;
  log: (line: string) => void;
}): Promise<void> {
  const { lambda, endpoint, env } = options;
  const client = lambdaClientFor(endpoint, env);
  try {
    const variables = await readFunctionVariables(client, lambda.functionName, endpoint);
    if (variables === null) {
      options.log(
        `warning: ${endpoint} does not report ${lambda.functionName}'s configuration; make sure its MYSQL_URL, ` +
          "CARRIER_BASE_URL and SQS_ENDPOINT are the run's, or every recipient stays unaccounted",
      );
      return;
    }
    const problems = setupMismatches(variables, env);
    if (problems.length > 0) {
      throw new LambdaSetupError(
        `the function at ${endpoint} is set up for other services than this run:\n  ${problems.join("\n  ")}`,
      );
    }
  } finally {
    client.destroy();
  }
}

function lambdaClientFor(endpoint: string, env: SmsimEnv) {
  if (endpoint !== "aws" && !/^https?:\/\//.test(endpoint)) {
    throw new ValidationError("--lambda-endpoint", endpoint, 'expected an http(s) URL or "aws"');
  }
  return createLambdaClient({ endpoint: endpoint === "aws" ? undefined : endpoint, region: env.awsRegion });
}
