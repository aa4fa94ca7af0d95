/**
 * Pix2Pix on real data at a small size: OpenMoji line art (A) → colour (B),
 * rendered at 32 px, trained on the wasm backend through the generic trainer.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { openPairedDataset, type PairedBatch, type PairedDataset } from '../../src/main/engine/data/index.js';
import { parseFamilyConfig, parseTranslateOptions, type GanModel } from '../../src/main/engine/gans/family.js';
import { pix2pix, type Pix2PixConfig, pix2pixModel } from '../../src/main/engine/gans/pix2pix/model.js';
import { getFamily, listFamilies } from '../../src/main/engine/gans/registry.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';
import { train } from '../../src/main/engine/train/train.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

const SIZE = 32;
const TRAIN_PAIRS = 48;
const HELD_OUT_PAIRS = 8;

let root: string;
let trainingSet: PairedDataset;
let heldOut: PairedBatch;

/** Index of the first face emoji in the fixture's sorted list: a family of similar drawings is learnable in minutes. */
async function firstFaceIndex(): Promise<number> {
  const openmoji = dirname(createRequire(import.meta.url).resolve('openmoji/package.json'));
  const colour = new Set(await readdir(join(openmoji, 'color', 'svg')));
  const codes = (await readdir(join(openmoji, 'black', 'svg'))).filter((file) => colour.has(file)).sort();
  const index = codes.indexOf('1F600.svg');
  if (index < 0) throw new Error('OpenMoji has no 1F600 (grinning face)');
  return index;
}

const small = (settings: Partial<Pix2PixConfig> = {}): Pix2PixConfig =>
  parseFamilyConfig(pix2pix, { size: SIZE, ngf: 8, ndf: 8, ...settings });

async function meanL1(model: GanModel<Pix2PixConfig, PairedBatch>, batch: PairedBatch): Promise<number> {
  const distance = tf.tidy(() => {
    const output = model.translate(batch.a);
    return tf.mean(tf.abs(tf.sub(output, batch.b)));
  });
  const value = (await distance.data())[0]!;
  distance.dispose();
  return value;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'ganvas-pix2pix-'));
  const faces = await firstFaceIndex();
  await buildOpenMojiPairs(join(root, 'train'), { count: TRAIN_PAIRS, size: SIZE, start: faces });
  await buildOpenMojiPairs(join(root, 'held-out'), { count: HELD_OUT_PAIRS, size: SIZE, start: faces + TRAIN_PAIRS });
  trainingSet = await openPairedDataset(join(root, 'train'), { size: SIZE, loadSize: SIZE, seed: 1 });
  const held = await openPairedDataset(join(root, 'held-out'), { size: SIZE, loadSize: SIZE, flip: false, seed: 1 });
  expect(held.size).toBe(HELD_OUT_PAIRS);
  heldOut = await held.batchAt(0, HELD_OUT_PAIRS);
});

