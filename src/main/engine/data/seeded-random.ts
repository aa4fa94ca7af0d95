/**
 * Counter-based randomness: every draw is a hash of (seed, purpose, counters),
 * so the data a training step sees depends only on the seed and the step and a
 * resumed run sees exactly what the first run would have.
 *
 * The integer mix is the "lowbias32" finaliser found by Chris Wellons'
 * hash-prospector (constants 0x21f0aaad, 0x735a2d97); mulberry32 is Tommy
 * Ettinger's public-domain 32-bit generator. Both are re-implemented here.
 */

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** Hashes non-negative integers (up to 2^53) into 32 bits. */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    const high = Math.floor(value / 0x1_0000_0000);
    h = mix32((h ^ (value >>> 0)) + 0x6a09e667);
    h = mix32((h ^ (high >>> 0)) + 0xbb67ae85);
  }
  return h;
}

/** A uniform number in [0, 1) for the given keys. */
export function randomAt(...keys: number[]): number {
  return hashInts(...keys) / 0x1_0000_0000;
}

/** A sequential generator of uniform numbers in [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** A Fisher–Yates shuffle of 0…n-1 driven by mulberry32(seed). */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const next = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const held = order[i]!;
    order[i] = order[j]!;
    order[j] = held;
  }
  return order;
}

/** Distinct purposes, so e.g. the crop and the flip of one sample are independent draws. */
export const Stream = {
  order: 1,
  cropX: 2,
  cropY: 3,
  flip: 4,
  /** Super-resolution degradations (sr-degradation.ts): whether, and how much. */
  blurPick: 5,
  blurSigma: 6,
  jpegPick: 7,
  jpegQuality: 8,
} as const;
