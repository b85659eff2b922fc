import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadPipelineConfig } from "../../../infra/pipeline-config";
import { createLambdaClient, createLambdaInvokeFunction } from "../../../sim/esm/lambda-invoke-function";
import { fixtureArtifact, fixtureEvent } from "../../../sim/lambda/test/fixtures";
import { main } from "../../main";
import { startLambdaServe } from "./lambda-serve-process";

describe("smsim lambda serve", () => {
  let dir: string;
  let zipPath: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-lambda-cli-"));
    zipPath = await fixtureArtifact(join(dir, "handler.zip"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("serves the artifact with this process's environment and the template's settings, until SIGTERM", async () => {
    // Prepare
    const child = await startLambdaServe(["--zip", zipPath], {
      MYSQL_URL: "mysql://app:secret@127.0.0.1:1/smsim",
      CARRIER_BASE_URL: "http://127.0.0.1:1",
    });
    const { url } = child;
    const { lambda } = loadPipelineConfig();
    try {
      const client = createLambdaClient({ endpoint: url });
      const fn = createLambdaInvokeFunction({ client, functionName: lambda.functionName });
      const variables = ["MYSQL_URL", "CARRIER_BASE_URL", "CARRIER_TIMEOUT_MS"];
      // Act
      const outcome = await fn.invoke(fixtureEvent("describe", { variables }), 5000);
      client.destroy();
      child.kill("SIGTERM");
      const code = await child.exited;
      // Assess
      expect(outcome.kind).toBe("returned");
      expect(JSON.parse((outcome as { payload: string }).payload)).toMatchObject({
        functionName: lambda.functionName,
        memoryLimitInMB: String(lambda.memoryMb),
        variables: {
          MYSQL_URL: "mysql://app:secret@127.0.0.1:1/smsim",
          CARRIER_BASE_URL: "http://127.0.0.1:1",
          CARRIER_TIMEOUT_MS: String(lambda.carrierTimeoutMs),
        },
      });
      expect(child.stdout()).toContain(`lambda ${lambda.functionName} (`);
      expect(child.stdout()).toContain("MYSQL_URL=mysql://app:***@127.0.0.1:1/smsim");
      expect(child.stdout()).not.toContain("secret");
      expect(code).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("refuses a --zip that does not exist, naming it", async () => {
    // Prepare
    const missing = join(dir, "missing.zip");
    const stderr: string[] = [];
    const err = vi
      .spyOn(process.stderr, "write")
      .mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
    // Act
    let code: number;
    try {
      code = await main(["node", "smsim", "lambda", "serve", "--zip", missing]);
    } finally {
      err.mockRestore();
    }
    // Assess
    expect(code).toBe(2);
    expect(stderr.join("")).toContain(`--zip: no such file (got ${JSON.stringify(missing)})`);
  });
});
