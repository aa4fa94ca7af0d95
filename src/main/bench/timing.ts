/**
 * Repeated timing with warm-up, summarised by order statistics: the median is
 * what a user sees on a shared, noisy machine; p10/p90 show how noisy it was.
 */
import { performance } from 'node:perf_hooks';

export interface TimingSummary {
  /** Repetitions measured after the warm-up. */
  reps: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
}

/** Percentile by linear interpolation between order statistics (numpy's default). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function summarise(samplesMs: readonly number[]): TimingSummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    reps: sorted.length,
    medianMs: round(percentile(sorted, 0.5)),
    p10Ms: round(percentile(sorted, 0.1)),
    p90Ms: round(percentile(sorted, 0.9)),
    minMs: round(sorted[0]!),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

export interface RepeatOptions {
  /** Runs before timing starts (wasm compiles kernels, Adam creates its slots on the first step). */
  warmup: number;
  /** Most repetitions. */
  reps: number;
  /** Fewest repetitions, whatever the budget. */
  minReps: number;
  /** Stop repeating once this much time went into the measured repetitions. */
  budgetMs: number;
}

/**
 * Times `run` after warm-up. Slow subjects get fewer repetitions: as many as
 * fit the budget at the warm-up's pace, never fewer than `minReps`.
 */
export async function timeRepeated(run: () => Promise<void> | void, options: RepeatOptions): Promise<{ samplesMs: number[]; warmupMs: number[] }> {
  const warmupMs: number[] = [];
  for (let i = 0; i < options.warmup; i++) {
    const start = performance.now();
    await run();
    warmupMs.push(performance.now() - start);
  }
  const samplesMs: number[] = [];
  let spent = 0;
  while (samplesMs.length < options.reps && (samplesMs.length < options.minReps || spent < options.budgetMs)) {
    const start = performance.now();
    await run();
    const elapsed = performance.now() - start;
    samplesMs.push(elapsed);
    spent += elapsed;
  }
  return { samplesMs, warmupMs };
}
