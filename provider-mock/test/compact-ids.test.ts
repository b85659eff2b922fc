import { describe, expect, it } from "vitest";
import { idempotencyKey, recipientRef } from "../../handler/carrier/carrier-api";
import { idOf, logIdOf, packIdempotencyKey, packRecipientRef } from "../handler-ids";
import { createIdSet } from "../id-set";
import { createRandom } from "../random";

describe("handler ids", () => {
  it("packs the handler's refs and keys so that they unpack to the same ids", () => {
    // Prepare
    const pairs = [
      [1, 0],
      [42, 7],
      [2 ** 21 - 1, 2 ** 31 - 1],
    ] as const;

    // Act
    const refs = pairs.map(([logId, userId]) => packRecipientRef(recipientRef(logId, userId)));
    const keys = pairs.map(([logId, chunkId]) => packIdempotencyKey(idempotencyKey(logId, chunkId)));

    // Assess
    expect(refs.map((p) => [logIdOf(p), idOf(p)])).toEqual(pairs);
    expect(keys.map((p) => [logIdOf(p), idOf(p)])).toEqual(pairs);
  });

  it("refuses anything that would not map back to exactly one string", () => {
    // Prepare
    const refs = ["01:2", "1:02", "1:", ":2", "1:2:3", "a:1", "1:2x", `${2 ** 21}:1`, `1:${2 ** 31}`, "1:-2"];
    const keys = ["log-1-chunk-", "log-01-chunk-1", "LOG-1-chunk-1", "log-1-part-1", "log-1-chunk-1 "];

    // Act
    const packed = [...refs.map(packRecipientRef), ...keys.map(packIdempotencyKey)];

    // Assess
    expect(packed.every((p) => p === -1)).toBe(true);
  });
});

describe("createIdSet", () => {
  it("agrees with a Set on dense, sparse and repeated ids across its resizes", () => {
    // Prepare: a dense run, sparse ids over 32 bits, packed refs differing only above bit 32, repeats
    const random = createRandom(1);
    const dense = Array.from({ length: 10_000 }, () => random.int(0, 9_999));
    const sparse = Array.from({ length: 5000 }, () => random.int(0, 2 ** 32 - 1));
    const packed = Array.from({ length: 5000 }, (_, i) => packRecipientRef(recipientRef(i + 1, 7)));
    const ids = [...dense, ...sparse, ...packed, 2 ** 53 - 1, 0, ...dense.slice(0, 100)];
    const set = createIdSet();
    const reference = new Set<number>();

    // Act
    const added = ids.map((id) => set.add(id));
    const addedAgain = ids.map((id) => set.add(id));

    // Assess
    expect(added).toEqual(ids.map((id) => reference.size !== reference.add(id).size));
    expect(added.filter(Boolean)).toHaveLength(reference.size);
    expect(addedAgain.some(Boolean)).toBe(false);
  });
});
