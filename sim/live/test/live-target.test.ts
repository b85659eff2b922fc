import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEnv } from "../../../domain/env";
import { hasAwsCredentials, resolveLiveTarget } from "../live-target";

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "smsim-home-"));
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe("the live engine's target", () => {
  it("sees AWS credentials in the SDK's variables or its shared credentials file", async () => {
    // Prepare
    const withFile = join(home, "with-file");
    await mkdir(join(withFile, ".aws"), { recursive: true });
    await writeFile(join(withFile, ".aws", "credentials"), "[default]\n");
    // Act + Assess
    expect(hasAwsCredentials({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLE" }, home)).toBe(true);
    expect(hasAwsCredentials({ AWS_PROFILE: "prod" }, home)).toBe(true);
    expect(hasAwsCredentials({}, withFile)).toBe(true);
    expect(hasAwsCredentials({ AWS_ACCESS_KEY_ID: " " }, home)).toBe(false);
    expect(hasAwsCredentials({}, home)).toBe(false);
  });

  it("uses SQS_ENDPOINT as it is, without starting anything", async () => {
    // Prepare
    const env = readEnv({ SQS_ENDPOINT: "http://127.0.0.1:1" });
    const lines: string[] = [];
    // Act
    const target = await resolveLiveTarget(env, (line) => lines.push(line), {});
    // Assess
    expect(target).toEqual(env);
    expect(lines).toEqual([]);
  });
});
