import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Downloads and run state live under the project's git-ignored .cache folder. */
export function cachePath(...parts: string[]): string {
  return join(PROJECT_ROOT, ".cache", ...parts);
}
