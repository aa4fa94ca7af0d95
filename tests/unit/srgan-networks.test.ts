/**
 * SRGAN's networks and settings at a tiny size: output shapes per scale,
 * parameter counts against a hand count of the paper's layers, gradients
 * through the pixel shuffle, and the feature-model plumbing with a small
 * random conv net saved to disk.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { getFamily } from '../../src/main/engine/gans/registry.js';
import {
  bicubicUpscale,
  buildSrganDiscriminator,
  buildSrresnetGenerator,
  FeatureNetwork,
  srgan,
  upsamplingFactors,
  type SrganConfig, srganModel } from '../../src/main/engine/gans/srgan/model.js';
import { BicubicUpsample } from '../../src/main/engine/gans/srgan/bicubic-upsample.js';

let root: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'ganvas-srgan-nets-'));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const tiny = (settings: Record<string, unknown> = {}): SrganConfig =>
  parseFamilyConfig(srgan, { size: 16, scale: 2, filters: 4, blocks: 1, ndf: 2, ...settings });

/** Hand count of SRResNet's weights (biases only where no batch norm follows; BN has γ, β, mean, variance). */
function generatorParameters(f: number, blocks: number, scale: number, norm: 'batch' | 'none', c = 3): number {
  const bn = norm === 'batch' ? 4 * f : 0;
  const biasBeforeNorm = norm === 'batch' ? 0 : f;
  const head = 9 * 9 * c * f + f + f; // conv + bias + PReLU slopes
  const block = 2 * (3 * 3 * f * f + biasBeforeNorm + bn) + f;
  const body = 3 * 3 * f * f + biasBeforeNorm + bn;
  const up = upsamplingFactors(scale).reduce((sum, r) => sum + 3 * 3 * f * f * r * r + f * r * r + f, 0);
  const tail = 9 * 9 * f * c + c;
  return head + blocks * block + body + up + tail;
}

