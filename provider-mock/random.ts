/**
 * Seeded randomness for the simulator: sfc32 (passes PractRand/BigCrush, 128-bit state) seeded
 * through splitmix32, so every run with the same seed draws the same numbers.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /**
   * An independent stream derived from this stream's seed and `label` only, not from how much has
   * been drawn: adding draws to one component never shifts another component's numbers.
   */
  fork(label: string): Random;
}

const TWO_POW_32 = 2 ** 32;

export function createRandom(seed: number): Random {
  const seed32 = fold32(seed);
  let state = seed32;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  let spareNormal: number | null = null;

  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  };
  // Discard the first outputs: sfc32 mixes its state in over its first few rounds.
  for (let i = 0; i < 12; i++) next();

  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal: () => {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      // Box-Muller: two uniforms give two independent normals; keep the second for the next call.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spareNormal = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
    fork: (label) => createRandom(hashString(label, seed32)),
  };
}

/** A 53-bit non-negative hash of `text` (cyrb53): stable across runs and platforms. */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 2097152 * (h2 >>> 0) + (h1 >>> 0);
}

/** A uniform number in [0, 1) that depends only on `seed` and `text`. */
export function hashToUnit(text: string, seed = 0): number {
  return hashString(text, seed) / 2 ** 53;
}

/** Folds any finite number (including 53-bit integers and negatives) into 32 bits. */
function fold32(seed: number): number {
  const integer = Math.trunc(seed);
  return (integer ^ Math.floor(integer / TWO_POW_32)) | 0;
}