afterAll(async () => {
  if (heldOut) tf.dispose([heldOut.a, heldOut.b]);
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the Pix2Pix family', () => {
  it('is registered and defaults to the paper\'s settings', () => {
    expect(listFamilies().map((family) => family.id)).toContain('pix2pix');
    expect(getFamily('pix2pix')).toBe(pix2pix);
    const config = parseFamilyConfig(pix2pix, {});
    expect(config).toMatchObject({
      size: 256,
      ngf: 64,
      ndf: 64,
      lr: { G: 2e-4, D: 2e-4 },
      beta1: 0.5,
      beta2: 0.999,
      l1Weight: 100,
      dropout: 0.5,
      ganLoss: 'vanilla',
      labelSmoothing: 0,
      norm: 'instance',
      batchSize: 1,
    });
  });

  it('explains invalid settings in the user\'s terms', () => {
    expect(() => parseFamilyConfig(pix2pix, { ganLoss: 'wasserstein' })).toThrow(/Invalid Pix2Pix settings: ganLoss/);
    expect(() => parseFamilyConfig(pix2pix, { size: 100 })).toThrow(/size: must be a power of two/);
    expect(() => parseFamilyConfig(pix2pix, { labelSmoothing: 0.7 })).toThrow(/labelSmoothing/);
  });

  it('names its losses and sample images', async () => {
    const model = pix2pixModel.build(small());
    try {
      expect(model.lossNames).toEqual(['G_GAN', 'G_L1', 'D_real', 'D_fake']);
      expect(model.visualNames).toEqual(['input', 'output', 'target']);
      expect(Object.keys(model.networks).sort()).toEqual(['D', 'G']);
      expect(Object.keys(model.optimizers).sort()).toEqual(['D', 'G']);

      const batch = await trainingSet.batchAt(0, 2);
      const losses = await model.trainStep(batch, { step: 0, seed: 0 });
      expect(Object.keys(losses)).toEqual(model.lossNames);
      for (const value of Object.values(losses)) expect(Number.isFinite(value)).toBe(true);

      const samples = model.samples(batch);
      expect(Object.keys(samples)).toEqual(model.visualNames);
      for (const image of Object.values(samples)) expect(image.shape).toEqual([2, SIZE, SIZE, 3]);
      // input and target are the pair itself, in their own tensors (the caller disposes them).
      expect(samples['input']).not.toBe(batch.a);
      expect(await samples['input']!.data()).toEqual(await batch.a.data());
      expect(await samples['target']!.data()).toEqual(await batch.b.data());
      tf.dispose([batch.a, batch.b, ...Object.values(samples)]);
    } finally {
      model.dispose();
    }
  });

  it.each([
    ['vanilla', 'instance', 0],
    ['lsgan', 'batch', 0.1],
    ['hinge', 'instance', 0],
  ] as const)('trains with %s loss and %s norm (smoothing %s) without leaking tensors', async (ganLoss, norm, labelSmoothing) => {
    const model = pix2pixModel.build(small({ ganLoss, norm, labelSmoothing, ngf: 4, ndf: 4 }));
    const batch = await trainingSet.batchAt(0, 2);
    try {
      // Adam creates its moment variables on the first step; from then on the count must stay flat.
      await model.trainStep(batch, { step: 0, seed: 0 });
      const before = tf.memory().numTensors;
      for (let step = 1; step <= 4; step++) {
        const losses = await model.trainStep(batch, { step, seed: 0 });
        for (const value of Object.values(losses)) expect(Number.isFinite(value)).toBe(true);
      }
      tf.dispose(Object.values(model.samples(batch)));
      model.translate(batch.a).dispose();
      model.translate(batch.a, { noise: true, seed: 3 }).dispose();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      tf.dispose([batch.a, batch.b]);
      model.dispose();
    }
  });

  it('frees every tensor it owns when disposed', async () => {
    const before = tf.memory().numTensors;
    const model = pix2pixModel.build(small({ ngf: 4, ndf: 4 }));
    const batch = await trainingSet.batchAt(1, 1);
    await model.trainStep(batch, { step: 0, seed: 0 });
    tf.dispose([batch.a, batch.b]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Pix2Pix translate', () => {
  it('is deterministic without noise; with noise the output depends on the seed only', async () => {
    const model = pix2pixModel.build(small());
    const input = heldOut.a.slice(0, 2);
    const run = (options?: Record<string, unknown>) => {
      const output = model.translate(input, options);
      const values = output.dataSync();
      output.dispose();
      return values;
    };
    try {
      const plain = run();
      expect(run()).toEqual(plain);
      expect(run({ noise: false })).toEqual(plain);
      const noisy = run({ noise: true, seed: 1 });
      expect(noisy).not.toEqual(plain);
      expect(run({ noise: true, seed: 1 })).toEqual(noisy);
      expect(run({ noise: true, seed: 2 })).not.toEqual(noisy);
    } finally {
      input.dispose();
      model.dispose();
    }
  });

  it('does not change batch norm\'s running averages when translating with noise', async () => {
    const model = pix2pixModel.build(small({ norm: 'batch' }));
    const G = model.networks['G']!;
    const running = () => G.nonTrainableWeights.map((weight) => Array.from(weight.read().dataSync()));
    const batch = await trainingSet.batchAt(0, 2);
    try {
      await model.trainStep(batch, { step: 0, seed: 0 });
      const stats = running();
      expect(stats.length).toBeGreaterThan(0);
      model.translate(batch.a, { noise: true }).dispose();
      expect(running()).toEqual(stats);
    } finally {
      tf.dispose([batch.a, batch.b]);
      model.dispose();
    }
  });

  it('accepts other sizes that are multiples of 2^depth and explains the rest', () => {
    const model = pix2pixModel.build(small());
    try {
      const larger = tf.zeros([1, 64, 96, 3]) as tf.Tensor4D;
      const output = model.translate(larger);
      expect(output.shape).toEqual([1, 64, 96, 3]);
      tf.dispose([larger, output]);

      const odd = tf.zeros([1, 30, 30, 3]) as tf.Tensor4D;
      expect(() => model.translate(odd)).toThrow(/sides must be multiples of 32 px; got 30×30/);
      const grey = tf.zeros([1, 32, 32, 1]) as tf.Tensor4D;
      expect(() => model.translate(grey)).toThrow(/works on 3-channel images, got 1 channels/);
      expect(() => parseTranslateOptions(pix2pix, { noise: 'yes' })).toThrow(/Invalid Pix2Pix translate options: noise/);
      tf.dispose([odd, grey]);
    } finally {
      model.dispose();
    }
  });
});

describe('Pix2Pix checkpoints', () => {
  it.each(['instance', 'batch'] as const)(
    'with %s norm, save → load gives identical outputs and the same next training step',
    async (norm) => {
      const dir = await mkdtemp(join(root, `checkpoint-${norm}-`));
      const config = small({ norm, ngf: 4, ndf: 4, seed: 7 });
      const original = pix2pixModel.build(config);
      const steps = 3;
      for (let step = 0; step < steps; step++) {
        const batch = await trainingSet.batchAt(step, 2);
        await original.trainStep(batch, { step, seed: config.seed });
        tf.dispose([batch.a, batch.b]);
      }
      await saveCheckpoint(dir, original, { family: 'pix2pix', step: steps });
      const loaded = await loadCheckpoint(dir);
      const restored = loaded.model as GanModel<Pix2PixConfig, PairedBatch>;
      try {
        expect(loaded.step).toBe(steps);
        expect(loaded.config).toEqual(config);
        const [a, b] = [original.translate(heldOut.a), restored.translate(heldOut.a)];
        expect(await b.data()).toEqual(await a.data());
        tf.dispose([a, b]);

        // Same weights, optimizer moments and dropout seeds: the resumed step matches exactly.
        const batch = await trainingSet.batchAt(steps, 2);
        const next = await original.trainStep(batch, { step: steps, seed: config.seed });
        const resumed = await restored.trainStep(batch, { step: steps, seed: config.seed });
        expect(resumed).toEqual(next);
        tf.dispose([batch.a, batch.b]);
      } finally {
        original.dispose();
        restored.dispose();
      }
    },
  );

  it('refuses to continue a checkpoint with a different architecture, naming the setting', async () => {
    const dir = await mkdtemp(join(root, 'checkpoint-mismatch-'));
    const model = pix2pixModel.build(small({ ngf: 4, ndf: 4 }));
    await saveCheckpoint(dir, model, { family: 'pix2pix', step: 0 });
    model.dispose();
    await expect(loadCheckpoint(dir, { config: small({ ngf: 8, ndf: 4 }) })).rejects.toThrow(/ngf 4.*ngf 8/);
  });
});

describe('Pix2Pix learning', () => {
  it('learns line art → colour on held-out emoji through the generic trainer', async () => {
    const outDir = join(root, 'run');
    const steps = 200;
    // The paper's lr 2e-4 needs thousands of steps; a short test run uses 1e-3 at constant rate.
    const settings = parseFamilyConfig(pix2pix, { size: SIZE, ngf: 8, ndf: 8, steps, decayFrom: steps, lr: { G: 1e-3, D: 1e-3 }, sampleEvery: 100, checkpointEvery: steps, seed: 3 });

    const untrained = pix2pixModel.build(settings);
    const untrainedL1 = await meanL1(untrained, heldOut);
    untrained.dispose();
    // What copying the line art would score: the model must do better than that, i.e. really colour.
    const copyL1 = tf.tidy(() => tf.mean(tf.abs(tf.sub(heldOut.a, heldOut.b))).dataSync()[0]!);

    const tensorsBefore = tf.memory().numTensors;
    const result = await train({
      family: pix2pix,
      config: settings,
      data: {
        batchAt: (step, batchSize) => trainingSet.batchAt(step, batchSize),
        sampleBatch: (rows) => ({ a: heldOut.a.slice(0, rows), b: heldOut.b.slice(0, rows) }),
      },
      outDir,
    });
    expect(result.status).toBe('completed');
    expect(result.step).toBe(steps);
    expect(result.samples).toHaveLength(2);
    for (const file of result.samples) expect(existsSync(file)).toBe(true);
    expect(Object.keys(result.lastLosses)).toEqual(['G_GAN', 'G_L1', 'D_real', 'D_fake']);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const trained = (await loadCheckpoint(outDir)).model as GanModel<Pix2PixConfig, PairedBatch>;
    const trainedL1 = await meanL1(trained, heldOut);
    trained.dispose();
    // Seen here: untrained ≈ 0.87, copying the line art ≈ 0.16, after 200 steps ≈ 0.10.
    expect(trainedL1).toBeLessThan(0.5 * untrainedL1);
    expect(trainedL1).toBeLessThan(copyL1);
  });
});
