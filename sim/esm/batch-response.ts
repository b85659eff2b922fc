/** What the event source mapping makes of a function's response to one batch. */
export type BatchVerdict =
  | { kind: "all-succeeded" }
  /** ReportBatchItemFailures named these records (in batch order); the rest succeeded. */
  | { kind: "partial"; failedMessageIds: string[] }
  /** The response broke AWS's rules: every record of the batch failed. */
  | { kind: "invalid-response"; reason: string };

/**
 * Reads a function's response by AWS's rules (Lambda guide, services-sqs-errorhandling).
 *
 * Without ReportBatchItemFailures any response means the whole batch succeeded. With it:
 * - an empty or null response, or an empty or null `batchItemFailures`, means all succeeded;
 * - invalid JSON, a `batchItemFailures` entry with a null, empty or missing `itemIdentifier`
 *   (a wrong key), or an `itemIdentifier` that is not a message of this batch means the whole
 *   batch failed.
 *
 * `payload` is the response as Lambda hands it over: JSON text (a string or bytes, as from the
 * Invoke API and the in-process function), or an already-decoded value from a model.
 */
export function parseBatchResponse(
  payload: unknown,
  messageIds: readonly string[],
  reportBatchItemFailures: boolean,
): BatchVerdict {
  if (!reportBatchItemFailures) return { kind: "all-succeeded" };
  const decoded = decode(payload);
  if ("invalid" in decoded) return { kind: "invalid-response", reason: decoded.invalid };
  const response = decoded.value;
  if (response === null || response === undefined) return { kind: "all-succeeded" };
  if (typeof response !== "object" || Array.isArray(response)) {
    return invalid(`the response is not a JSON object (got ${preview(response)})`);
  }
  const list = (response as Record<string, unknown>).batchItemFailures;
  if (list === null || list === undefined) return { kind: "all-succeeded" };
  if (!Array.isArray(list)) return invalid(`batchItemFailures is not a list (got ${preview(list)})`);
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const [i, item] of list.entries()) {
    const where = `batchItemFailures[${i}]`;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      return invalid(`${where} is not an object (got ${preview(item)})`);
    }
    if (!Object.hasOwn(item, "itemIdentifier")) {
      return invalid(`${where} has no itemIdentifier (keys: ${Object.keys(item).join(", ") || "none"})`);
    }
    const id: unknown = (item as Record<string, unknown>).itemIdentifier;
    if (id === null || id === "")
      return invalid(`${where}.itemIdentifier is ${id === null ? "null" : "empty"}`);
    if (typeof id !== "string")
      return invalid(`${where}.itemIdentifier is not a string (got ${preview(id)})`);
    if (!inBatch.has(id))
      return invalid(`${where}.itemIdentifier ${JSON.stringify(id)} is not in this batch`);
    failed.add(id);
  }
  if (failed.size === 0) return { kind: "all-succeeded" };
  return { kind: "partial", failedMessageIds: messageIds.filter((id) => failed.has(id)) };
}

function decode(payload: unknown): { value: unknown } | { invalid: string } {
  if (typeof payload !== "string" && !(payload instanceof Uint8Array)) return { value: payload };
  const text = typeof payload === "string" ? payload : new TextDecoder().decode(payload);
  // A function that returns nothing at all gives Lambda an empty payload.
  if (text.trim() === "") return { value: null };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { invalid: `the response is not valid JSON (${(error as Error).message})` };
  }
}

function invalid(reason: string): BatchVerdict {
  return { kind: "invalid-response", reason };
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
