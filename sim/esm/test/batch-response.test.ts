import { describe, expect, it } from "vitest";
import { parseBatchResponse } from "../batch-response";

const batch = ["id-1", "id-2", "id-3"];

describe("parseBatchResponse with ReportBatchItemFailures", () => {
  it.each([
    ["a null response", null],
    ["an undefined response", undefined],
    ["an empty payload", ""],
    ["a payload of only whitespace", " \n"],
    ['the JSON text "null"', "null"],
    ["an empty object", "{}"],
    ["an empty batchItemFailures list", '{"batchItemFailures":[]}'],
    ["a null batchItemFailures list", '{"batchItemFailures":null}'],
    ["a decoded empty list", { batchItemFailures: [] }],
    ["an object without batchItemFailures", { statusCode: 200 }],
  ])("treats %s as every record succeeded", (_label, payload) => {
    // Prepare: the payload above.
    // Act
    const verdict = parseBatchResponse(payload, batch, true);
    // Assess
    expect(verdict).toEqual({ kind: "all-succeeded" });
  });

  it("fails exactly the records named, in batch order, once each", () => {
    // Prepare
    const payload = JSON.stringify({
      batchItemFailures: [{ itemIdentifier: "id-3" }, { itemIdentifier: "id-1" }, { itemIdentifier: "id-3" }],
    });
    // Act
    const verdict = parseBatchResponse(payload, batch, true);
    // Assess
    expect(verdict).toEqual({ kind: "partial", failedMessageIds: ["id-1", "id-3"] });
  });

  it("reads a payload given as bytes, as the Invoke API returns it", () => {
    // Prepare
    const payload = new TextEncoder().encode('{"batchItemFailures":[{"itemIdentifier":"id-2"}]}');
    // Act
    const verdict = parseBatchResponse(payload, batch, true);
    // Assess
    expect(verdict).toEqual({ kind: "partial", failedMessageIds: ["id-2"] });
  });

  it.each([
    ["invalid JSON", '{"batchItemFailures":[', "not valid JSON"],
    ["a JSON string", '"ok"', "not a JSON object"],
    ["a JSON array", "[]", "not a JSON object"],
    ["a JSON number", "42", "not a JSON object"],
    ["batchItemFailures that is not a list", '{"batchItemFailures":{"itemIdentifier":"id-1"}}', "not a list"],
    [
      "an entry that is not an object",
      '{"batchItemFailures":["id-1"]}',
      "batchItemFailures[0] is not an object",
    ],
    ["an empty itemIdentifier", '{"batchItemFailures":[{"itemIdentifier":""}]}', "itemIdentifier is empty"],
    ["a null itemIdentifier", '{"batchItemFailures":[{"itemIdentifier":null}]}', "itemIdentifier is null"],
    [
      "a wrong key",
      '{"batchItemFailures":[{"itemIdentifier":"id-1"},{"itemIdentifer":"id-2"}]}',
      "batchItemFailures[1] has no itemIdentifier (keys: itemIdentifer)",
    ],
    ["a numeric itemIdentifier", '{"batchItemFailures":[{"itemIdentifier":7}]}', "not a string"],
    [
      "an id not in the batch",
      '{"batchItemFailures":[{"itemIdentifier":"id-9"}]}',
      '"id-9" is not in this batch',
    ],
  ])("fails the whole batch for %s", (_label, payload, reason) => {
    // Prepare: the payload above.
    // Act
    const verdict = parseBatchResponse(payload, batch, true);
    // Assess
    expect(verdict).toEqual({ kind: "invalid-response", reason: expect.stringContaining(reason) });
  });
});

describe("parseBatchResponse's reasons", () => {
  it.each([
    ["a null entry", { batchItemFailures: [null] }, "batchItemFailures[0] is not an object (got null)"],
    [
      "a list entry",
      { batchItemFailures: [["id-1"]] },
      'batchItemFailures[0] is not an object (got ["id-1"])',
    ],
    [
      "an entry without keys",
      { batchItemFailures: [{}] },
      "batchItemFailures[0] has no itemIdentifier (keys: none)",
    ],
    [
      "an entry with two wrong keys",
      { batchItemFailures: [{ id: "id-1", messageId: "id-1" }] },
      "batchItemFailures[0] has no itemIdentifier (keys: id, messageId)",
    ],
    ["a boolean response", true, "the response is not a JSON object (got true)"],
    ["a string list", { batchItemFailures: "id-1" }, 'batchItemFailures is not a list (got "id-1")'],
    [
      "a numeric itemIdentifier",
      { batchItemFailures: [{ itemIdentifier: 7 }] },
      "batchItemFailures[0].itemIdentifier is not a string (got 7)",
    ],
    [
      "an id of another batch",
      { batchItemFailures: [{ itemIdentifier: "id-1" }, { itemIdentifier: "id-9" }] },
      'batchItemFailures[1].itemIdentifier "id-9" is not in this batch',
    ],
    [
      "a long response, shown cut to 60 characters",
      { batchItemFailures: "x".repeat(100) },
      `batchItemFailures is not a list (got "${"x".repeat(56)}...)`,
    ],
    [
      "a response of exactly 60 characters, shown whole",
      { batchItemFailures: "x".repeat(58) },
      `batchItemFailures is not a list (got "${"x".repeat(58)}")`,
    ],
  ])("says exactly what is wrong with %s", (_label, payload, reason) => {
    // Prepare: the payload above, as a model hands it over (decoded).
    // Act
    const verdict = parseBatchResponse(payload, batch, true);
    // Assess
    expect(verdict).toEqual({ kind: "invalid-response", reason });
  });

  it("quotes the JSON parser's complaint", () => {
    // Prepare / Act
    const verdict = parseBatchResponse("{", batch, true);
    // Assess
    expect(verdict).toEqual({
      kind: "invalid-response",
      reason: expect.stringMatching(/^the response is not valid JSON \(.+\)$/),
    });
  });
});

describe("parseBatchResponse without ReportBatchItemFailures", () => {
  it.each([
    ["a list of failures", '{"batchItemFailures":[{"itemIdentifier":"id-1"}]}'],
    ["invalid JSON", "{"],
    ["an unknown id", '{"batchItemFailures":[{"itemIdentifier":"id-9"}]}'],
  ])("treats any returned response as every record succeeded: %s", (_label, payload) => {
    // Prepare: the payload above.
    // Act
    const verdict = parseBatchResponse(payload, batch, false);
    // Assess
    expect(verdict).toEqual({ kind: "all-succeeded" });
  });
});
