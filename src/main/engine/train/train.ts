/**
 * The training loop every GAN family shares. It never looks at which family
 * it runs: it asks the data for batch `step`, sets each optimizer's learning
 * rate, calls `trainStep`, and around that keeps the loss history, sample
 * grids, checkpoints, progress with ETA, pause and cancel.
 *
 * Reproducibility: batches come from `data.batchAt(step, …)` and families draw
 * per-step randomness from (seed, step), so a run resumed from a checkpoint
 * continues with the same losses as one that never stopped.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { FamilyConfig, FamilyDescriptor, FamilyModule, GanModel } from '../gans/family.js';
import { hasCheckpoint, loadCheckpoint, readCheckpoint, saveCheckpoint } from './checkpoint/index.js';
import { learningRatesAt, setLearningRate } from './learning-rate.js';
import { LossLog, truncateLossHistory } from './loss-history.js';
import { sampleGrid, writeRgbPng } from './sample-grid.js';
import { takeOwnership } from '../owner-lock.js';

/** Where batches come from; the caller owns it (the trainer only disposes the batches it gets). */
export interface TrainingData<B> {
  /** The batch for `step`; the same (step, batchSize) must always give the same batch. The trainer disposes it. */
  batchAt(step: number, batchSize: number): Promise<B> | B;
  /** Fixed examples for the sample grids (e.g. held-out pairs); defaults to `batchAt(0, sampleRows)`. */
  sampleBatch?(rows: number): Promise<B> | B;
}

export interface TrainProgress {
  /** Completed steps. */
  step: number;
  totalSteps: number;
  losses: Record<string, number>;
  /** Learning rate per optimizer used for this step. */
  lr: Record<string, number>;
  stepsPerSecond: number;
  etaSeconds: number;
  /** Training time of this run so far, without pauses. */
  elapsedSeconds: number;
}

export interface TrainOptions<C extends FamilyConfig, B> {
  family: FamilyDescriptor<C>;
  /** The family's model module; loaded from the descriptor when not given. */
  module?: FamilyModule<C, B>;
  /**
   * Settings, parsed (`parseFamilyConfig`, or `resolveRunConfig` which also
   * checks a resumed run's architecture against its checkpoint).
   */
  config: C;
  data: TrainingData<B>;
  /** The run directory: checkpoint/, samples/, losses.jsonl. */
  outDir: string;
  /** Continue from the run directory's checkpoint (a fresh start if it has none). */
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?(progress: TrainProgress): void;
  onSample?(file: string, step: number): void;
  onCheckpoint?(dir: string, step: number): void;
  /** Polled between steps; while it says true the run waits (after saving a checkpoint). */
  isPaused?(): boolean | Promise<boolean>;
  /** Examples per sample grid (rows); default 4. */
  sampleRows?: number;
}

export interface TrainResult {
  status: 'completed' | 'cancelled';
  /** Completed steps, as saved in the final checkpoint. */
  step: number;
  totalSteps: number;
  /** Step the run continued from, when it resumed. */
  resumedFrom?: number;
  /** Set when resuming used the previous checkpoint because the latest was damaged. */
  notice?: string;
  checkpointDir: string;
  samples: string[];
  lastLosses: Record<string, number>;
  elapsedSeconds: number;
}

const PAUSE_POLL_MS = 200;
/** Loss lines are appended in batches; a dashboard reading losses.jsonl lags at most this many steps. */
const LOSS_FLUSH_EVERY = 20;
/** Weight of the newest step in the step-time average behind the ETA. */
const ETA_SMOOTHING = 0.1;

export const sampleFileName = (step: number) => `step-${String(step).padStart(6, '0')}.png`;

