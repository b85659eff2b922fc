import { idOf, logIdOf, packIdempotencyKey } from "./handler-ids";

/** What the carrier remembers of a processed request, enough to replay its response exactly. */
export interface RememberedRequest {
  requestSeq: number;
  /** Hash of the request, to refuse a key reused for a different one. */
  fingerprint: number;
  /** Per-recipient outcome codes, packed 2 bits each into a number for up to 15 recipients. */
  outcomes: number | Uint8Array;
}

/**
 * Idempotency keys to remembered requests, forgotten after their TTL, so memory is bounded by the
 * requests of one TTL. Entries live in columns of typed arrays in insertion order (a million of
 * them cost no garbage-collector work), indexed by campaign and chunk for the handler's keys (a
 * million-entry string Map costs microseconds a lookup) and by a Map for any other key.
 */
export interface IdempotencyCache {
  /**
   * The remembered request for `key`, unless it has expired by `nowMs`. `packedKey` is
   * `packIdempotencyKey(key)`, for callers that have already computed it.
   */
  get(key: string, nowMs: number, packedKey?: number): RememberedRequest | undefined;
  set(key: string, request: RememberedRequest, expiresAt: number, nowMs: number, packedKey?: number): void;
}

interface ChunkIndex {
  /** chunkId -> entry number */
  entries: (number | undefined)[];
  live: number;
}

export function createIdempotencyCache(): IdempotencyCache {
  const byChunk = new Map<number, ChunkIndex>();
  const byKey = new Map<string, number>();
  const stringKeys = new Map<number, string>();
  const longOutcomes = new Map<number, Uint8Array>();
  // Entry number n lives at column position n - base; entries [head, tail) are in the cache.
  let capacity = 1024;
  let expiresAt = new Float64Array(capacity);
  let requestSeqs = new Float64Array(capacity);
  let fingerprints = new Int32Array(capacity);
  let packedOutcomes = new Float64Array(capacity);
  let packedKeys = new Float64Array(capacity);
  let base = 0;
  let head = 0;
  let tail = 0;

  const find = (key: string, packedKey: number): number => {
    const entry = packedKey < 0 ? byKey.get(key) : byChunk.get(logIdOf(packedKey))?.entries[idOf(packedKey)];
    return entry === undefined || entry < head ? -1 : entry;
  };

  /** Takes `entry` out of the index, unless its key has since been given to a newer entry. */
  const unindex = (entry: number): void => {
    longOutcomes.delete(entry);
    const packedKey = packedKeys[entry - base] as number;
    if (packedKey < 0) {
      const key = stringKeys.get(entry) as string;
      stringKeys.delete(entry);
      if (byKey.get(key) !== entry) return;
      byKey.delete(key);
    } else {
      const logId = logIdOf(packedKey);
      const chunks = byChunk.get(logId) as ChunkIndex;
      if (chunks.entries[idOf(packedKey)] !== entry) return;
      chunks.entries[idOf(packedKey)] = undefined;
      if (--chunks.live === 0) byChunk.delete(logId);
    }
  };

  const sweep = (now: number): void => {
    // Insertion order is expiry order unless the TTL shrank; get() checks every entry anyway.
    while (head < tail && (expiresAt[head - base] as number) <= now) unindex(head++);
  };

  const makeRoom = (): void => {
    if (tail - base < capacity) return;
    const live = tail - head;
    if (live * 2 > capacity) capacity *= 2;
    const move = <T extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer>>(column: T, fresh: T): T => {
      fresh.set(column.subarray(head - base, tail - base));
      return fresh;
    };
    expiresAt = move(expiresAt, new Float64Array(capacity));
    requestSeqs = move(requestSeqs, new Float64Array(capacity));
    fingerprints = move(fingerprints, new Int32Array(capacity));
    packedOutcomes = move(packedOutcomes, new Float64Array(capacity));
    packedKeys = move(packedKeys, new Float64Array(capacity));
    base = head;
  };

  return {
    get(key, now, packedKey = packIdempotencyKey(key)) {
      sweep(now);
      const entry = find(key, packedKey);
      if (entry < 0 || (expiresAt[entry - base] as number) <= now) return undefined;
      const at = entry - base;
      return {
        requestSeq: requestSeqs[at] as number,
        fingerprint: fingerprints[at] as number,
        outcomes: longOutcomes.get(entry) ?? (packedOutcomes[at] as number),
      };
    },
    set(key, request, expiry, now, packedKey = packIdempotencyKey(key)) {
      sweep(now);
      makeRoom();
      const entry = tail++;
      const at = entry - base;
      expiresAt[at] = expiry;
      requestSeqs[at] = request.requestSeq;
      fingerprints[at] = request.fingerprint;
      packedKeys[at] = packedKey;
      if (typeof request.outcomes === "number") packedOutcomes[at] = request.outcomes;
      else longOutcomes.set(entry, request.outcomes);
      if (packedKey < 0) {
        byKey.set(key, entry);
        stringKeys.set(entry, key);
        return;
      }
      const logId = logIdOf(packedKey);
      let chunks = byChunk.get(logId);
      if (chunks === undefined) {
        chunks = { entries: [], live: 0 };
        byChunk.set(logId, chunks);
      }
      if (chunks.entries[idOf(packedKey)] === undefined) chunks.live++;
      chunks.entries[idOf(packedKey)] = entry;
    },
  };
}
