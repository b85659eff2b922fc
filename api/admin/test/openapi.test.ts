import SwaggerParser from "@apidevtools/swagger-parser";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createPool } from "mysql2/promise";
import type { OpenAPIV3 } from "openapi-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessagingService } from "../../messaging-service";
import { createSqsMessageQueue } from "../../sqs-message-queue";
import { createAdminServer } from "../admin-server";
import type { AdminApp } from "../typebox-provider";
import { OPERATOR, VIEWER } from "./admin-harness";

/** Static files of the console and the document itself: served, deliberately not API operations. */
const UNDOCUMENTED = ["/", "/console.css", "/console.js", "/favicon.ico", "/favicon.svg", "/openapi.json"];
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

let app: AdminApp;
let doc: OpenAPIV3.Document;

beforeAll(async () => {
  // Building the document touches neither MySQL nor SQS: nothing here connects.
  const pool = createPool({ host: "127.0.0.1", port: 1 });
  const client = new SQSClient({ region: "us-east-1", endpoint: "http://127.0.0.1:1" });
  const queueUrl = "http://127.0.0.1:1/000000000000/messaging-queue";
  app = await createAdminServer({
    pool,
    sqs: { client, queueUrl, dlqUrl: `${queueUrl}-dlq` },
    messaging: createMessagingService({ pool, queue: createSqsMessageQueue(client, queueUrl) }),
    tokens: [OPERATOR, VIEWER],
    logger: false,
  });
  const reply = await app.inject({
    url: "/openapi.json",
    headers: { authorization: `Bearer ${VIEWER.token}` },
  });
  doc = reply.json();
});

afterAll(() => app?.close());

/** "METHOD /path/:param" for every route Fastify serves, read from its route tree. */
function servedRoutes(): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^([│ ]*)[├└]── (\S*) \(([^)]+)\)/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? "").length / 4;
    stack.length = depth;
    stack.push(match[2] ?? "");
    const path = stack.join("") || "/";
    for (const method of (match[3] ?? "").split(", "))
      if (method !== "HEAD") routes.push(`${method} ${path}`);
  }
  return routes.sort();
}

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item?.[m]).map((m) => ({
      path,
      method: m,
      op: item?.[m] as OpenAPIV3.OperationObject,
    })),
  );

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3 by a standard validator (swagger-parser), $refs resolved", async () => {
    // Act
    const validated = await SwaggerParser.validate(structuredClone(doc) as never);
    // Assess
    expect((validated as OpenAPIV3.Document).openapi).toMatch(/^3\.0\./);
  });

  it("documents every route the server serves, and no route it does not", () => {
    // Prepare
    const served = servedRoutes().filter((r) => !UNDOCUMENTED.includes(r.split(" ")[1] ?? ""));
    // Act
    const documented = operations()
      .map(({ path, method }) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`)
      .sort();
    // Assess
    expect(documented).toEqual(served);
    expect(served.length).toBeGreaterThanOrEqual(12);
  });

  it("gives every operation a unique operationId, its role, and every error status it can answer", () => {
    // Act
    const ops = operations();
    // Assess
    const ids = ops.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ops.length);
    for (const { path, method, op } of ops) {
      const where = `${method} ${path}`;
      const role = (op as { "x-required-role"?: string })["x-required-role"];
      const statuses = Object.keys(op.responses);
      expect(ids, where).toContain(op.operationId);
      expect(statuses, where).toEqual(expect.arrayContaining(["400", "500"]));
      if (path === "/health") {
        expect(op.security, where).toEqual([]);
        expect(role).toBe("none");
        continue;
      }
      expect(["viewer", "operator"], where).toContain(role);
      expect(op.description, where).toContain(`Needs the ${role} role.`);
      expect(statuses, where).toEqual(expect.arrayContaining(["401", "403", "429"]));
      if (op.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(["413", "415"]));
    }
    const roleOf = (path: string, method: "get" | "post") =>
      (doc.paths[path]?.[method] as { "x-required-role"?: string } | undefined)?.["x-required-role"];
    expect(roleOf("/campaigns", "post")).toBe("operator");
    expect(roleOf("/dlq/purge", "post")).toBe("operator");
    expect(roleOf("/campaigns", "get")).toBe("viewer");
    expect(Object.keys(doc.paths["/campaigns"]?.post?.responses ?? {})).toContain("422");
  });

  it("names every schema, the audience included, and requires no parameter the server defaults", () => {
    // Act
    const names = Object.keys(doc.components?.schemas ?? {});
    const text = JSON.stringify(doc.paths);
    const query = operations().flatMap(({ op }) => (op.parameters ?? []) as OpenAPIV3.ParameterObject[]);
    // Assess
    expect(names).toEqual(
      expect.arrayContaining([
        "Audience",
        "ErrorBody",
        "CampaignDetail",
        "CreateCampaignRequest",
        "DlqReply",
      ]),
    );
    expect(names.filter((n) => /^def-\d+$/.test(n))).toEqual([]);
    expect(text).not.toMatch(/"type":"object"/);
    const audience = doc.components?.schemas?.Audience as OpenAPIV3.SchemaObject;
    expect(audience.oneOf?.length).toBe(3);
    const page = query.find((p) => p.name === "page");
    expect(page).toMatchObject({ in: "query", required: false, schema: { default: 1, maximum: 1_000_000 } });
  });
});
