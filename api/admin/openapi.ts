import swagger from "@fastify/swagger";
import type { FastifySchema, RouteOptions } from "fastify";
import { audienceOpenApiSchema } from "../audience/compile-audience";
import type { AdminApp } from "./typebox-provider";

type Json = Record<string, unknown>;

/** Error replies every route may give, and those only some give; documented once here. */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "The input is not valid JSON of the expected shape; `field` names what is wrong",
  401: "No token, or one the server does not know",
  403: "The token's role may not do this; the denial is audited",
  404: "No such resource",
  409: "Conflicts with an operation still running",
  413: "The body is larger than the server accepts",
  415: "The body is not application/json",
  422: "Well-formed, but cannot be carried out (e.g. the audience matches nobody)",
  429: "Too many requests for this token (or, without one, this address)",
  500: "A server fault; the log holds the details under `requestId`",
  502: "SQS refused or could not be reached",
};

const errorReply = (status: number) => ({ $ref: "ErrorBody#", description: ERROR_DESCRIPTIONS[status] });

/**
 * The OpenAPI document at /openapi.json, built from the routes: each route names its
 * operationId and its own error statuses (404, 409, 422, 502); this adds the statuses every route
 * shares, the role it needs (`x-required-role`, and in words), `security: []` on public routes,
 * and names every schema that carries a `title` as a component a client generator can use.
 */
export async function registerOpenApi(app: AdminApp): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: "smsim admin API",
        version: "1",
        description:
          "Campaigns, audiences, the DLQ and alarms of the bulk SMS pipeline. Send `Authorization: Bearer " +
          "<token>`; viewers read, operators also change (each operation names the role it needs).",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === "string" ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url, route }) => ({ schema: documentRoute(schema, route), url }),
    transformObject: (documents) => nameSchemas(documents as unknown as { openapiObject: Json }),
  });
}

function documentRoute(schema: FastifySchema | undefined, route: RouteOptions): FastifySchema {
  const s = (schema ?? {}) as FastifySchema & Json;
  if (s.hide) return s;
  const where = `${route.method} ${route.url}`;
  if (typeof s.operationId !== "string") throw new Error(`${where} has no operationId`);
  const config = (route.config ?? {}) as { public?: boolean; role?: string; rateLimit?: unknown };
  const statuses = [400, 500];
  if (config.rateLimit !== false) statuses.push(429);
  if (!config.public) statuses.push(401, 403);
  if (s.body) statuses.push(413, 415);
  const response = { ...(s.response as Json) };
  for (const status of statuses) response[status] ??= errorReply(status);
  for (const [status, reply] of Object.entries(response)) {
    const description = ERROR_DESCRIPTIONS[Number(status)];
    if (description && isRef(reply)) response[status] = { ...reply, description };
  }
  const role = config.public ? null : (config.role ?? "viewer");
  return {
    ...s,
    description: [s.description, role ? `Needs the ${role} role.` : "Public: no token needed."]
      .filter(Boolean)
      .join(" "),
    response,
    querystring: s.querystring ? optionalDefaults(s.querystring as Json) : undefined,
    ...(config.public ? { security: [] } : {}),
    "x-required-role": role ?? "none",
  } as FastifySchema;
}

const isRef = (value: unknown): value is { $ref: string } =>
  typeof value === "object" && value !== null && "$ref" in value;

/** A parameter with a default is optional to the caller, whatever the server fills in. */
function optionalDefaults(query: Json): Json {
  const properties = (query.properties ?? {}) as Record<string, Json>;
  const required = (query.required as string[] | undefined)?.filter(
    (k) => properties[k]?.default === undefined,
  );
  return { ...query, required: required?.length ? required : undefined };
}

/**
 * Moves every schema with a `title` (and the audience) into components.schemas under that name,
 * leaving a $ref: generators then name types after our schemas instead of after their routes.
 */
function nameSchemas({ openapiObject }: { openapiObject: Json }): Json {
  const components = openapiObject.components as { schemas?: Record<string, Json> };
  const named: Record<string, Json> = { ...(components.schemas ?? {}), Audience: audienceOpenApiSchema() };
  const seen = new Map<string, string>();
  const hoist = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(hoist);
    if (typeof node !== "object" || node === null) return node;
    const entries = Object.entries(node).map(([k, v]) => [k, hoist(v)] as const);
    const copy = Object.fromEntries(entries) as Json;
    const title = copy.title;
    if (typeof title !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(title)) return copy;
    const { title: _, ...rest } = copy;
    const shape = JSON.stringify(title === "Audience" ? {} : rest);
    if (seen.has(title) && seen.get(title) !== shape)
      throw new Error(`two different schemas are titled ${title}`);
    seen.set(title, shape);
    if (title !== "Audience") named[title] = rest;
    return { $ref: `#/components/schemas/${title}` };
  };
  const paths = hoist(openapiObject.paths);
  return { ...openapiObject, paths, components: { ...components, schemas: named } };
}
