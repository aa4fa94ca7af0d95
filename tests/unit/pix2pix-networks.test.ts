import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { SeededDropout } from '../../src/main/engine/gans/shared/layers/index.js';
import {
  encoderWidth,
  patchLayersFor,
  patchOutputSize,
  patchReceptiveField,
  pix2pix,
  unetDepth,
  type Pix2PixConfig, pix2pixModel } from '../../src/main/engine/gans/pix2pix/model.js';

const configFor = (settings: Partial<Pix2PixConfig>) => parseFamilyConfig(pix2pix, settings);

function layerOutputShape(model: tf.LayersModel, layerName: string, input: tf.Tensor): number[] {
  const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer(layerName).output as tf.SymbolicTensor });
  const out = probe.predict(input) as tf.Tensor;
  const shape = out.shape;
  out.dispose();
  return shape;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('pix2pix U-Net generator', () => {
  it.each([
    [32, 5],
    [64, 6],
    [128, 7],
    [256, 8],
  ])('a %i px U-Net halves the image %i times down to 1×1 and restores the size', (size, downs) => {
    expect(unetDepth(size)).toBe(downs);
    const model = pix2pixModel.build(configFor({ size, ngf: 2, ndf: 2 }));
    const G = model.networks['G']!;
    const input = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 3);
    try {
      // The innermost layer is 1×1, 8·ngf wide (C512 for ngf 64), and there is no deeper one.
      expect(layerOutputShape(G, `down${downs}`, input)).toEqual([1, 1, 1, 8 * 2]);
      expect(() => G.getLayer(`down${downs + 1}`)).toThrow();
      const output = G.predict(input) as tf.Tensor;
      expect(output.shape).toEqual([1, size, size, 3]);
      const [min, max] = tf.tidy(() => [output.min().dataSync()[0]!, output.max().dataSync()[0]!]);
      expect(min).toBeGreaterThanOrEqual(-1); // tanh
      expect(max).toBeLessThanOrEqual(1);
      output.dispose();
    } finally {
      input.dispose();
      model.dispose();
    }
  });

  it('follows C64-C128-C256-C512-C512… in units of ngf', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((level) => encoderWidth(level, 64))).toEqual([64, 128, 256, 512, 512, 512, 512, 512]);
  });

  it('rejects sizes that are not powers of two with a message that says why', () => {
    expect(() => unetDepth(48)).toThrow(/power-of-two/);
    expect(() => configFor({ size: 48 })).toThrow(/size: must be a power of two/);
  });

  it('has exactly the hand-counted parameters for a small config (8 px, ngf 2, RGB)', () => {
    // down1: 4·4·3·2 + 2 bias (no norm)              =   98
    // down2: 4·4·2·4 (no bias) + norm γ,β 2·4        =  136
    // down3 (1×1 bottleneck): 4·4·4·8 + 8 bias        =  520
    // up1:   4·4·8·4 + norm 2·4                       =  520   (then concat with down2 → 8 channels)
    // up2:   4·4·8·2 + norm 2·2                       =  260   (then concat with down1 → 4 channels)
    // up3:   4·4·4·3 + 3 bias, tanh                   =  195
    const instance = pix2pixModel.build(configFor({ size: 8, ngf: 2, ndf: 2 }));
    expect(instance.networks['G']!.countParams()).toBe(98 + 136 + 520 + 520 + 260 + 195);
    // PatchGAN on the 6-channel pair, one stride-2 layer at 8 px:
    // conv1: 4·4·6·2 + 2 = 194; conv2 (stride 1): 4·4·2·4 + norm 2·4 = 136; scores: 4·4·4·1 + 1 = 65
    expect(instance.networks['D']!.countParams()).toBe(194 + 136 + 65);
    instance.dispose();

    // Batch norm adds running mean and variance (not trained) to the same trainable weights.
    const batch = pix2pixModel.build(configFor({ size: 8, ngf: 2, ndf: 2, norm: 'batch' }));
    const G = batch.networks['G']!;
    const trainable = G.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a! * b!, 1)!, 0);
    expect(trainable).toBe(1729);
    expect(G.countParams()).toBe(1729 + 2 * (4 + 4 + 2));
    batch.dispose();
  });

  it('puts dropout (the paper\'s noise) on the first three decoder layers only', () => {
    const model = pix2pixModel.build(configFor({ size: 64, ngf: 2, ndf: 2 }));
    const dropouts = model.networks['G']!.layers.filter((layer) => layer instanceof SeededDropout);
    expect(dropouts.map((layer) => layer.name)).toEqual(['up1_dropout', 'up2_dropout', 'up3_dropout']);
    expect(dropouts.every((layer) => (layer as SeededDropout).rate === 0.5)).toBe(true);
    model.dispose();
    const quiet = pix2pixModel.build(configFor({ size: 64, ngf: 2, ndf: 2, dropout: 0 }));
    expect(quiet.networks['G']!.layers.some((layer) => layer instanceof SeededDropout)).toBe(false);
    quiet.dispose();
  });

  it('has no normalisation on the first encoder layer nor on the 1×1 bottleneck', () => {
    const model = pix2pixModel.build(configFor({ size: 32, ngf: 2, ndf: 2 }));
    const names = model.networks['G']!.layers.map((layer) => layer.name);
    expect(names).not.toContain('down1_norm');
    expect(names).not.toContain('down5_norm');
    expect(names).toEqual(expect.arrayContaining(['down2_norm', 'down3_norm', 'down4_norm', 'up1_norm', 'up4_norm']));
    model.dispose();
  });
});

describe('pix2pix PatchGAN discriminator', () => {
  it('the paper configuration (3 layers) sees 70×70 patches', () => {
    expect(patchReceptiveField(3)).toBe(70);
    expect(patchReceptiveField(1)).toBe(16);
  });

  it.each([
    [8, 1, 2],
    [16, 2, 2],
    [32, 3, 2],
    [64, 3, 6],
    [256, 3, 30],
  ])('at %i px uses %i stride-2 layers and scores a map of side %i', (size, layers, side) => {
    expect(patchLayersFor(size)).toBe(layers);
    expect(patchOutputSize(size, layers)).toBe(side);
    const model = pix2pixModel.build(configFor({ size, ngf: 2, ndf: 2 }));
    const pair = tf.randomUniform([2, size, size, 6], -1, 1, 'float32', 5);
    const scores = model.networks['D']!.predict(pair) as tf.Tensor;
    expect(scores.shape).toEqual([2, side, side, 1]);
    tf.dispose([pair, scores]);
    model.dispose();
  });

  it('accepts a layer count that fits the size and refuses one that does not', () => {
    const model = pix2pixModel.build(configFor({ size: 64, ngf: 2, ndf: 2, discriminatorLayers: 4 }));
    const pair = tf.zeros([1, 64, 64, 6]);
    const scores = model.networks['D']!.predict(pair) as tf.Tensor;
    expect(scores.shape).toEqual([1, 2, 2, 1]);
    tf.dispose([pair, scores]);
    model.dispose();
    expect(() => configFor({ size: 32, discriminatorLayers: 4 })).toThrow(/discriminatorLayers: 4 layers shrink a 32-px image to nothing; use at most 3/);
  });
});

afterAll(() => {
  // Every model above was disposed: nothing of the networks may stay behind.
  expect(tf.memory().numTensors).toBe(0);
});
