import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = resolve(import.meta.dirname, "../../../bin/smsim.mjs");
const DEFINE_SCENARIO = resolve(import.meta.dirname, "../../../sim/scenario/define-scenario.ts");

/** `smsim validate <file>` as a user runs it: the real bin (tsx), from the file's own directory. */
async function validateInChild(file: string, cwd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, "validate", file], { cwd });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const body = (name: string) =>
  `{ name: "${name}", duration: "1h", traffic: [{ name: "c", start: "1m", recipients: 10 }] }`;

let dir: string;
beforeAll(async () => {
  // Outside the repository: no package.json, no tsconfig, no node_modules around the files.
  dir = await mkdtemp(join(tmpdir(), "smsim-anywhere-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("scenario files anywhere", () => {
  it("loads .ts, .mts, .js, .mjs, .json and .yaml files from a directory outside the repository", async () => {
    // Prepare: a .ts with a type annotation that imports defineScenario by path, and one of each other kind
    const files: [string, string][] = [
      [
        "typed.ts",
        `import { defineScenario } from ${JSON.stringify(DEFINE_SCENARIO)};\nconst d: string = "1h";\nexport default defineScenario({ ...${body("typed")}, duration: d });\n`,
      ],
      ["module.mts", `export default ${body("module")};\n`],
      ["plain.js", `export default ${body("plain")};\n`],
      ["esm.mjs", `export default ${body("esm")};\n`],
      [
        "doc.json",
        JSON.stringify({
          name: "doc",
          duration: "1h",
          traffic: [{ name: "c", start: "1m", recipients: 10 }],
        }),
      ],
      ["doc.yaml", "name: yaml\nduration: 1h\ntraffic:\n  - { name: c, start: 1m, recipients: 10 }\n"],
    ];
    for (const [name, text] of files) await writeFile(join(dir, name), text);
    // Act
    const results = await Promise.all(files.map(([name]) => validateInChild(join(dir, name), dir)));
    // Assess
    expect(results.map((r) => [r.code, r.out.split("\n")[0]])).toEqual([
      [0, "typed: valid"],
      [0, "module: valid"],
      [0, "plain: valid"],
      [0, "esm: valid"],
      [0, "doc: valid"],
      [0, "yaml: valid"],
    ]);
  });

  it("reports a syntax error in a .ts scenario with its file, line and column, and exits 2", async () => {
    // Prepare: a comma missing after line 3
    const file = join(dir, "broken.ts");
    await writeFile(file, 'export default {\n  name: "broken",\n  duration: "1h"\n  traffic: [],\n};\n');
    // Act
    const result = await validateInChild(file, dir);
    // Assess
    expect(result).toEqual({
      code: 2,
      out: `smsim: ${file}:4:3: syntax error: Expected "}" but found "traffic" [SCENARIO_UNREADABLE]\n`,
    });
  });
});