function describeNonFinite(losses: Record<string, number>): string | null {
  const bad = Object.entries(losses).filter(([, value]) => !Number.isFinite(value));
  return bad.length ? bad.map(([name, value]) => `${name} = ${value}`).join(', ') : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One trainer per run folder (see owner-lock.ts): a second one, in this
 * process or another (the CLI beside a studio job), is refused with a
 * message naming the holder, before it reads or writes anything in the run.
 */
export async function train<C extends FamilyConfig, B>(options: TrainOptions<C, B>): Promise<TrainResult> {
  await fs.mkdir(options.outDir, { recursive: true });
  const lock = takeOwnership(options.outDir, {
    purpose: `training ${options.family.title}`,
    what: 'The run folder',
    advice: 'Two trainers on one run would overwrite each other\'s checkpoints: wait for it to finish or stop it, or train into another folder.',
  });
  try {
    return await trainRun(options);
  } finally {
    lock.release();
  }
}

async function trainRun<C extends FamilyConfig, B>(options: TrainOptions<C, B>): Promise<TrainResult> {
  const { family, data, outDir, signal, config } = options;
  const module = options.module ?? ((await family.loadModel()) as FamilyModule<C, B>);
  const sampleRows = options.sampleRows ?? 4;
  await fs.mkdir(outDir, { recursive: true });

  let model: GanModel<C, B>;
  let startStep = 0;
  let notice: string | undefined;
  let resumed = false;
  if (await hasCheckpoint(outDir)) {
    if (!options.resume) {
      const step = await readCheckpoint(outDir).then(
        (stored) => ` (checkpoint at step ${stored.manifest.step})`,
        () => '',
      );
      throw new Error(`${outDir} already holds a training run${step}. Resume it, or choose an empty folder.`);
    }
    // A damaged checkpoint fails here rather than being silently replaced by a fresh run.
    const loaded = await loadCheckpoint<C>(outDir, { family, module: module as FamilyModule<C>, config });
    model = loaded.model as GanModel<C, B>;
    startStep = loaded.step;
    notice = loaded.notice;
    resumed = true;
  } else {
    model = module.build(config);
  }

  const samplesDir = path.join(outDir, 'samples');
  const samples: string[] = [];
  const lossLog = new LossLog(outDir);
  const optimizerNames = Object.keys(model.optimizers);
  let sampleBatch: B | undefined;
  let lastSavedStep = resumed ? startStep : -1;
  let step = startStep;
  let lastLosses: Record<string, number> = {};
  let elapsedSeconds = 0;
  let averageStepSeconds: number | undefined;
  let status: TrainResult['status'] = 'completed';

  const checkpoint = async () => {
    await lossLog.flush();
    if (lastSavedStep === step) return;
    const dir = await saveCheckpoint(outDir, model, { family: family.id, step });
    lastSavedStep = step;
    options.onCheckpoint?.(dir, step);
  };

  const writeSamples = async () => {
    if (sampleBatch === undefined) return;
    const visuals = model.samples(sampleBatch);
    let image;
    try {
      image = await sampleGrid(visuals, model.visualNames);
    } finally {
      tf.dispose(visuals);
    }
    await fs.mkdir(samplesDir, { recursive: true });
    const file = path.join(samplesDir, sampleFileName(step));
    await writeRgbPng(file, image);
    samples.push(file);
    options.onSample?.(file, step);
  };

  try {
    await truncateLossHistory(outDir, startStep);
    // Fetched up front so memory stays flat across steps and bad data shows at once.
    sampleBatch = await (data.sampleBatch ? data.sampleBatch(sampleRows) : data.batchAt(0, sampleRows));
    while (step < config.steps) {
      if (signal?.aborted) {
        status = 'cancelled';
        break;
      }
      if (options.isPaused && (await options.isPaused())) {
        await checkpoint();
        while ((await options.isPaused()) && !signal?.aborted) await sleep(PAUSE_POLL_MS);
        continue;
      }

      const started = performance.now();
      const lr = learningRatesAt(step, config, optimizerNames);
      for (const name of optimizerNames) setLearningRate(model.optimizers[name] as tf.Optimizer, lr[name] as number);
      const batch = await data.batchAt(step, config.batchSize);
      let losses: Record<string, number>;
      try {
        losses = await model.trainStep(batch, { step, seed: config.seed });
      } finally {
        tf.dispose(batch as tf.TensorContainer);
      }
      const nonFinite = describeNonFinite(losses);
      if (nonFinite !== null) {
        throw new Error(
          `Training diverged at step ${step + 1} (${nonFinite}). The last checkpoint is kept; try a lower learning rate.`,
        );
      }
      lossLog.add({ step, losses, lr });
      lastLosses = losses;
      step += 1;

      if (step % config.sampleEvery === 0 || step === config.steps) await writeSamples();
      if (step % config.checkpointEvery === 0 || step === config.steps) await checkpoint();
      else if (step % LOSS_FLUSH_EVERY === 0) await lossLog.flush();

      const seconds = (performance.now() - started) / 1000;
      elapsedSeconds += seconds;
      averageStepSeconds = averageStepSeconds === undefined ? seconds : averageStepSeconds + ETA_SMOOTHING * (seconds - averageStepSeconds);
      options.onProgress?.({
        step,
        totalSteps: config.steps,
        losses,
        lr,
        stepsPerSecond: averageStepSeconds > 0 ? 1 / averageStepSeconds : 0,
        etaSeconds: averageStepSeconds * (config.steps - step),
        elapsedSeconds,
      });
    }
    await checkpoint();
  } finally {
    await lossLog.flush().catch(() => {});
    if (sampleBatch !== undefined) tf.dispose(sampleBatch as tf.TensorContainer);
    model.dispose();
  }

  return {
    status,
    step,
    totalSteps: config.steps,
    ...(resumed ? { resumedFrom: startStep } : {}),
    ...(notice !== undefined ? { notice } : {}),
    checkpointDir: path.join(outDir, 'checkpoint'),
    samples,
    lastLosses,
    elapsedSeconds,
  };
}
