import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smsim } from "../../../cli/commands/test/run-smsim";
import { buildSweepLambda } from "../../../infra/build/build-lambda";
import { loadPipelineConfig } from "../../../infra/pipeline-config";
import { createLambdaServer } from "../../lambda/lambda-server";
import { SWEEP_FUNCTION_NAME } from "../lambda-runner";
import type { SweepResult } from "../run-sweep";

const LAUNCH = resolve(import.meta.dirname, "../../../scenarios/launch-150k.ts");
const CONCURRENCY = "LambdaEventSourceMapping.ScalingConfig.MaximumConcurrency";

describe("smsim sweep --on lambda, through the local Invoke host", () => {
  let dir: string;
  let server: FastifyInstance;
  let endpoint: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-lambda-sweep-"));
    const built = await buildSweepLambda(join(dir, "build"));
    // SweepFunction's settings as a deployment would have them, but no reserved concurrency of
    // MessagingLambda's: a sweep's points are not the pipeline's invocations.
    server = await createLambdaServer({
      zipPath: built.zipPath,
      env: {},
      functionName: SWEEP_FUNCTION_NAME,
      timeoutMs: 900_000,
      memoryMb: 2048,
      reservedConcurrency: null,
    });
    endpoint = await server.listen({ port: 0, host: "127.0.0.1" });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives the same points, figures and thresholds as the local sweep", async () => {
    // Prepare
    const args = [
      "sweep",
      LAUNCH,
      "--set",
      "traffic[0].recipients=30000",
      "--vary",
      `${CONCURRENCY}=2,3,6`,
      "--repeat",
      "2",
      "--jobs",
      "2",
      "--no-progress",
    ];
    // Act
    const local = await smsim(...args, "--out", join(dir, "local"));
    const lambda = await smsim(
      ...args,
      "--on",
      "lambda",
      "--lambda-endpoint",
      endpoint,
      "--out",
      join(dir, "lambda"),
    );
    // Assess
    expect(local.code).toBe(0);
    expect(lambda).toMatchObject({ code: 0, stderr: expect.not.stringContaining("smsim:") });
    const read = async (name: string) =>
      JSON.parse(await readFile(join(dir, name, "sweep.json"), "utf8")) as SweepResult;
    const [a, b] = await Promise.all([read("local"), read("lambda")]);
    const points = (r: SweepResult) =>
      r.points.map((p) => ({
        settings: p.settings,
        passed: p.passed,
        runs: p.runs.map(({ seed, figures, thresholds, passed }) => ({ seed, figures, thresholds, passed })),
      }));
    expect(points(b)).toEqual(points(a));
    expect(b.points.map((p) => p.runs.length)).toEqual([2, 2, 2]);
    expect([b.cheapest, b.fastest]).toEqual([a.cheapest, a.fastest]);
  }, 180_000);

  it("names the function the template deploys", () => {
    // Prepare + Act
    const template = loadPipelineConfig().templatePath;
    // Assess
    return expect(readFile(template, "utf8")).resolves.toMatch(
      new RegExp(
        `SweepFunction:\\n\\s+Type: AWS::Serverless::Function\\n\\s+Properties:\\n\\s+FunctionName: ${SWEEP_FUNCTION_NAME}\\n`,
      ),
    );
  });

  it("refuses --on lambda without an endpoint, and an unknown --on, with exit 2", async () => {
    // Prepare + Act
    const missing = await smsim("sweep", LAUNCH, "--vary", `${CONCURRENCY}=2`, "--on", "lambda");
    const unknown = await smsim("sweep", LAUNCH, "--vary", `${CONCURRENCY}=2`, "--on", "cloud");
    // Assess
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining("--lambda-endpoint") });
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining("--on") });
  });
});