describe('SRResNet generator', () => {
  it('upscales ×2, ×3 and ×4 with one, one and two pixel-shuffle blocks, on any input size', () => {
    for (const scale of [2, 3, 4] as const) {
      const G = buildSrresnetGenerator({ scale, channels: 3, filters: 4, blocks: 2, norm: 'batch', imageSkip: 'none', seed: 1 });
      try {
        const shuffles = G.layers.filter((layer) => layer.getClassName() === 'GanvasPixelShuffle');
        expect(shuffles.length).toBe(scale === 4 ? 2 : 1);
        const before = tf.memory().numTensors;
        const out = tf.tidy(() => G.predict(tf.zeros([2, 5, 7, 3])) as tf.Tensor);
        expect(out.shape).toEqual([2, 5 * scale, 7 * scale, 3]);
        out.dispose();
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        G.dispose();
      }
    }
  });

  it('has exactly the weights of the paper\'s layers (counted by hand)', () => {
    for (const [scale, norm, blocks] of [[2, 'batch', 1], [4, 'batch', 2], [3, 'none', 3]] as const) {
      const G = buildSrresnetGenerator({ scale, channels: 3, filters: 4, blocks, norm, imageSkip: 'none', seed: 1 });
      expect(G.countParams()).toBe(generatorParameters(4, blocks, scale, norm));
      G.dispose();
    }
    // Written out once for ×2, 4 filters, 1 block, batch norm:
    // head 972+4+4, block 2·(144+16)+4, body 144+16, up 576+16+4, tail 972+3.
    expect(generatorParameters(4, 1, 2, 'batch')).toBe(980 + 324 + 160 + 596 + 975);
    // The paper's generator (64 filters, 16 blocks, ×4): about 1.5 M weights.
    expect(generatorParameters(64, 16, 4, 'batch')).toBeGreaterThan(1.5e6);
    expect(generatorParameters(64, 16, 4, 'batch')).toBeLessThan(1.6e6);
  });

  it("with upsampling 'direct' runs nothing at the high resolution: one 3×3 sub-pixel layer and one shuffle by the whole scale", () => {
    for (const scale of [2, 3, 4] as const) {
      const G = buildSrresnetGenerator({ scale, channels: 3, filters: 4, blocks: 2, norm: 'none', imageSkip: 'bicubic', upsampling: 'direct', seed: 1 });
      try {
        const shuffles = G.layers.filter((layer) => layer.getClassName() === 'GanvasPixelShuffle');
        expect(shuffles.map((layer) => (layer.getConfig() as { scale: number }).scale)).toEqual([scale]);
        // No convolution comes after the shuffle: every one runs on the low-resolution grid.
        const after = G.layers.slice(G.layers.indexOf(shuffles[0]!) + 1);
        expect(after.filter((l) => l.getClassName() === 'Conv2D').map((l) => l.name)).toEqual([]);
        const tail = G.getLayer('tail') as tf.layers.Layer;
        expect((tail.getConfig() as { kernelSize: number[]; filters: number }).filters).toBe(3 * scale * scale);
        expect((tail.getConfig() as { kernelSize: number[] }).kernelSize).toEqual([3, 3]);
        // Head 9·9·3·4+4, two blocks of 2·(144+4), body 144+4, tail 9·4·3r²+3r²: no PReLU after the shuffle.
        expect(G.countParams()).toBe(976 + 4 + 2 * (2 * 148 + 4) + 148 + 36 * 3 * scale * scale + 3 * scale * scale);
        const out = tf.tidy(() => G.predict(tf.zeros([2, 5, 7, 3])) as tf.Tensor);
        expect(out.shape).toEqual([2, 5 * scale, 7 * scale, 3]);
        out.dispose();
      } finally {
        G.dispose();
      }
    }
  });

  it('passes gradients through the pixel shuffle to every layer before it', () => {
    const G = buildSrresnetGenerator({ scale: 4, channels: 3, filters: 4, blocks: 1, norm: 'none', imageSkip: 'none', seed: 2 });
    const x = tf.randomUniform([1, 6, 6, 3], -1, 1, 'float32', 3);
    const target = tf.randomUniform([1, 24, 24, 3], -1, 1, 'float32', 4);
    const variables = G.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.abs(tf.sub(G.apply(x, { training: true }) as tf.Tensor, target))) as tf.Scalar,
      variables,
    );
    for (const variable of variables) {
      const norm = tf.tidy(() => tf.sum(tf.abs(grads[variable.name]!)).dataSync()[0]!);
      expect(norm, `gradient of ${variable.name}`).toBeGreaterThan(0);
    }
    tf.dispose([value, x, target, ...Object.values(grads)]);
    G.dispose();
  });

  it('with imageSkip "bicubic" starts close to, and adds its output to, an exact bicubic upscale', () => {
    for (const scale of [2, 3, 4]) {
      const x = tf.randomUniform([2, 6, 7, 3], -0.9, 0.9, 'float32', scale) as tf.Tensor4D;
      const layer = new BicubicUpsample({ scale });
      const viaLayer = layer.apply(x) as tf.Tensor;
      const reference = bicubicUpscale(x, scale); // upscale/bicubic.ts, plane by plane (clamped to [-1, 1])
      const clamped = tf.clipByValue(viaLayer, -1, 1);
      const largest = tf.tidy(() => tf.max(tf.abs(tf.sub(clamped, reference))).dataSync()[0]!);
      expect(largest, `×${scale}`).toBeLessThan(1e-5);
      tf.dispose([x, viaLayer, reference, clamped]);
    }
    const G = buildSrresnetGenerator({ scale: 2, channels: 3, filters: 4, blocks: 1, norm: 'none', imageSkip: 'bicubic', seed: 1 });
    const x = tf.randomUniform([1, 8, 8, 3], -0.9, 0.9, 'float32', 5) as tf.Tensor4D;
    const fromG = G.predict(x) as tf.Tensor;
    const bicubic = new BicubicUpsample({ scale: 2 }).apply(x) as tf.Tensor;
    const distance = tf.tidy(() => tf.mean(tf.abs(tf.sub(fromG, bicubic))).dataSync()[0]!);
    const spread = tf.tidy(() => tf.mean(tf.abs(bicubic)).dataSync()[0]!);
    expect(distance).toBeLessThan(spread / 2);
    expect(distance).toBeGreaterThan(0); // the residual branch is live
    tf.dispose([x, fromG, bicubic]);
    G.dispose();
  });
});

describe('SRGAN discriminator', () => {
  it('follows the paper: 8 convs 64→512 with strides 1,2,…, dense 1024, one score per patch', () => {
    const D = buildSrganDiscriminator({ size: 16, channels: 3, ndf: 64, seed: 1 });
    const convs = D.layers.filter((layer) => layer.getClassName() === 'Conv2D');
    expect(convs.map((layer) => (layer.getConfig() as { filters: number }).filters)).toEqual([64, 64, 128, 128, 256, 256, 512, 512]);
    expect(convs.map((layer) => (layer.getConfig() as { strides: number[] }).strides[0])).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(D.layers.filter((layer) => layer.getClassName() === 'BatchNormalization').length).toBe(7);
    const dense = D.layers.filter((layer) => layer.getClassName() === 'Dense');
    expect(dense.map((layer) => (layer.getConfig() as { units: number }).units)).toEqual([1024, 1]);
    D.dispose();
  });

  it('has the hand-counted weights at a small width and scores a batch', () => {
    const ndf = 2;
    const D = buildSrganDiscriminator({ size: 32, channels: 3, ndf, seed: 1 });
    const widths = [2, 2, 4, 4, 8, 8, 16, 16];
    let expected = 3 * 3 * 3 * widths[0]! + widths[0]!; // first conv keeps its bias, no BN
    for (let i = 1; i < 8; i++) expected += 3 * 3 * widths[i - 1]! * widths[i]! + 4 * widths[i]!;
    const flat = 2 * 2 * 16; // 32 px / 16
    expected += flat * 32 + 32 + 32 + 1; // dense 16·ndf, then the score
    expect(D.countParams()).toBe(expected);
    const scores = tf.tidy(() => D.predict(tf.zeros([3, 32, 32, 3])) as tf.Tensor);
    expect(scores.shape).toEqual([3, 1]);
    scores.dispose();
    D.dispose();
  });
});

