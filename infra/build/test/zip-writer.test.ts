import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { writeZip, type ZipEntry } from "../zip-writer";

describe("writeZip", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-zip-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const entries: ZipEntry[] = [
    {
      name: "index.mjs",
      data: "export const handler = async () => ({ batchItemFailures: [] });\n".repeat(50),
    },
    { name: "lib/문자.txt", data: "발송 완료" },
    { name: "empty", data: new Uint8Array() },
    { name: "bin/run", data: "#!/bin/sh\n", mode: 0o755 },
  ];

  it("writes an archive that unzip verifies and unpacks byte for byte", async () => {
    // Prepare
    const path = join(dir, "a.zip");
    // Act
    await writeFile(path, writeZip(entries));
    // Assess
    expect(execFileSync("unzip", ["-tq", path], { encoding: "utf8" })).toMatch(/No errors detected/);
    for (const entry of entries) {
      const unpacked = execFileSync("unzip", ["-p", path, entry.name]);
      expect(unpacked.equals(Buffer.from(entry.data))).toBe(true);
    }
    expect(execFileSync("unzip", ["-Z", path], { encoding: "utf8" })).toMatch(/-rwxr-xr-x .* bin\/run/);
  });

  it("gives the same bytes for the same entries", () => {
    // Prepare
    const first = writeZip(entries);
    // Act
    const second = writeZip(entries);
    // Assess
    expect(second.equals(first)).toBe(true);
  });

  it("refuses an absolute entry name", () => {
    // Prepare
    const absolute = [{ name: "/etc/passwd", data: "x" }];
    // Act
    const write = () => writeZip(absolute);
    // Assess
    expect(write).toThrow(ValidationError);
  });
});
