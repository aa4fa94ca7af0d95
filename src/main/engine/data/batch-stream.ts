/** What every dataset offers the trainer. */
export interface BatchSource<B> {
  /**
   * The batch of training step `step`: a pure function of (seed, step, batchSize).
   * The caller owns the returned tensors and must dispose them.
   */
  batchAt(step: number, batchSize: number): Promise<B>;
  /**
   * Batches from `fromStep` on, decoding at most `prefetch` batches ahead of the
   * one the caller holds. Breaking out of the loop stops decoding and disposes
   * the batches prepared but not handed out; the caller disposes what it got.
   */
  batches(fromStep: number, batchSize: number, options?: { prefetch?: number }): AsyncGenerator<B, void, undefined>;
}

export function checkStepAndBatch(step: number, batchSize: number): void {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be a whole number ≥ 0, got ${step}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
  }
}

export async function* prefetchBatches<B>(
  batchAt: (step: number) => Promise<B>,
  fromStep: number,
  prefetch: number,
  dispose: (batch: B) => void,
): AsyncGenerator<B, void, undefined> {
  if (!Number.isInteger(prefetch) || prefetch < 0) throw new RangeError(`prefetch must be a whole number ≥ 0`);
  const queue: Promise<B>[] = [];
  let next = fromStep;
  try {
    for (;;) {
      // The one to hand out now plus `prefetch` more; the previous batch is already the caller's.
      while (queue.length < prefetch + 1) {
        const pending = batchAt(next++);
        pending.catch(() => undefined); // awaited in order below; this only stops an early "unhandled" report
        queue.push(pending);
      }
      yield await queue.shift()!;
    }
  } finally {
    const unclaimed = await Promise.allSettled(queue.splice(0));
    for (const result of unclaimed) if (result.status === 'fulfilled') dispose(result.value);
  }
}
