import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { forwardFlops, trainingStepFlops } from '../../src/main/bench/flops.js';
import { buildResnetGenerator, checkResnetImageSize } from '../../src/main/engine/gans/shared/networks/resnet-generator.js';
import { percentile, summarise } from '../../src/main/bench/timing.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('FLOPs of a network', () => {
  it('counts 2 FLOPs per multiply-add of convs (output pixels), transposed convs (input pixels) and dense layers', () => {
    const input = tf.input({ shape: [null, null, 3] });
    let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 4, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 5 }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: x });
    const conv = 2 * 3 * 3 * 3 * 8 * (8 * 8); // 16 px → 8×8 outputs
    const transposed = 2 * 4 * 4 * 8 * 4 * (8 * 8); // applied at each of the 8×8 inputs
    const dense = 2 * 4 * 5 * (16 * 16); // per pixel of the 16×16 map
    expect(forwardFlops(model, [16, 16, 3])).toBe(conv + transposed + dense);
    expect(trainingStepFlops(model, [16, 16, 3])).toBe(3 * (conv + transposed + dense));
    // Fully convolutional: the count follows the size asked for, not a size fixed at build time.
    expect(forwardFlops(model, [32, 32, 3])).toBe(4 * (conv + transposed + dense));
    model.dispose();
  });

  it('matches a hand count of the CycleGAN ResNet generator', () => {
    const ngf = 4;
    const blocks = 2;
    const size = 16;
    const model = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf, blocks, seed: 1 });
    const s = size * size;
    const macs =
      7 * 7 * 3 * ngf * s + // c7s1
      3 * 3 * ngf * 2 * ngf * (s / 4) + // d128 at half size
      3 * 3 * 2 * ngf * 4 * ngf * (s / 16) + // d256 at quarter size
      blocks * 2 * (3 * 3 * 4 * ngf * 4 * ngf * (s / 16)) + // residual blocks
      3 * 3 * 4 * ngf * 2 * ngf * (s / 16) + // u128, applied at its quarter-size input
      3 * 3 * 2 * ngf * ngf * (s / 4) + // u64, at its half-size input
      7 * 7 * ngf * 3 * s; // c7s1-3
    expect(forwardFlops(model, [size, size, 3])).toBe(2 * macs);
    model.dispose();
  });

  it('asks for fixed sizes', () => {
    const input = tf.input({ shape: [null, null, 3] });
    const model = tf.model({ inputs: input, outputs: tf.layers.conv2d({ filters: 2, kernelSize: 3 }).apply(input) as tf.SymbolicTensor });
    expect(() => forwardFlops(model, [Number.NaN, 8, 3].map((v) => (Number.isNaN(v) ? (null as unknown as number) : v)) as [number, number, number])).toThrow(/fixed sizes/);
    model.dispose();
  });
});

describe('CycleGAN ResNet generator', () => {
  it('keeps the image size, ends in tanh, learns, and leaks no tensors', () => {
    const model = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 4, blocks: 2, seed: 7 });
    const input = tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', 3);
    const target = tf.randomUniform([2, 16, 16, 3], -0.5, 0.5, 'float32', 4);
    const optimizer = tf.train.adam(1e-2);
    const loss = () => tf.tidy(() => tf.losses.absoluteDifference(target, model.apply(input) as tf.Tensor).dataSync()[0]!);
    const output = model.predict(input) as tf.Tensor;
    expect(output.shape).toEqual([2, 16, 16, 3]);
    const values = output.dataSync();
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
    output.dispose();
    // 9 residual blocks, two up- and down-sampling layers, as in the paper; here 2 blocks.
    expect(model.layers.filter((l) => l.name.endsWith('_add'))).toHaveLength(2);

    const before = loss();
    const step = () => optimizer.minimize(() => tf.losses.absoluteDifference(target, model.apply(input, { training: true }) as tf.Tensor) as tf.Scalar);
    step(); // Adam creates its slots on the first step
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 15; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(loss()).toBeLessThan(before);
    const same = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 4, blocks: 2, seed: 7 });
    expect(same.getWeights()[0]!.dataSync()).not.toEqual(model.getWeights()[0]!.dataSync());
    [model, same].forEach((m) => m.dispose());
    [input, target].forEach((t) => t.dispose());
    optimizer.dispose();
  });

  it('builds the same weights from the same seed', () => {
    const a = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 2, blocks: 1, seed: 5 });
    const b = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 2, blocks: 1, seed: 5 });
    const c = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 2, blocks: 1, seed: 6 });
    expect(b.getWeights()[0]!.dataSync()).toEqual(a.getWeights()[0]!.dataSync());
    expect(c.getWeights()[0]!.dataSync()).not.toEqual(a.getWeights()[0]!.dataSync());
    [a, b, c].forEach((m) => m.dispose());
  });

  it('says which image sizes it accepts', () => {
    expect(() => checkResnetImageSize(64)).not.toThrow();
    expect(() => checkResnetImageSize(30)).toThrow(/multiples of 4 and at least 8 px, got 30/);
    expect(() => checkResnetImageSize(4)).toThrow(/at least 8 px/);
  });
});

describe('timing summaries', () => {
  it('interpolates percentiles between order statistics', () => {
    expect(percentile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(percentile([10, 20], 0.5)).toBe(15);
    expect(percentile([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBeCloseTo(90);
    const summary = summarise([5, 1, 4, 2, 3]);
    expect(summary).toMatchObject({ reps: 5, medianMs: 3, minMs: 1, maxMs: 5 });
    expect(summary.p10Ms).toBeCloseTo(1.4);
  });
});
