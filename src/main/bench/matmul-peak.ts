/**
 * The machine's rough peak on a backend: GFLOP/s of one large square matrix
 * product, the best case for any tensor library. Network lines are reported
 * as a fraction of it.
 */
import * as tf from '@tensorflow/tfjs';
import { summarise, timeRepeated, type TimingSummary } from './timing.js';

export interface MatmulPeak {
  /** Side of the square matrices (n×n times n×n: 2·n³ FLOPs). */
  n: number;
  timing: TimingSummary;
  /** From the fastest repetition: a peak is what the machine can do at best, not on average. */
  gflops: number;
}

export async function measureMatmulPeak(n: number, reps: number): Promise<MatmulPeak> {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  try {
    const { samplesMs } = await timeRepeated(
      async () => {
        const product = tf.matMul(a, b);
        try {
          await product.data();
        } finally {
          product.dispose();
        }
      },
      { warmup: 1, reps, minReps: Math.min(reps, 3), budgetMs: 20_000 },
    );
    const timing = summarise(samplesMs);
    return { n, timing, gflops: round3((2 * n ** 3) / (timing.minMs * 1e6)) };
  } finally {
    a.dispose();
    b.dispose();
  }
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