describe('SRGAN settings', () => {
  it('defaults to the paper and is registered', () => {
    expect(getFamily('srgan')).toBe(srgan);
    expect(srgan.dataset).toBe('high-res');
    expect(parseFamilyConfig(srgan, {})).toMatchObject({
      size: 96,
      scale: 4,
      filters: 64,
      blocks: 16,
      norm: 'batch',
      ndf: 64,
      lr: { G: 1e-4, D: 1e-4 },
      beta1: 0.9,
      adversarialWeight: 1e-3,
      contentLoss: 'l1',
      imageSkip: 'none',
    });
  });

  it('rejects patch sizes the networks cannot use, naming the setting', () => {
    expect(() => parseFamilyConfig(srgan, { size: 40, scale: 2 })).toThrow(/size: must be a multiple of 16/);
    expect(() => parseFamilyConfig(srgan, { size: 32, scale: 3 })).toThrow(/size: must be a multiple of 48 at ×3/);
    expect(() => parseFamilyConfig(srgan, { size: 48, scale: 3 })).not.toThrow();
    expect(() => parseFamilyConfig(srgan, { scale: 5 })).toThrow(/scale/);
    expect(() => parseFamilyConfig(srgan, { steps: 10, pretrainSteps: 20 })).toThrow(/pretrainSteps: is after the last step/);
    expect(() => parseFamilyConfig(srgan, { pixelWeight: 0 })).toThrow(/no featureModel/);
  });
});

/** Saves a small random conv net as a tfjs layers model (model.json + weights.bin) in `folder`. */
async function saveFeatureModel(folder: string): Promise<tf.LayersModel> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'features1', inputShape: [null, null, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }),
      tf.layers.conv2d({ name: 'features2', filters: 2, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
    ],
  });
  await mkdir(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      await writeFile(
        join(folder, 'model.json'),
        JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }),
      );
      await writeFile(join(folder, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return model;
}

describe('SRGAN feature (perceptual) loss', () => {
  it('loads a layers model from disk and trains G on its features alone', async () => {
    const folder = join(root, 'feature-net');
    const original = await saveFeatureModel(folder);
    const lr = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const hr = tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 8) as tf.Tensor4D;
    const model = srganModel.build(tiny({ featureModel: folder, featureLayer: 'features2', pixelWeight: 0, featureWeight: 2, steps: 4, pretrainSteps: 4 }));
    try {
      // The expected loss, from the in-memory copy of the same network, on [0, 1] images.
      const expected = tf.tidy(() => {
        const toUnit = (x: tf.Tensor) => tf.mul(tf.add(x, 1), 0.5);
        const output = model.networks['G']!.apply(lr, { training: true }) as tf.Tensor;
        const diff = tf.sub(original.apply(toUnit(output)) as tf.Tensor, original.apply(toUnit(hr)) as tf.Tensor);
        return tf.mul(tf.mean(tf.square(diff)), 2).dataSync()[0]!;
      });
      const before = tf.tidy(() => model.networks['G']!.getWeights().map((w) => w.clone()));
      const losses = await model.trainStep({ lr, hr }, { step: 0, seed: 0 });
      expect(losses['content']).toBeCloseTo(expected, 4);
      const moved = tf.tidy(() => before.some((w, i) => tf.any(tf.notEqual(w, model.networks['G']!.getWeights()[i]!)).dataSync()[0] === 1));
      expect(moved).toBe(true);
      tf.dispose(before);

      const counted = tf.memory().numTensors;
      await model.trainStep({ lr, hr }, { step: 1, seed: 0 });
      await model.trainStep({ lr, hr }, { step: 2, seed: 0 });
      expect(tf.memory().numTensors).toBe(counted);
    } finally {
      model.dispose();
      original.dispose();
      tf.dispose([lr, hr]);
    }
  });

  it('names the file and the reason when the feature model is missing or lacks the layer', async () => {
    const missing = join(root, 'no-such-model');
    expect(() => srganModel.build(tiny({ featureModel: missing }))).toThrow(`Feature model ${missing}: no model.json there`);
    const folder = join(root, 'feature-net-2');
    (await saveFeatureModel(folder)).dispose();
    await expect(FeatureNetwork.load(join(folder, 'model.json'), { layer: 'block5_conv4', inputRange: '0..1' })).rejects.toThrow(
      /has no layer 'block5_conv4'; its layers are: features1, features2/,
    );
    await writeFile(join(root, 'broken', 'model.json'), '{ not json').catch(async () => {
      await mkdir(join(root, 'broken'));
      await writeFile(join(root, 'broken', 'model.json'), '{ not json');
    });
    await expect(FeatureNetwork.load(join(root, 'broken'), { inputRange: '0..1' })).rejects.toThrow(/Feature model .*broken could not be loaded/);
  });
});
