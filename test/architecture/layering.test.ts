import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const HARNESS = ["sim", "provider-mock", "scenarios", "reports", "bench", "cli", "test"];

/** Every non-test source file below `folder`, repository-relative. */
function sourcesOf(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "test" && entry.name !== "node_modules") walk(path);
      } else if (/\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) {
        out.push(relative(ROOT, path));
      }
    }
  };
  walk(join(ROOT, folder));
  return out;
}

/** The top-level folders a file imports from (static and dynamic relative imports). */
function importedFolders(file: string): { specifier: string; folder: string }[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const found = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1] as string);
  return found.map((specifier) => ({
    specifier,
    folder: relative(ROOT, resolve(ROOT, dirname(file), specifier)).split("/")[0] as string,
  }));
}

function violations(folders: readonly string[], forbidden: readonly string[]): string[] {
  return folders.flatMap((folder) =>
    sourcesOf(folder).flatMap((file) =>
      importedFolders(file)
        .filter(({ folder: target }) => forbidden.includes(target))
        .map(({ specifier }) => `${file} imports ${specifier}`),
    ),
  );
}

describe("layering (docs/ARCHITECTURE.md)", () => {
  it("production code (api, handler, domain) never imports the harness", () => {
    expect(violations(["api", "handler", "domain"], HARNESS)).toEqual([]);
  });

  it("reports/ renders summaries and imports nothing from sim/", () => {
    expect(violations(["reports"], ["sim", "cli", "bench"])).toEqual([]);
  });

  it("the carrier model imports nothing from sim/", () => {
    expect(violations(["provider-mock"], ["sim", "cli", "bench"])).toEqual([]);
  });
});
