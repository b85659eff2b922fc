import type { SQSEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { esmWorld } from "./esm-harness";

const ids = (event: SQSEvent) => event.Records.map((r) => r.messageId);

/**
 * Runs one batch of 10 messages through the mapping: on the first delivery the function answers
 * `respond(event)` (or throws it, when it is an Error); later deliveries succeed. Returns which
 * messages came back (received twice) and how the ESM judged the first invocation.
 */
async function firstResponse(respond: (event: SQSEvent) => unknown, reportBatchItemFailures = true) {
  let first = true;
  const world = esmWorld({
    reservedConcurrency: null,
    maximumConcurrency: 2,
    visibilityTimeoutSeconds: 30,
    batchMs: 10,
    reportBatchItemFailures,
    respond: (event) => {
      if (!first) return null;
      first = false;
      const answer = respond(event);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  world.send(10);
  world.esm.start();
  await world.runFor(60_000);
  const [judged] = world.events;
  const counters = world.queue.counters();
  return { result: judged?.result, returned: counters.received - 10, deleted: counters.deleted };
}

/**
 * Lambda guide, "Handling errors for an SQS event source in Lambda" (services-sqs-errorhandling),
 * "Implementing partial batch responses" and its success and failure conditions.
 */
describe("conformance: partial batch responses (ReportBatchItemFailures)", () => {
  it.each([
    ["an empty batchItemFailures list", () => ({ batchItemFailures: [] })],
    ["a null batchItemFailures list", () => ({ batchItemFailures: null })],
    ["an empty EventResponse", () => ({})],
    ["a null EventResponse", () => null],
  ])("services-sqs-errorhandling: Lambda treats a batch as a complete success for %s", async (_, respond) => {
    // Prepare + Act
    const outcome = await firstResponse(respond);
    // Assess
    expect(outcome).toEqual({ result: "succeeded", returned: 0, deleted: 10 });
  });

  it.each([
    ["an invalid JSON response", () => "{ not json"],
    ["an empty string itemIdentifier", () => ({ batchItemFailures: [{ itemIdentifier: "" }] })],
    ["a null itemIdentifier", () => ({ batchItemFailures: [{ itemIdentifier: null }] })],
    [
      "an itemIdentifier with a bad key name",
      (e: SQSEvent) => ({ batchItemFailures: [{ itemId: ids(e)[0] }] }),
    ],
    [
      "an itemIdentifier value with a message ID that doesn't exist",
      () => ({ batchItemFailures: [{ itemIdentifier: "not-a-message-of-this-batch" }] }),
    ],
  ])("services-sqs-errorhandling: Lambda treats a batch as a complete failure for %s", async (_, respond) => {
    // Prepare + Act: a string stands for the raw payload, as the Invoke API would hand it over.
    const outcome = await firstResponse(respond);
    // Assess: every message of the batch comes back after the visibility timeout.
    expect(outcome).toEqual({ result: "invalid-response", returned: 10, deleted: 10 });
  });

  it("services-sqs-errorhandling: if the function throws an exception, the entire batch is a complete failure", async () => {
    // Prepare + Act
    const outcome = await firstResponse(() => new Error("boom"));
    // Assess
    expect(outcome).toEqual({ result: "error", returned: 10, deleted: 10 });
  });

  it("services-sqs-errorhandling: only the messages the function names in batchItemFailures become visible again", async () => {
    // Prepare + Act: the function names 3 of the 10.
    const outcome = await firstResponse((e) => ({
      batchItemFailures: ids(e)
        .slice(0, 3)
        .map((itemIdentifier) => ({ itemIdentifier })),
    }));
    // Assess
    expect(outcome).toEqual({ result: "partial", returned: 3, deleted: 10 });
  });

  it("services-sqs-errorhandling: without ReportBatchItemFailures a returned failure list is ignored and the batch succeeds", async () => {
    // Prepare + Act: "all messages in that batch return to the queue" only on an error.
    const outcome = await firstResponse(
      (e) => ({ batchItemFailures: [{ itemIdentifier: ids(e)[0] }] }),
      false,
    );
    // Assess
    expect(outcome).toEqual({ result: "succeeded", returned: 0, deleted: 10 });
  });

  it("services-sqs-errorhandling: without ReportBatchItemFailures an error returns every message of the batch", async () => {
    // Prepare + Act
    const outcome = await firstResponse(() => new Error("boom"), false);
    // Assess
    expect(outcome).toEqual({ result: "error", returned: 10, deleted: 10 });
  });
});
