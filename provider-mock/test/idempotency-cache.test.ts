import { describe, expect, it } from "vitest";
import { idempotencyKey } from "../../handler/carrier/carrier-api";
import { createIdempotencyCache, type RememberedRequest } from "../idempotency-cache";

function remembered(requestSeq: number): RememberedRequest {
  return {
    requestSeq,
    fingerprint: requestSeq * 31,
    outcomes: requestSeq % 2 === 0 ? requestSeq % 1024 : Uint8Array.of(requestSeq % 3, 1, 2),
  };
}

/** Handler-made keys and free-form ones, alternating. */
function keyOf(n: number): string {
  return n % 2 === 0 ? idempotencyKey(1 + (n % 5), n) : `free-form-${n}`;
}

describe("createIdempotencyCache", () => {
  it("remembers each key for its TTL across growth and compaction, then forgets it", () => {
    // Prepare: one key a ms, each kept 1,500 ms, so old entries expire while new ones pile up
    const cache = createIdempotencyCache();
    const ttlMs = 1500;

    // Act
    for (let n = 0; n < 5000; n++) cache.set(keyOf(n), remembered(n), n + ttlMs, n);
    const now = 5000;
    const lookups = [3499, 3500, 3501, 3502, 4999].map((n) => cache.get(keyOf(n), now));

    // Assess: entries set at n expire at n + 1,500
    expect(lookups).toEqual([undefined, undefined, remembered(3501), remembered(3502), remembered(4999)]);
  });

  it("keeps the newest request for a key set twice, even after the first one's expiry", () => {
    // Prepare
    const cache = createIdempotencyCache();
    const key = idempotencyKey(3, 9);
    cache.set(key, remembered(1), 100, 0);
    cache.set(key, remembered(2), 1000, 50);

    // Act
    const afterFirstExpiry = cache.get(key, 500);
    const afterSecondExpiry = cache.get(key, 1000);

    // Assess
    expect(afterFirstExpiry).toEqual(remembered(2));
    expect(afterSecondExpiry).toBeUndefined();
  });
});
