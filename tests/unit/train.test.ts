import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig, type FamilyModule, type GanModel } from '../../src/main/engine/gans/family.js';
import { loadCheckpoint, readCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';
import { readLossHistory } from '../../src/main/engine/train/loss-history.js';
import { train, type TrainProgress } from '../../src/main/engine/train/train.js';
import {
  emojiTrainingData,
  heldOutL1,
  loadEmojiPairs,
  template,
  templateModel,
  type EmojiPairs,
  type TemplateBatch,
  type TemplateConfig,
} from './fixtures/template-family.js';

let workDir: string;
let trainPairs32: EmojiPairs;
let heldOutPairs32: EmojiPairs;
let pairs16: EmojiPairs;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-train-'));
  trainPairs32 = loadEmojiPairs(48, 32, 0);
  heldOutPairs32 = loadEmojiPairs(16, 32, 48); // never trained on
  pairs16 = loadEmojiPairs(8, 16, 0);
});
afterAll(async () => {
  await fs.rm(workDir, { recursive: true, force: true });
});

const runDir = (name: string) => path.join(workDir, name);
/** Settings are parsed once, by the caller, and passed on to train(). */
const settings = (raw: Partial<TemplateConfig>) => parseFamilyConfig(template, raw);

describe('train', () => {
  it('teaches a tiny conv GAN line art → colour on held-out emoji, without leaking tensors', async () => {
    const config = settings({ size: 32, ngf: 8, ndf: 8, steps: 60, batchSize: 4, sampleEvery: 30, checkpointEvery: 25, seed: 1 });
    const heldOut = emojiTrainingData(heldOutPairs32, 32, 1).all();
    const untrained = templateModel.build(config);
    const untrainedL1 = heldOutL1(untrained, heldOut);
    untrained.dispose();

    const before = tf.memory().numTensors;
    const progress: TrainProgress[] = [];
    const tensorsAfterStep: number[] = [];
    const checkpoints: number[] = [];
    const started = performance.now();
    const result = await train({
      family: template,
      config,
      data: emojiTrainingData(trainPairs32, 32, 1),
      outDir: runDir('learn'),
      sampleRows: 3,
      onProgress: (p) => {
        progress.push(p);
        tensorsAfterStep.push(tf.memory().numTensors);
      },
      onCheckpoint: (_dir, step) => checkpoints.push(step),
    });
    const seconds = (performance.now() - started) / 1000;
    expect(tf.memory().numTensors).toBe(before);
    // Adam makes its moment variables on the first update; from then on nothing may grow.
    expect(new Set(tensorsAfterStep.slice(1)).size).toBe(1);

    expect(result).toMatchObject({ status: 'completed', step: 60, totalSteps: 60 });
    expect(checkpoints).toEqual([25, 50, 60]);
    expect(progress.map((p) => p.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const last = progress.at(-1) as TrainProgress;
    expect(Object.keys(last.losses)).toEqual(['D', 'G_GAN', 'G_L1']);
    expect(last.etaSeconds).toBe(0);
    expect(progress[29]?.etaSeconds).toBeGreaterThan(0);
    expect(progress[29]?.etaSeconds).toBeCloseTo(30 / (progress[29]?.stepsPerSecond as number), 6);
    expect(last.elapsedSeconds).toBeGreaterThan(0);
    expect(last.elapsedSeconds).toBeLessThanOrEqual(seconds);

    // The learning rate followed the schedule: constant to step 30, then linear down.
    const history = await readLossHistory(runDir('learn'));
    expect(history.map((e) => e.step)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(history[29]?.lr['G']).toBeCloseTo(2e-3, 12);
    expect(history[45]?.lr['D']).toBeCloseTo(2e-3 * (1 - 15 / 30), 12);
    expect(history[59]?.lr['G']).toBeCloseTo(2e-3 / 30, 12);

    // It learned: held-out error at most half of the untrained generator's.
    const loaded = await loadCheckpoint(runDir('learn'), { family: template });
    const trainedL1 = heldOutL1(loaded.model as GanModel<TemplateConfig, TemplateBatch>, heldOut);
    loaded.model.dispose();
    tf.dispose(heldOut);
    console.log(`tiny GAN, 60 steps of batch 4 at 32 px: held-out L1 ${untrainedL1.toFixed(3)} → ${trainedL1.toFixed(3)} in ${seconds.toFixed(1)} s`);
    expect(trainedL1).toBeLessThanOrEqual(untrainedL1 / 2);

    // Sample grids: rows = examples, columns = input | output | target.
    expect(result.samples.map((f) => path.basename(f))).toEqual(['step-000030.png', 'step-000060.png']);
    const { data, info } = await sharp(result.samples[1]).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([3 * 32, 3 * 32, 3]);
    // The first column of row 2 is that example's line art, the third its colour target.
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    const expectedPixel = (image: Float32Array, x: number, y: number) =>
      Array.from(image.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3)).map((v) => Math.round((v + 1) * 127.5));
    let compared = 0;
    for (let y = 0; y < 32; y += 3) {
      for (let x = 0; x < 32; x += 3) {
        expect(pixel(x, 32 + y)).toEqual(expectedPixel(trainPairs32.inputs[1] as Float32Array, x, y));
        expect(pixel(64 + x, 32 + y)).toEqual(expectedPixel(trainPairs32.targets[1] as Float32Array, x, y));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('continues after a stop with exactly the losses of an uninterrupted run', async () => {
    // Dropout on, so per-step randomness has to come back the same too.
    const config = settings({ size: 16, ngf: 4, ndf: 4, dropout: 0.5, steps: 12, batchSize: 2, checkpointEvery: 100, sampleEvery: 100, seed: 5 });
    const data = emojiTrainingData(pairs16, 16, 5);
    await train({ family: template, config, data, outDir: runDir('straight') });

    const controller = new AbortController();
    const stopped = await train({
      family: template,
      config,
      data,
      outDir: runDir('resumed'),
      signal: controller.signal,
      onProgress: (p) => p.step === 6 && controller.abort(),
    });
    expect(stopped).toMatchObject({ status: 'cancelled', step: 6 });
    expect((await readCheckpoint(runDir('resumed'))).manifest.step).toBe(6);

    const resumed = await train({ family: template, config, data, outDir: runDir('resumed'), resume: true });
    expect(resumed).toMatchObject({ status: 'completed', step: 12, resumedFrom: 6 });

    const straight = await readLossHistory(runDir('straight'));
    const pieced = await readLossHistory(runDir('resumed'));
    expect(pieced.map((e) => e.step)).toEqual(straight.map((e) => e.step));
    for (let i = 0; i < 12; i++) {
      for (const name of ['D', 'G_GAN', 'G_L1']) {
        expect(Math.abs((pieced[i]?.losses[name] as number) - (straight[i]?.losses[name] as number)), `step ${i} ${name}`).toBeLessThan(1e-5);
      }
    }
    // Not trivially equal: the losses did change from step to step.
    expect(new Set(straight.map((e) => e.losses['G_L1'])).size).toBe(12);
  });

  it('stops within the step in progress and still saves it', async () => {
    const config = settings({ size: 16, ngf: 4, ndf: 4, steps: 50, checkpointEvery: 100, sampleEvery: 100 });
    const data = emojiTrainingData(pairs16, 16, 0);
    const controller = new AbortController();
    const started: number[] = [];
    const result = await train({
      family: template,
      config,
      outDir: runDir('cancel'),
      signal: controller.signal,
      data: {
        batchAt(step, batchSize) {
          if (batchSize === 1) started.push(step); // not the 4-row sample batch
          if (step === 3) controller.abort(); // a click on Cancel while step 3 runs
          return data.batchAt(step, batchSize);
        },
      },
    });
    expect(result).toMatchObject({ status: 'cancelled', step: 4 });
    expect(started).toEqual([0, 1, 2, 3]);
    expect((await readCheckpoint(runDir('cancel'))).manifest.step).toBe(4);
    expect((await readLossHistory(runDir('cancel'))).length).toBe(4);
  });

  it('waits while paused, after saving a checkpoint', async () => {
    const config = settings({ size: 16, ngf: 4, ndf: 4, steps: 4, checkpointEvery: 100, sampleEvery: 100 });
    let polls = 0;
    const checkpoints: number[] = [];
    const result = await train({
      family: template,
      config,
      data: emojiTrainingData(pairs16, 16, 0),
      outDir: runDir('pause'),
      onCheckpoint: (_dir, step) => checkpoints.push(step),
      // Paused before step 2 for three polls.
      isPaused: () => {
        polls++;
        return polls >= 3 && polls <= 5;
      },
    });
    expect(result).toMatchObject({ status: 'completed', step: 4 });
    expect(checkpoints).toEqual([2, 4]);
  });

  it('refuses to start a new run over an existing one, and resumes a fresh folder from zero', async () => {
    const config = settings({ size: 16, ngf: 4, ndf: 4, steps: 2, checkpointEvery: 100, sampleEvery: 100 });
    const data = emojiTrainingData(pairs16, 16, 0);
    const first = await train({ family: template, config, data, outDir: runDir('twice'), resume: true });
    expect(first.resumedFrom).toBeUndefined();
    await expect(train({ family: template, config, data, outDir: runDir('twice') })).rejects.toThrow(
      /already holds a training run \(checkpoint at step 2\)\. Resume it, or choose an empty folder/,
    );
    await expect(train({ family: template, config: settings({ ...config, ngf: 8 }), data, outDir: runDir('twice'), resume: true })).rejects.toThrow(
      'it was trained with ngf 4; these settings ask for ngf 8',
    );
    // A damaged checkpoint is reported, never silently replaced by a run from step 0.
    const weights = path.join(runDir('twice'), 'checkpoint', 'weights.bin');
    await fs.truncate(weights, 10);
    await expect(train({ family: template, config, data, outDir: runDir('twice'), resume: true })).rejects.toThrow(
      /weights\.bin has 10 bytes, expected \d+ \(the file is incomplete\)/,
    );
    expect((await fs.stat(weights)).size).toBe(10);
  });

  it('stops with a clear message when the losses blow up, keeping the last checkpoint', async () => {
    const exploding: FamilyModule<TemplateConfig, TemplateBatch> = {
      ...templateModel,
      build(config, options) {
        const model = templateModel.build(config, options);
        return Object.assign(Object.create(model) as GanModel<TemplateConfig, TemplateBatch>, {
          trainStep: async (batch: TemplateBatch, context: { step: number; seed: number }) => {
            const losses = await model.trainStep(batch, context);
            return context.step === 2 ? { ...losses, D: Number.NaN } : losses;
          },
        });
      },
    };
    const before = tf.memory().numTensors;
    const config = settings({ size: 16, ngf: 4, ndf: 4, steps: 10, checkpointEvery: 1, sampleEvery: 100 });
    await expect(train({ family: template, module: exploding, config, data: emojiTrainingData(pairs16, 16, 0), outDir: runDir('nan') })).rejects.toThrow(
      'Training diverged at step 3 (D = NaN). The last checkpoint is kept; try a lower learning rate.',
    );
    expect((await readCheckpoint(runDir('nan'))).manifest.step).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
