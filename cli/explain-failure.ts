import { LOCAL_SQS_ENDPOINT } from "../infra/local/services";
import { EnvironmentError } from "./errors";

type Source = Readonly<Record<string, string | undefined>>;

/** Socket errors that mean "nothing answers there", as Node, undici and mysql2 report them. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ETIMEDOUT"]);

interface SocketError {
  code: string;
  address?: string;
  hostname?: string;
  port?: number;
}

interface Service {
  code: string;
  what: string;
  url: URL;
  wayOut: string;
}

/**
 * What went wrong in the user's environment, as an error that says how to fix it, or null for
 * anything else (a bug keeps its stack trace). Recognised: no SQS region or endpoint (the SDK's
 * "Region is missing"), and a refused or unresolvable connection to MYSQL_URL, SQS_ENDPOINT or
 * CARRIER_BASE_URL, told apart by host and port.
 */
export function explainFailure(error: unknown, source: Source = process.env): EnvironmentError | null {
  // An empty AWS_REGION is read as a region by the SDK, and refused.
  if (error instanceof Error && /^Region is missing$|^Region not accepted: region=""/.test(error.message)) {
    return new EnvironmentError(
      "SQS_TARGET_MISSING",
      "no SQS to talk to: neither SQS_ENDPOINT nor AWS_REGION is set. For the local stack run " +
        "`npx smsim services up` and `export SQS_ENDPOINT=http://127.0.0.1:9324`; for AWS " +
        "`export AWS_REGION=<region>` (e.g. ap-northeast-2) with AWS credentials at hand",
      { cause: error },
    );
  }
  const socket = socketErrorIn(error);
  if (socket === null) return null;
  const where = `${socket.hostname ?? socket.address ?? "?"}${socket.port === undefined ? "" : `:${socket.port}`}`;
  const service = servicesOf(source).find((s) => matches(s.url, socket));
  const problem =
    socket.code === "ENOTFOUND" ? "has a host name that does not resolve" : "refuses connections";
  if (service === undefined) {
    return new EnvironmentError(
      "SERVICE_UNREACHABLE",
      `could not connect to ${where} (${socket.code}): is the service running?`,
      { cause: error },
    );
  }
  return new EnvironmentError(
    service.code,
    `${service.what} at ${service.url.host} ${problem} (${socket.code}): ${service.wayOut}`,
    { cause: error },
  );
}

function servicesOf(source: Source): Service[] {
  const services: Service[] = [];
  const add = (value: string | undefined, fallback: string | null, service: Omit<Service, "url">) => {
    const text = value?.trim() || fallback;
    if (!text) return;
    try {
      services.push({ ...service, url: new URL(text) });
    } catch {
      // An unparsable URL is readEnv's to report.
    }
  };
  add(source.MYSQL_URL, "mysql://root@127.0.0.1:3306/smsim", {
    code: "MYSQL_UNREACHABLE",
    what: "MySQL (MYSQL_URL)",
    wayOut:
      "start the local MariaDB with `npx smsim services up`, or set MYSQL_URL to a server that runs " +
      "(mysql://user:password@host:3306/smsim)",
  });
  add(source.SQS_ENDPOINT, source.AWS_REGION?.trim() ? null : LOCAL_SQS_ENDPOINT, {
    code: "SQS_UNREACHABLE",
    what: "SQS (SQS_ENDPOINT)",
    wayOut:
      "start ElasticMQ with `npx smsim services up` (it listens on http://127.0.0.1:9324), or fix " +
      "SQS_ENDPOINT; unset it and set AWS_REGION to use AWS SQS",
  });
  add(source.CARRIER_BASE_URL, null, {
    code: "CARRIER_UNREACHABLE",
    what: "the carrier (CARRIER_BASE_URL)",
    wayOut:
      "start the mock carrier with `npx smsim carrier --port 4010 &`, or fix CARRIER_BASE_URL " +
      "(`smsim run --engine live` starts a carrier of its own when it is unset)",
  });
  return services;
}

function matches(url: URL, socket: SocketError): boolean {
  const defaultPort = { "mysql:": "3306", "http:": "80", "https:": "443" }[url.protocol];
  const port = Number(url.port || defaultPort);
  if (socket.port !== undefined && socket.port !== port) return false;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (socket.hostname !== undefined) return socket.hostname === host;
  const loopback = (h: string) => h === "localhost" || h === "::1" || h.startsWith("127.");
  return (
    socket.address === undefined || socket.address === host || (loopback(host) && loopback(socket.address))
  );
}

/** The first socket error in the error, its causes and an AggregateError's members. */
function socketErrorIn(error: unknown, depth = 0): SocketError | null {
  if (depth > 5 || typeof error !== "object" || error === null) return null;
  const candidate = error as Partial<SocketError> & { cause?: unknown; errors?: unknown[] };
  if (typeof candidate.code === "string" && UNREACHABLE_CODES.has(candidate.code)) {
    const nested = (candidate.errors ?? []).map((e) => socketErrorIn(e, depth + 1)).find((e) => e !== null);
    return nested ?? (candidate as SocketError);
  }
  return socketErrorIn(candidate.cause, depth + 1);
}
