import { writeFile } from "node:fs/promises";
import type { SQSEvent } from "aws-lambda";
import { writeZip, type ZipEntry } from "../../../infra/build/zip-writer";

/**
 * A small deployable artifact whose handler does what the event's `action` asks. "describe"
 * reports its context and the environment variables the event names. "hold" writes
 * `<dir>/started`, then waits for `<dir>/release` to exist: the handler runs in an execution
 * environment of its own (a worker thread), so a test sees it in flight through files, not timing.
 */
export const FIXTURE_HANDLER = `
import { existsSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

let served = 0;

export const handler = async (event, context) => {
  served++;
  switch (event.action) {
    case "describe":
      return {
        event,
        servedByThisEnvironment: served,
        functionName: context.functionName,
        memoryLimitInMB: context.memoryLimitInMB,
        awsRequestId: context.awsRequestId,
        remainingMs: context.getRemainingTimeInMillis(),
        variables: Object.fromEntries((event.variables ?? []).map((name) => [name, process.env[name]])),
      };
    case "throw":
      throw new TypeError(event.message);
    case "hold":
      writeFileSync(event.dir + "/started", "");
      while (!existsSync(event.dir + "/release")) await sleep(10);
      return { released: true, servedByThisEnvironment: served };
    case "exit":
      process.exit(3);
    case "nothing":
      return undefined;
    default:
      return { batchItemFailures: [] };
  }
};
`;

/** Writes a zip of `entries` (by default index.mjs holding FIXTURE_HANDLER) to `zipPath`. */
export async function fixtureArtifact(
  zipPath: string,
  entries: ZipEntry[] = [{ name: "index.mjs", data: FIXTURE_HANDLER }],
): Promise<string> {
  await writeFile(zipPath, writeZip(entries));
  return zipPath;
}

/** An event the fixture handler acts on; the Invoke API carries any JSON, not only SQS events. */
export function fixtureEvent(action: string, fields: Record<string, unknown> = {}): SQSEvent {
  return { action, ...fields } as unknown as SQSEvent;
}
