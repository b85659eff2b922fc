import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { writeZip } from "./zip-writer";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const LAMBDA_ENTRY = join(ROOT, "handler/index.ts");
export const SWEEP_ENTRY = join(ROOT, "sim/sweep/sweep-function.ts");
/** infra/template.yaml's CodeUris point at handler.zip and sweep.zip in this folder. */
export const DEFAULT_LAMBDA_OUT_DIR = join(ROOT, "dist/lambda");

// esbuild turns the CJS dependencies' require() calls into a shim that throws in ESM output
// unless a real require is in scope.
const REQUIRE_BANNER =
  'import { createRequire as __smsimCreateRequire } from "node:module"; const require = __smsimCreateRequire(import.meta.url);';

export interface LambdaBuild {
  bundlePath: string;
  zipPath: string;
  bundleBytes: number;
  zipBytes: number;
}

/**
 * Bundles the handler with every dependency (mysql2, undici, the AWS SDK) into one ESM file and
 * packs it with its source map into handler.zip, index.mjs at the root (Handler: index.handler).
 */
export function buildLambda(outDir: string = DEFAULT_LAMBDA_OUT_DIR): Promise<LambdaBuild> {
  return bundleToZip(LAMBDA_ENTRY, outDir, join(outDir, "handler.zip"));
}

/**
 * SweepFunction's artifact, sweep.zip beside handler.zip: the virtual engine with the production
 * handler inside, one point of `smsim sweep --on lambda` per invocation (sim/sweep/sweep-function.ts).
 */
export function buildSweepLambda(outDir: string = DEFAULT_LAMBDA_OUT_DIR): Promise<LambdaBuild> {
  return bundleToZip(SWEEP_ENTRY, join(outDir, "sweep"), join(outDir, "sweep.zip"));
}

async function bundleToZip(entry: string, bundleDir: string, zipPath: string): Promise<LambdaBuild> {
  await mkdir(bundleDir, { recursive: true });
  const bundlePath = join(bundleDir, "index.mjs");
  await build({
    entryPoints: [entry],
    outfile: bundlePath,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    // Prefer the ESM builds: the AWS SDK tree-shakes better from them.
    mainFields: ["module", "main"],
    minify: true,
    // Error class names stay readable in function errors and logs (CarrierTransientError, not Ht).
    keepNames: true,
    // Read by NODE_OPTIONS=--enable-source-maps, so stack traces name the TypeScript sources.
    sourcemap: "external",
    banner: { js: REQUIRE_BANNER },
    legalComments: "none",
    logLevel: "warning",
  });
  const mapPath = `${bundlePath}.map`;
  const [bundle, map] = await Promise.all([readFile(bundlePath), readFile(mapPath)]);
  const zip = writeZip([
    { name: "index.mjs", data: bundle },
    { name: basename(mapPath), data: map },
  ]);
  await writeFile(zipPath, zip);
  return { bundlePath, zipPath, bundleBytes: bundle.length, zipBytes: zip.length };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  for (const built of await Promise.all([buildLambda(), buildSweepLambda()])) {
    console.log(`${built.bundlePath} (${kib(built.bundleBytes)})`);
    console.log(`${built.zipPath} (${kib(built.zipBytes)})`);
  }
}
