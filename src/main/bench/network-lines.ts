/**
 * One line of the bench per (backend, network, size, batch): median ms per
 * forward pass and per training step, achieved GFLOP/s, and tensors leaked.
 */
import * as tf from '@tensorflow/tfjs';
import type { BenchSubject, PreparedSubject } from './subjects.js';
import { round3 } from './matmul-peak.js';
import { summarise, timeRepeated, type RepeatOptions, type TimingSummary } from './timing.js';

export interface MeasuredPass extends TimingSummary {
  flops: number;
  /** FLOPs / median time. */
  gflops: number;
  /** gflops / the backend's matmul peak. */
  fractionOfPeak: number;
  /** numTensors after the repetitions minus before, per repetition (should be 0). */
  tensorsLeakedPerRep: number;
}

export interface NetworkLine {
  backend: string;
  network: string;
  size: number;
  batch: number;
  params?: number;
  forward?: MeasuredPass | { skipped: string };
  trainingStep?: MeasuredPass | { skipped: string };
  /** The whole line is skipped: why. */
  skipped?: string;
}

export interface LinePlan {
  backend: string;
  subject: BenchSubject;
  size: number;
  batch: number;
  /** Time only the forward pass (a training step would take too long here). */
  forwardOnly?: string;
}

async function measurePass(run: () => Promise<void>, flops: number, peakGflops: number, repeat: RepeatOptions): Promise<MeasuredPass> {
  // Warm-up outside the leak count: Adam creates its moment variables on the first step.
  await timeRepeated(run, { ...repeat, reps: 0, minReps: 0 });
  const before = tf.memory().numTensors;
  const measured = await timeRepeated(run, { ...repeat, warmup: 0 });
  const leaked = tf.memory().numTensors - before;
  const timing = summarise(measured.samplesMs);
  const gflops = flops > 0 ? round3(flops / (timing.medianMs * 1e6)) : 0;
  return {
    ...timing,
    flops,
    gflops,
    fractionOfPeak: peakGflops > 0 ? round3(gflops / peakGflops) : 0,
    tensorsLeakedPerRep: leaked / measured.samplesMs.length,
  };
}

/** Passes above this many GFLOP are not timed: on a CPU they take minutes per repetition. */
function tooBig(flops: number, maxGflop: number): string | null {
  const gflop = flops / 1e9;
  return gflop > maxGflop
    ? `${gflop.toFixed(1)} GFLOP per pass is above the bench's limit of ${maxGflop} (minutes per repetition on a CPU); raise --max-gflop to include it`
    : null;
}

export async function measureLine(plan: LinePlan, peakGflops: number, repeat: RepeatOptions, maxGflop: number): Promise<NetworkLine> {
  const { backend, subject, size, batch } = plan;
  const line: NetworkLine = { backend, network: subject.id, size, batch };
  const reason = subject.unsupported?.(size) ?? null;
  if (reason) return { ...line, skipped: reason };
  let prepared: PreparedSubject | null = null;
  try {
    prepared = await subject.prepare(size, batch);
    line.params = prepared.params;
    if (prepared.forward) {
      const big = tooBig(prepared.flops.forward, maxGflop);
      line.forward = big ? { skipped: big } : await measurePass(prepared.forward, prepared.flops.forward, peakGflops, repeat);
    }
    const big = plan.forwardOnly ?? tooBig(prepared.flops.trainingStep, maxGflop);
    line.trainingStep = big ? { skipped: big } : await measurePass(prepared.trainingStep, prepared.flops.trainingStep, peakGflops, repeat);
    return line;
  } catch (error) {
    return { ...line, skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    prepared?.dispose();
  }
}
