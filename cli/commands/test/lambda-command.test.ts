import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadPipelineConfig } from "../../../infra/pipeline-config";
import { createLambdaClient, createLambdaInvokeFunction } from "../../../sim/esm/lambda-invoke-function";
import { fixtureArtifact, fixtureEvent } from "../../../sim/lambda/test/fixtures";
import { main } from "../../main";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../../..");

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
    const child = spawn(
      process.execPath,
      [join(REPO, "bin/smsim.mjs"), "lambda", "serve", "--port", "0", "--zip", zipPath],
      {
        cwd: REPO,
        env: {
          ...process.env,
          MYSQL_URL: "mysql://app:secret@127.0.0.1:1/smsim",
          CARRIER_BASE_URL: "http://127.0.0.1:1",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    const { lambda } = loadPipelineConfig();
    try {
      const url = await vi.waitFor(
        () => {
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (!match?.[1]) throw new Error(`not listening yet: ${stdout}`);
          return match[1];
        },
        { timeout: 30_000, interval: 100 },
      );
      const client = createLambdaClient({ endpoint: url });
      const fn = createLambdaInvokeFunction({ client, functionName: lambda.functionName });
      const variables = ["MYSQL_URL", "CARRIER_BASE_URL", "CARRIER_TIMEOUT_MS"];
      // Act
      const outcome = await fn.invoke(fixtureEvent("describe", { variables }), 5000);
      client.destroy();
      child.kill("SIGTERM");
      const code = await exited;
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
      expect(stdout).toContain(`lambda ${lambda.functionName} (`);
      expect(stdout).toContain("MYSQL_URL=mysql://app:***@127.0.0.1:1/smsim");
      expect(stdout).not.toContain("secret");
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
