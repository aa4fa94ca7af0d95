import { Stream, hashInts, seededPermutation } from './seeded-random.js';

/**
 * Which item the g-th sample of a run is: a fresh shuffle every epoch, each
 * shuffle a function of (seed, epoch, which list). Sample g of batch size b at
 * step t is g = t·b + i, so resuming at step t needs nothing but t.
 */
export class EpochOrder {
  private cached: { epoch: number; order: Uint32Array } | undefined;

  constructor(
    readonly count: number,
    private readonly seed: number,
    /** Separates independent lists, e.g. domain A and domain B of an unpaired set. */
    private readonly list = 0,
  ) {
    if (count < 1) throw new RangeError('an order needs at least one item');
  }

  indexAt(sample: number): number {
    const epoch = Math.floor(sample / this.count);
    if (this.cached?.epoch !== epoch) {
      this.cached = { epoch, order: seededPermutation(this.count, hashInts(this.seed, Stream.order, this.list, epoch)) };
    }
    return this.cached.order[sample % this.count]!;
  }
}
