import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../../domain/errors";
import { extractZip, readZip } from "../zip-reader";
import { writeZip, type ZipEntry } from "../zip-writer";

function entries(): ZipEntry[] {
  return [
    {
      name: "index.mjs",
      data: "export const handler = async () => ({ batchItemFailures: [] });\n".repeat(40),
    },
    { name: "lib/문자.txt", data: "발송 완료" },
    { name: "empty", data: new Uint8Array() },
    { name: "bin/run", data: "#!/bin/sh\n", mode: 0o755 },
  ];
}

describe("readZip and extractZip", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smsim-unzip-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reads back what writeZip wrote, byte for byte, with the Unix modes", () => {
    // Prepare
    const archive = writeZip(entries());
    // Act
    const files = readZip(archive);
    // Assess
    expect(files.map((f) => [f.name, f.data.toString("utf8"), f.mode])).toEqual(
      entries().map((e) => [e.name, Buffer.from(e.data).toString("utf8"), e.mode ?? 0o644]),
    );
  });

  it("unpacks an archive made by Info-ZIP's zip, stored and deflated entries and folders alike", async () => {
    // Prepare: a folder tree zipped by the zip tool with data descriptors (-fd), .txt files stored (-n).
    const source = join(dir, "tree");
    await mkdir(join(source, "lib/nested"), { recursive: true });
    await writeFile(join(source, "index.mjs"), "export const handler = async () => null;\n".repeat(100));
    await writeFile(join(source, "lib/nested/tiny.txt"), "x");
    const zipPath = join(dir, "tool.zip");
    execFileSync("zip", ["-qr", "-fd", "-n", ".txt", zipPath, "."], { cwd: source });
    const out = join(dir, "out");
    // Act
    const written = await extractZip(await readFile(zipPath), out);
    // Assess
    expect(written.sort()).toEqual(["index.mjs", "lib/nested/tiny.txt"]);
    expect(await readFile(join(out, "index.mjs"), "utf8")).toBe(
      await readFile(join(source, "index.mjs"), "utf8"),
    );
    expect(await readFile(join(out, "lib/nested/tiny.txt"), "utf8")).toBe("x");
  });

  it("keeps the executable bit of an entry that has it", async () => {
    // Prepare
    const out = join(dir, "modes");
    // Act
    await extractZip(writeZip(entries()), out);
    // Assess
    expect((await stat(join(out, "bin/run"))).mode & 0o777).toBe(0o755);
  });

  it("refuses an entry that would land outside the folder, writing nothing", async () => {
    // Prepare
    const archive = writeZip([
      { name: "index.mjs", data: "ok" },
      { name: "lib/../../escape.txt", data: "no" },
    ]);
    const out = join(dir, "escape");
    // Act
    const extract = extractZip(archive, out);
    // Assess
    await expect(extract).rejects.toThrow(/zip entry: must stay inside the archive's folder \(got "lib/);
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });

  it("refuses a corrupted entry by its CRC-32", () => {
    // Prepare: flip one byte of the stored name's data (the first entry's data follows its name).
    const archive = writeZip([{ name: "a.txt", data: "a".repeat(1000) }]);
    const dataAt = 30 + "a.txt".length;
    archive[dataAt + 2] = (archive[dataAt + 2] ?? 0) ^ 0xff;
    // Act
    const read = () => readZip(archive);
    // Assess
    expect(read).toThrow(ValidationError);
    expect(read).toThrow(/"a.txt"/);
  });

  it("refuses a file that is not a zip archive", () => {
    // Prepare
    const notZip = Buffer.from("export const handler = () => null;\n");
    // Act
    const read = () => readZip(notZip);
    // Assess
    expect(read).toThrow(/has no end of central directory record/);
  });
});
