/**
 * The SRGAN family's training step at a tiny size: the two phases (content
 * only, then adversarial), no tensor leaks, samples, inference on any size,
 * and a checkpoint round trip through the generic checkpoint code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig, parseTranslateOptions } from '../../src/main/engine/gans/family.js';
import { bicubicUpscale, pretrainStepsOf, srgan, type SrganConfig, type SuperResolutionBatch, srganModel } from '../../src/main/engine/gans/srgan/model.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';

let root: string;
let batch: SuperResolutionBatch;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'ganvas-srgan-'));
  // Smooth waves (a different frequency per channel and image) and their 2× box-downscaled versions: a learnable pair.
  batch = tf.tidy(() => {
    const coordinate = tf.linspace(0, 15, 16);
    const x = tf.reshape(coordinate, [1, 1, 16, 1]);
    const y = tf.reshape(coordinate, [1, 16, 1, 1]);
    const frequency = tf.reshape(tf.tensor1d([0.3, 0.5, 0.7, 0.4, 0.6, 0.2]), [2, 1, 1, 3]);
    const hr = tf.mul(tf.sin(tf.add(tf.mul(x, frequency), tf.mul(y, 0.25))), 0.8) as tf.Tensor4D;
    const lr = tf.avgPool(hr, 2, 2, 'valid') as tf.Tensor4D;
    return { lr: tf.keep(lr), hr: tf.keep(hr) };
  });
});

afterAll(async () => {
  if (batch) tf.dispose([batch.lr, batch.hr]);
  if (root) await rm(root, { recursive: true, force: true });
});

const tiny = (settings: Record<string, unknown> = {}): SrganConfig =>
  parseFamilyConfig(srgan, { size: 16, scale: 2, filters: 4, blocks: 1, ndf: 2, steps: 6, pretrainSteps: 2, ...settings });

const snapshot = (network: tf.LayersModel): Float32Array[] =>
  network.getWeights().map((w) => w.dataSync() as Float32Array).map((data) => Float32Array.from(data));

const changed = (before: Float32Array[], network: tf.LayersModel): boolean =>
  network.getWeights().some((w, i) => (w.dataSync() as Float32Array).some((v, j) => v !== before[i]![j]));

describe('SRGAN training phases', () => {
  it('pretrains G on the content loss alone, leaving D untouched, then trains both', async () => {
    const config = tiny();
    expect(pretrainStepsOf(config)).toBe(2);
    expect(pretrainStepsOf(tiny({ pretrainSteps: undefined, steps: 9 }))).toBe(4);
    const model = srganModel.build(config);
    try {
      expect(model.lossNames).toEqual(['content', 'G_adv', 'D_real', 'D_fake']);
      const d0 = snapshot(model.networks['D']!);
      let g = snapshot(model.networks['G']!);
      for (const step of [0, 1]) {
        const losses = await model.trainStep(batch, { step, seed: 0 });
        expect(losses['content']).toBeGreaterThan(0);
        expect([losses['G_adv'], losses['D_real'], losses['D_fake']]).toEqual([0, 0, 0]);
        expect(changed(g, model.networks['G']!)).toBe(true);
        g = snapshot(model.networks['G']!);
      }
      expect(changed(d0, model.networks['D']!)).toBe(false);

      const losses = await model.trainStep(batch, { step: 2, seed: 0 });
      expect(changed(d0, model.networks['D']!)).toBe(true);
      expect(changed(g, model.networks['G']!)).toBe(true);
      for (const name of ['G_adv', 'D_real', 'D_fake']) expect(losses[name], name).toBeGreaterThan(0);
      // An untrained D's scores hover around 0, so each cross-entropy is near ln 2.
      expect(losses['D_real']).toBeCloseTo(Math.LN2, 1);
    } finally {
      model.dispose();
    }
  });

  it('keeps the tensor count flat across content and adversarial steps', async () => {
    const model = srganModel.build(tiny({ norm: 'batch' }));
    try {
      await model.trainStep(batch, { step: 0, seed: 0 });
      const pretraining = tf.memory().numTensors;
      await model.trainStep(batch, { step: 1, seed: 0 });
      expect(tf.memory().numTensors).toBe(pretraining);
      await model.trainStep(batch, { step: 2, seed: 0 }); // D's optimizer state appears here
      const adversarial = tf.memory().numTensors;
      for (const step of [3, 4, 5]) await model.trainStep(batch, { step, seed: 0 });
      expect(tf.memory().numTensors).toBe(adversarial);
      const visuals = model.samples(batch);
      tf.dispose(Object.values(visuals));
      const output = model.translate(batch.lr);
      output.dispose();
      expect(tf.memory().numTensors).toBe(adversarial);
    } finally {
      model.dispose();
    }
  });

  it('lowers the content loss with L2 as well as L1', async () => {
    for (const contentLoss of ['l1', 'l2'] as const) {
      const model = srganModel.build(tiny({ contentLoss, norm: 'none', imageSkip: 'bicubic', lr: { G: 1e-3, D: 1e-4 }, steps: 30, pretrainSteps: 30 }));
      const first = (await model.trainStep(batch, { step: 0, seed: 0 }))['content']!;
      let last = first;
      for (let step = 1; step < 30; step++) last = (await model.trainStep(batch, { step, seed: 0 }))['content']!;
      expect(last, contentLoss).toBeLessThan(first * 0.8);
      model.dispose();
    }
  });

  it('refuses batches whose sizes do not fit, saying why', async () => {
    const model = srganModel.build(tiny());
    try {
      const wrong = tf.zeros([2, 12, 12, 3]) as tf.Tensor4D;
      await expect(model.trainStep({ lr: batch.lr, hr: wrong }, { step: 0, seed: 0 })).rejects.toThrow(/needs hr = lr × 2/);
      wrong.dispose();
      const lr = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
      const hr = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
      await expect(model.trainStep({ lr, hr }, { step: 5, seed: 0 })).rejects.toThrow(/built for 16×16 patches; this batch has 32×32/);
      // Content-only steps do not need D, so they accept any patch size.
      await expect(model.trainStep({ lr, hr }, { step: 0, seed: 0 })).resolves.toHaveProperty('content');
      tf.dispose([lr, hr]);
      const grey = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
      expect(() => model.translate(grey)).toThrow(/3-channel images, got 1/);
      grey.dispose();
    } finally {
      model.dispose();
    }
  });
});

describe('SRGAN inference and samples', () => {
  it('upscales any size, clamps to [-1, 1] and shows lr | bicubic | output | hr at HR size', () => {
    const model = srganModel.build(tiny({ scale: 4, size: 32 }));
    try {
      const input = tf.randomUniform([1, 5, 9, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
      const output = model.translate(input);
      expect(output.shape).toEqual([1, 20, 36, 3]);
      const [low, high] = tf.tidy(() => [tf.min(output).dataSync()[0]!, tf.max(output).dataSync()[0]!]);
      expect(low).toBeGreaterThanOrEqual(-1);
      expect(high).toBeLessThanOrEqual(1);
      expect(() => parseTranslateOptions(srgan, { noise: true })).toThrow(/Invalid SRGAN translate options: \(settings\): Unrecognized key: "noise"/);
      tf.dispose([input, output]);

      const lr = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
      const hr = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
      const visuals = model.samples({ lr, hr });
      expect(Object.keys(visuals)).toEqual([...model.visualNames]);
      for (const name of model.visualNames) expect(visuals[name]!.shape, name).toEqual([2, 32, 32, 3]);
      tf.dispose([lr, hr, ...Object.values(visuals)]);
    } finally {
      model.dispose();
    }
  });

  it('bicubic upscaling keeps a flat image flat and interpolates between pixels', () => {
    const flat = tf.fill([1, 3, 3, 2], 0.25) as tf.Tensor4D;
    const up = bicubicUpscale(flat, 3);
    expect(up.shape).toEqual([1, 9, 9, 2]);
    for (const v of up.dataSync()) expect(v).toBeCloseTo(0.25, 5);
    const ramp = tf.tensor4d([-1, 1], [1, 1, 2, 1]);
    const rampUp = bicubicUpscale(ramp, 2).dataSync();
    expect(Array.from(rampUp)[0]).toBeLessThan(Array.from(rampUp)[3]!);
    tf.dispose([flat, up, ramp]);
  });
});

describe('SRGAN checkpoints', () => {
  it('round-trips networks and settings through the generic checkpoint code', async () => {
    const config = tiny({ norm: 'batch', filters: 6 });
    const model = srganModel.build(config);
    const dir = join(root, 'run');
    try {
      for (const step of [0, 1, 2]) await model.trainStep(batch, { step, seed: 0 });
      await saveCheckpoint(dir, model, { family: 'srgan', step: 3 });
      const loaded = await loadCheckpoint(dir);
      try {
        expect(loaded.family).toBe(srgan);
        expect(loaded.step).toBe(3);
        expect(loaded.config).toEqual(config);
        const [a, b] = [model.translate(batch.lr), loaded.model.translate(batch.lr)];
        expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
        tf.dispose([a, b]);
        const { value: dA } = { value: tf.tidy(() => model.networks['D']!.predict(batch.hr) as tf.Tensor) };
        const dB = tf.tidy(() => loaded.model.networks['D']!.predict(batch.hr) as tf.Tensor);
        expect(Array.from(dB.dataSync())).toEqual(Array.from(dA.dataSync()));
        tf.dispose([dA, dB]);
      } finally {
        loaded.model.dispose();
      }
      await expect(loadCheckpoint(dir, { config: parseFamilyConfig(srgan, { ...config, blocks: 2 }) })).rejects.toThrow(/trained with blocks 1; these settings ask for blocks 2/);
    } finally {
      model.dispose();
    }
  });
});
