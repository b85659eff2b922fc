/**
 * The handler's recipient refs (`<logId>:<userId>`) and idempotency keys
 * (`log-<logId>-chunk-<chunkId>`) packed into one number, logId * 2^32 + id, so the carrier can
 * index millions of them in arrays and compact sets instead of string-keyed maps.
 */
const TWO_POW_32 = 2 ** 32;
/** Keeps logId * 2^32 + id below 2^53. */
const MAX_LOG_ID = 2 ** 21 - 1;
/** Ids stay below 2^31, so `packed | 0` is the id and indexes arrays as a small integer. */
const MAX_ID = 2 ** 31 - 1;
const MAX_DIGITS = 10;
const COLON = 58;
const KEY_PREFIX = "log-";
const KEY_INFIX = "-chunk-";

/** The packed form of a ref made by `recipientRef`, or -1 for any other ref. */
export function packRecipientRef(ref: string): number {
  // One pass over the characters: this runs for every recipient the carrier sees.
  let logId = -1;
  let value = 0;
  let from = 0;
  for (let i = 0; i < ref.length; i++) {
    const code = ref.charCodeAt(i);
    if (code === COLON && logId < 0) {
      if (!isCanonical(ref, from, i) || value > MAX_LOG_ID) return -1;
      logId = value;
      value = 0;
      from = i + 1;
    } else if (code >= 48 && code <= 57) {
      value = value * 10 + (code - 48);
    } else {
      return -1;
    }
  }
  if (logId < 0 || !isCanonical(ref, from, ref.length) || value > MAX_ID) return -1;
  return logId * TWO_POW_32 + value;
}

/** The packed form of a key made by `idempotencyKey`, or -1 for any other key. */
export function packIdempotencyKey(key: string): number {
  if (!key.startsWith(KEY_PREFIX)) return -1;
  const infix = key.indexOf(KEY_INFIX, KEY_PREFIX.length);
  if (infix < 0) return -1;
  const logId = canonicalDecimal(key, KEY_PREFIX.length, infix, MAX_LOG_ID);
  const chunkId = logId < 0 ? -1 : canonicalDecimal(key, infix + KEY_INFIX.length, key.length, MAX_ID);
  return chunkId < 0 ? -1 : logId * TWO_POW_32 + chunkId;
}

export function logIdOf(packed: number): number {
  return Math.floor(packed / TWO_POW_32);
}

/** The userId of a packed ref, or the chunkId of a packed key. */
export function idOf(packed: number): number {
  return packed | 0;
}

/**
 * Digits without a leading zero (so a packed number maps back to exactly one string), short
 * enough that their value is exact.
 */
function isCanonical(text: string, from: number, to: number): boolean {
  return to > from && to - from <= MAX_DIGITS && (text.charCodeAt(from) !== 48 || to - from === 1);
}

/** The value of text[from, to) if it is canonical decimal digits worth at most `max`; otherwise -1. */
function canonicalDecimal(text: string, from: number, to: number, max: number): number {
  if (!isCanonical(text, from, to)) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value <= max ? value : -1;
}
