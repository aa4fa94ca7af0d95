/**
 * The `train` job: trains a GAN family on a folder in the job worker, with
 * progress (losses, ETA), pause, cancel (the trainer checkpoints, then stops)
 * and retry (a resumed job continues from the run's checkpoint).
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { initBackend } from '../../backend/index.js';
import { getFamily } from '../../gans/registry.js';
import { runTraining } from '../../train/run.js';
import { defineJobKind, type JobContext } from '../job-kind.js';
import { sampleNotice } from './sample-notice.js';

const AbsolutePath = z.string().min(1).refine(isAbsolute, 'must be an absolute path');

export const TrainJobParams = z
  .object({
    family: z.string().min(1),
    dataDir: AbsolutePath,
    runDir: AbsolutePath,
    resume: z.boolean().default(false),
    /** Settings the user chose; the rest comes from the checkpoint (resume) or the family's defaults. */
    config: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type TrainJobParams = z.input<typeof TrainJobParams>;

export interface TrainJobResult {
  runDir: string;
  step: number;
  status: 'completed' | 'cancelled';
  lastLosses: Record<string, number>;
  resumedFrom?: number;
}

/**
 * The trainer asks "paused?" between steps and, when it is, checkpoints and
 * asks again every 200 ms. `ctx.waitIfPaused()` answers by waiting, so it runs
 * in the background here: unsettled after one event-loop turn means paused.
 * A cancel settles it too; the trainer then sees the aborted signal and
 * checkpoints before it stops.
 */
function pauseProbe(ctx: JobContext): () => Promise<boolean> {
  let waiting: Promise<void> | null = null;
  return async () => {
    waiting ??= ctx.waitIfPaused().then(
      () => {
        waiting = null;
      },
      () => {
        waiting = null;
      },
    );
    const current = waiting;
    const settled = await Promise.race([
      current.then(() => true),
      // waitIfPaused yields one macrotask turn before it looks at the flag; give it that turn and one more.
      new Promise<false>((resolve) => setImmediate(() => setImmediate(() => resolve(false)))),
    ]);
    return !settled;
  };
}

export const trainJob = defineJobKind({
  kind: 'train',
  params: TrainJobParams,
  async run(params, ctx): Promise<TrainJobResult> {
    await initBackend();
    const family = getFamily(params.family);
    // A retried job (attempt 2+) continues from the checkpoint its first attempt left.
    const resume = params.resume || ctx.attempt > 1;
    const result = await runTraining({
      family,
      dataDir: params.dataDir,
      runDir: params.runDir,
      requested: params.config,
      resume,
      signal: ctx.signal,
      isPaused: pauseProbe(ctx),
      onStart: ({ config, resumeFrom, summary }) => {
        ctx.log(`${family.title}: ${summary}; ${resumeFrom === null ? 'new run' : `continuing from step ${resumeFrom}`}`);
        ctx.progress({ done: resumeFrom ?? 0, total: config.steps, unit: 'step' });
      },
      onWarning: (warning) => ctx.log(`warning: ${warning}`),
      onProgress: (progress) => ctx.progress({ done: progress.step, total: progress.totalSteps, unit: 'step', losses: progress.losses }),
      onSample: (file, step) => ctx.log(sampleNotice({ file, step })),
    });
    if (result.notice !== undefined) ctx.log(result.notice);
    return {
      runDir: params.runDir,
      step: result.step,
      status: result.status,
      lastLosses: result.lastLosses,
      ...(result.resumedFrom !== undefined ? { resumedFrom: result.resumedFrom } : {}),
    };
  },
});
