import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { parseMysqlUrl } from "../../domain/db/mysql";
import type { SmsimEnv } from "../../domain/env";
import { LambdaEndpointError, LambdaSetupError } from "./errors";

/** How long an endpoint has to answer before the run says it is down. */
const ANSWER_WITHIN_MS = 5_000;

/** Where to look when the function is not where the run expects it. */
const SEE_README = 'see the README\'s "A scenario through the Lambda Invoke API"';

/**
 * The function's environment variables, read through GetFunctionConfiguration before anything is
 * enqueued: an endpoint that is down or slow fails here within seconds, an unknown function too.
 * Null when the endpoint answers but does not serve the operation (`sam local start-lambda`).
 */
export async function readFunctionVariables(
  client: LambdaClient,
  functionName: string,
  endpoint: string,
): Promise<Record<string, string> | null> {
  const abortSignal = AbortSignal.timeout(ANSWER_WITHIN_MS);
  try {
    const configuration = await client.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName }),
      {
        abortSignal,
      },
    );
    return configuration.Environment?.Variables ?? {};
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new LambdaSetupError(
        `${endpoint} has no function ${functionName} (the template's MessagingLambda): serve the template's ` +
          `function there (\`npx smsim lambda serve\`), ${SEE_README}`,
        { cause: error },
      );
    }
    // It answered, but will not tell (not served, or not allowed): the invocations will still work.
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined) {
      return null;
    }
    const reason = abortSignal.aborted
      ? `no answer within ${ANSWER_WITHIN_MS / 1000} s`
      : `${(error as { code?: string }).code ?? (error as Error).message}`;
    throw new LambdaEndpointError(
      `the Lambda endpoint ${endpoint} is not reachable (${reason}): start the function first ` +
        `(\`npx smsim lambda serve --port 3901 &\`) or fix --lambda-endpoint; ${SEE_README}`,
      { cause: error },
    );
  }
}

/**
 * What the function and the run disagree on, one line per variable and what to set: the
 * function must write to the database the run counts in, call the carrier the run configures and
 * reads, and reach the run's queues on the same SQS.
 */
export function setupMismatches(variables: Readonly<Record<string, string>>, run: SmsimEnv): string[] {
  const problems: string[] = [];
  const fn = (name: string) => variables[name]?.trim() || undefined;
  const functionDb = fn("MYSQL_URL");
  if (functionDb === undefined) {
    problems.push(
      "MYSQL_URL: the function has none; give it the run's database (export MYSQL_URL before both)",
    );
  } else if (databaseOf(functionDb) !== databaseOf(run.mysqlUrl)) {
    problems.push(
      `MYSQL_URL: the function writes to ${databaseOf(functionDb)}, the run would count in ${databaseOf(run.mysqlUrl)}; ` +
        "export the same MYSQL_URL for both",
    );
  }
  const functionCarrier = fn("CARRIER_BASE_URL");
  if (functionCarrier === undefined) {
    problems.push(
      "CARRIER_BASE_URL: the function has none; start a carrier and export CARRIER_BASE_URL for both",
    );
  } else if (run.carrierBaseUrl === undefined || !sameUrl(functionCarrier, run.carrierBaseUrl)) {
    problems.push(
      `CARRIER_BASE_URL: the function calls ${functionCarrier}, the run ${run.carrierBaseUrl ?? "would start a carrier of its own"}; ` +
        "export the same CARRIER_BASE_URL for both",
    );
  }
  const functionSqs = fn("SQS_ENDPOINT");
  const sameSqs =
    functionSqs === undefined || run.sqsEndpoint === undefined
      ? functionSqs === run.sqsEndpoint
      : sameUrl(functionSqs, run.sqsEndpoint);
  if (!sameSqs) {
    problems.push(
      `SQS_ENDPOINT: the function uses ${functionSqs ?? "AWS SQS"}, the run ${run.sqsEndpoint ?? "AWS SQS"}; ` +
        "export the same SQS_ENDPOINT for both",
    );
  }
  const functionQueue = fn("QUEUE_URL");
  if (functionQueue !== undefined && (run.queueUrl === undefined || !sameUrl(functionQueue, run.queueUrl))) {
    problems.push(
      `QUEUE_URL: the function is tied to ${functionQueue}, the run uses ${run.queueUrl ?? "queues of its own"}; ` +
        "unset QUEUE_URL for the function (it then follows each record's queue), or give the run the same QUEUE_URL and DLQ_URL",
    );
  }
  return problems;
}

/** host:port/database, the part of a MySQL URL that says where the rows go. */
function databaseOf(url: string): string {
  const { host, port, database } = parseMysqlUrl(url);
  return `mysql://${loopback(host) ? "127.0.0.1" : host}:${port}/${database}`;
}

function sameUrl(a: string, b: string): boolean {
  const normal = (text: string) => {
    const url = new URL(text);
    if (loopback(url.hostname)) url.hostname = "127.0.0.1";
    return url.href.replace(/\/+$/, "");
  };
  return normal(a) === normal(b);
}

function loopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "[::1]" || host === "::1";
}
