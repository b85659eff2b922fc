import { describe, expect, it } from "vitest";
import { esmWorld } from "./esm-harness";

const SIX_MB = 6 * 1024 * 1024;

/**
 * Seven messages in one receive, BatchSize 10: six of 900,000 bytes and a last one of `lastBytes`.
 * Returns the records of each invocation and the bytes of each event's JSON.
 */
async function batchesOf(lastBytes: number) {
  const eventBytes: number[] = [];
  const world = esmWorld({
    reservedConcurrency: null,
    maximumConcurrency: 2,
    visibilityTimeoutSeconds: 30,
    batchMs: 10,
    respond: (event) => {
      eventBytes.push(Buffer.byteLength(JSON.stringify(event)));
      return null;
    },
  });
  world.send(7, (i) => "x".repeat(i < 6 ? 900_000 : lastBytes));
  world.esm.start();
  await world.runFor(10_000);
  return { records: world.events.map((e) => e.records), eventBytes, deleted: world.queue.counters().deleted };
}

/**
 * Lambda API reference, Invoke: "For synchronous invocations, the maximum payload size is 6 MB"
 * (6,291,456 bytes: Lambda refuses a larger request as "smaller than 6291456 bytes"). The event
 * source mapping invokes synchronously, so a batch stops short of the record that would take its
 * event past 6 MB; that record starts the next batch.
 */
describe("conformance: an SQS event within Lambda's 6 MB invocation payload", () => {
  it("API_Invoke: a batch whose event is exactly 6 MB is invoked whole; one byte more and its last record waits for the next", async () => {
    // Prepare: measure the event of the seven messages with a 1-byte last body, then pad that body
    // to take the event to exactly 6 MB, and to one byte over.
    const probe = await batchesOf(1);
    const exactly = 1 + SIX_MB - (probe.eventBytes[0] ?? 0);
    // Act
    const atLimit = await batchesOf(exactly);
    const overLimit = await batchesOf(exactly + 1);
    // Assess
    expect(probe.records).toEqual([7]);
    expect(atLimit).toEqual({ records: [7], eventBytes: [SIX_MB], deleted: 7 });
    expect(overLimit.records).toEqual([6, 1]);
    expect(overLimit.eventBytes.every((bytes) => bytes <= SIX_MB)).toBe(true);
    expect(overLimit.deleted).toBe(7);
  });
});
