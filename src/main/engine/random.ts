/**
 * Seeded randomness for everything that must be reproducible.
 *
 * Resuming a training run must give the same losses as never having stopped,
 * so no step may draw from a global random state: every random choice is a
 * function of (run seed, step, purpose). `seedFor` derives such a seed and
 * `SeededRandom` turns it into numbers.
 */

/** A 32-bit avalanche mix (the finaliser of MurmurHash3), so nearby inputs give unrelated outputs. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashText(text: string): number {
  // FNV-1a: labels such as 'dropout' or a layer name become part of a seed.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A seed (unsigned 32-bit integer) derived from a run seed and any number of
 * parts, e.g. `seedFor(seed, step, 'dropout')`. Different parts give
 * independent-looking seeds; the same parts always give the same seed.
 */
export function seedFor(seed: number, ...parts: (number | string)[]): number {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  let h = mix32(Math.trunc(seed) ^ 0x9e3779b9);
  for (const part of parts) {
    const value = typeof part === 'string' ? hashText(part) : Math.trunc(part);
    // Fold in the high bits too, so steps beyond 2^32 still differ.
    h = mix32(h ^ mix32(value) ^ mix32(Math.floor(value / 4294967296) + 0x632be5ab));
  }
  return h;
}

/** A small, fast seeded generator (mulberry32). Not for cryptography. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seedFor(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive <= 0) {
      throw new Error(`int() needs a positive integer bound, got ${maxExclusive}`);
    }
    return Math.floor(this.next() * maxExclusive);
  }

  /** A standard normal sample (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1], so log() is finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = items.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy;
  }
}
