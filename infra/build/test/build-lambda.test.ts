import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLambda, type LambdaBuild } from "../build-lambda";

/** Imports the bundle in a fresh node, as Lambda's runtime would, and runs `script` against it. */
function runBundle(bundlePath: string, script: string, env: Record<string, string>): string {
  const program = `const m = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});\n${script}`;
  return execFileSync(process.execPath, ["--input-type=module", "-e", program], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

describe("buildLambda", () => {
  let dir: string;
  let built: LambdaBuild;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-lambda-"));
    built = await buildLambda(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("packs index.mjs at the root of handler.zip, readable by unzip", () => {
    // Prepare: built in beforeAll.
    // Act
    const listing = execFileSync("unzip", ["-Z1", built.zipPath], { encoding: "utf8" });
    const unpacked = execFileSync("unzip", ["-p", built.zipPath, "index.mjs"], { maxBuffer: 64 << 20 });
    // Assess
    expect(listing.trim().split("\n")).toEqual(["index.mjs", "index.mjs.map"]);
    expect(unpacked.equals(readFileSync(built.bundlePath))).toBe(true);
  });

  it("exports a handler that runs from the bundle alone, configured from the environment", () => {
    // Prepare
    const env = {
      MYSQL_URL: "mysql://root@127.0.0.1:1/smsim",
      CARRIER_BASE_URL: "http://127.0.0.1:1",
      LOG_LEVEL: "silent",
    };
    const script = `process.stdout.write(JSON.stringify([typeof m.handler, await m.handler({ Records: [] }, {})]));`;
    // Act
    const output = runBundle(built.bundlePath, script, env);
    // Assess
    expect(JSON.parse(output)).toEqual(["function", { batchItemFailures: [] }]);
  });

  it("fails at import when a setting is bad, naming the variable", () => {
    // Prepare
    const env = {
      MYSQL_URL: "mysql://root@127.0.0.1:1/smsim",
      CARRIER_BASE_URL: "http://127.0.0.1:1",
      CARRIER_RETRIES: "two",
    };
    // Act
    const run = () => runBundle(built.bundlePath, "", env);
    // Assess
    expect(run).toThrow(/CARRIER_RETRIES: expected a whole number \(got "two"\)/);
  });
});
