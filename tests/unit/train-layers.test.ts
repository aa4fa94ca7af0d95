import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import {
  InstanceNorm,
  PixelShuffle,
  ReflectionPad2D,
  SeededDropout,
  createWeightInit,
  pixelShuffle,
  reseedDropout,
} from '../../src/main/engine/gans/shared/layers/index.js';
import { SeededRandom, seedFor } from '../../src/main/engine/random.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const random = new SeededRandom(seed);
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.normal());
  return tf.tensor(values, shape);
}

/** Every trainable weight and the input get a non-zero gradient through the layer. */
function expectGradients(layer: tf.layers.Layer, x: tf.Tensor): void {
  tf.tidy(() => {
    layer.apply(x); // builds the weights, which are meant to outlive this
  });
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    // A non-uniform weighting, or the gradients of a normalisation would cancel to 0.
    const weighting = randomTensor((layer.apply(x) as tf.Tensor).shape, 99);
    const loss = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, weighting)) as tf.Scalar;
    const { grads } = variables.length > 0 ? tf.variableGrads(loss, variables) : { grads: {} as tf.NamedTensorMap };
    for (const v of variables) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      expect(tf.max(tf.abs(g as tf.Tensor)).dataSync()[0]).toBeGreaterThan(0);
    }
    const inputGrad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, weighting)))(x);
    expect(inputGrad.shape).toEqual(x.shape);
    expect(tf.max(tf.abs(inputGrad)).dataSync()[0]).toBeGreaterThan(0);
  });
  expect(tf.memory().numTensors).toBe(before);
}

/** Saves a one-layer model's topology as JSON and rebuilds it by class name. */
async function roundTrip<T extends tf.layers.Layer>(layer: T, inputShape: number[] = [4, 4, 8]): Promise<T> {
  const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), layer] });
  const topology = JSON.parse(JSON.stringify(model.toJSON(undefined, false)));
  model.dispose();
  const restored = await tf.models.modelFromJSON({ modelTopology: topology });
  const found = restored.layers.find((l) => l.getClassName() === layer.getClassName());
  expect(found, `${layer.getClassName()} after deserialising`).toBeDefined();
  expect(found).not.toBe(layer);
  return found as T;
}

describe('InstanceNorm', () => {
  it('normalises each image and channel by its own mean and variance', () => {
    const x = randomTensor([2, 5, 7, 3], 1);
    const y = new InstanceNorm({}).apply(x) as tf.Tensor;
    const values = x.arraySync() as number[][][][];
    const out = y.arraySync() as number[][][][];
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 3; c++) {
        const vs = values[n]!.flatMap((row) => row.map((px) => px[c]!));
        const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
        const variance = vs.reduce((a, b) => a + (b - mean) ** 2, 0) / vs.length;
        const expected = (vs[4]! - mean) / Math.sqrt(variance + 1e-5);
        // pixel 4 = row 0, column 4
        expect(out[n]![0]![4]![c]).toBeCloseTo(expected, 4);
      }
    }
    tf.dispose([x, y]);
  });

  it('does not depend on the other images in the batch', () => {
    const a = randomTensor([1, 4, 4, 2], 2);
    const b = tf.mul(randomTensor([1, 4, 4, 2], 3), 50);
    const layer = new InstanceNorm({});
    const alone = layer.apply(a) as tf.Tensor;
    const together = tf.slice(layer.apply(tf.concat([a, b])) as tf.Tensor, [0], [1]);
    expect(tf.max(tf.abs(tf.sub(alone, together))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('has a learnable scale and shift only when affine', () => {
    const x = randomTensor([1, 4, 4, 3], 4);
    const plain = new InstanceNorm({});
    plain.apply(x);
    expect(plain.trainableWeights).toHaveLength(0);
    const affine = new InstanceNorm({ affine: true });
    expectGradients(affine, x);
    expect(affine.trainableWeights.map((w) => w.shape)).toEqual([[3], [3]]);
    affine.setWeights([tf.tensor1d([2, 2, 2]), tf.tensor1d([1, 1, 1])]);
    const diff = tf.sub(affine.apply(x) as tf.Tensor, tf.add(tf.mul(plain.apply(x) as tf.Tensor, 2), 1));
    expect(tf.max(tf.abs(diff)).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('passes gradients to its input and survives serialisation', async () => {
    expectGradients(new InstanceNorm({}), randomTensor([2, 4, 4, 3], 5));
    const layer = await roundTrip(new InstanceNorm({ affine: true, epsilon: 1e-3 }));
    expect(layer).toBeInstanceOf(InstanceNorm);
    expect([layer.affine, layer.epsilon]).toEqual([true, 1e-3]);
  });
});

describe('ReflectionPad2D', () => {
  it('mirrors about the edge pixel without repeating it', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const y = new ReflectionPad2D({ padding: 1 }).apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 5, 5, 1]);
    expect((y.reshape([5, 5]).arraySync() as number[][])[0]).toEqual([5, 4, 5, 6, 5]);
    expect((y.reshape([5, 5]).arraySync() as number[][])[1]).toEqual([2, 1, 2, 3, 2]);
  });

  it('pads top/bottom and left/right separately and reports its output shape', () => {
    const layer = new ReflectionPad2D({ padding: [[1, 2], [0, 3]] });
    const y = layer.apply(randomTensor([2, 5, 6, 3], 6)) as tf.Tensor;
    expect(y.shape).toEqual([2, 8, 9, 3]);
    expect(layer.computeOutputShape([null, 5, 6, 3])).toEqual([null, 8, 9, 3]);
    expectGradients(layer, randomTensor([1, 5, 6, 2], 7));
  });

  it('explains padding larger than the image', () => {
    expect(() => new ReflectionPad2D({ padding: 3 }).apply(randomTensor([1, 3, 3, 1], 8))).toThrow(/too large for a 3×3 image/);
    expect(() => new ReflectionPad2D({ padding: -1 })).toThrow(/non-negative/);
  });
});

describe('PixelShuffle', () => {
  it('equals tfjs depthToSpace (which has no gradient)', () => {
    const x = randomTensor([2, 3, 4, 12], 9) as tf.Tensor4D;
    const ours = pixelShuffle(x, 2);
    const reference = tf.depthToSpace(x, 2, 'NHWC');
    expect(ours.shape).toEqual([2, 6, 8, 3]);
    expect(tf.max(tf.abs(tf.sub(ours, reference))).dataSync()[0]).toBe(0);
  });

  it('is differentiable and a serialisable layer', async () => {
    const layer = new PixelShuffle({ scale: 3 });
    expect(layer.computeOutputShape([null, 4, 4, 18])).toEqual([null, 12, 12, 2]);
    expectGradients(layer, randomTensor([1, 2, 2, 9], 10));
    expect((await roundTrip(new PixelShuffle({ scale: 2 }))).scale).toBe(2);
  });

  it('rejects a channel count that does not divide', () => {
    expect(() => pixelShuffle(randomTensor([1, 2, 2, 6], 11) as tf.Tensor4D, 2)).toThrow(/divisible by 4, got 6/);
  });
});

describe('SeededDropout', () => {
  const ones = () => tf.ones([1, 8, 8, 16]);

  it('drops only in training, with the same mask for the same seed', () => {
    const layer = new SeededDropout({ rate: 0.5 });
    const x = ones();
    expect(tf.sum(tf.sub(layer.apply(x) as tf.Tensor, x)).dataSync()[0]).toBe(0);
    layer.reseed(seedFor(7, 3));
    const first = layer.apply(x, { training: true }) as tf.Tensor;
    layer.reseed(seedFor(7, 3));
    const again = layer.apply(x, { training: true }) as tf.Tensor;
    layer.reseed(seedFor(7, 4));
    const other = layer.apply(x, { training: true }) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(first, again))).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(tf.sub(first, other))).dataSync()[0]).toBeGreaterThan(0);
    // Kept units are scaled by 1/(1 − rate) and about half are kept.
    const values = Array.from(first.dataSync());
    expect(new Set(values)).toEqual(new Set([0, 2]));
    const kept = values.filter((v) => v > 0).length / values.length;
    expect(kept).toBeGreaterThan(0.35);
    expect(kept).toBeLessThan(0.65);
  });

  it('reseeds every dropout layer of a model differently and passes gradients', () => {
    const input = tf.input({ shape: [4, 4, 8] });
    const a = new SeededDropout({ rate: 0.5 });
    const b = new SeededDropout({ rate: 0.5 });
    const model = tf.model({ inputs: input, outputs: [a.apply(input) as tf.SymbolicTensor, b.apply(input) as tf.SymbolicTensor] });
    expect(reseedDropout(model, 42)).toBe(2);
    const [ya, yb] = model.apply(tf.ones([1, 4, 4, 8]), { training: true }) as tf.Tensor[];
    expect(tf.max(tf.abs(tf.sub(ya as tf.Tensor, yb as tf.Tensor))).dataSync()[0]).toBeGreaterThan(0);
    const layer = new SeededDropout({ rate: 0.3 });
    const grad = tf.grad((x: tf.Tensor) => tf.sum(layer.apply(x, { training: true }) as tf.Tensor))(ones());
    expect(new Set(Array.from(grad.dataSync()).map((v) => Math.round(v * 1e4) / 1e4))).toEqual(new Set([0, Math.round(1e4 / 0.7) / 1e4]));
    model.dispose();
  });

  it('can stay on at inference (pix2pix noise) and round-trips its config', async () => {
    const layer = new SeededDropout({ rate: 0.5, atInference: true });
    expect(Array.from((layer.apply(ones()) as tf.Tensor).dataSync())).toContain(0);
    const restored = await roundTrip(new SeededDropout({ rate: 0.25, seed: 5, atInference: true }));
    expect([restored.rate, restored.atInference]).toEqual([0.25, true]);
  });
});

describe('seeded weights and random numbers', () => {
  it('builds identical networks from the same seed and different ones otherwise', () => {
    const build = (seed: number) => {
      const init = createWeightInit(seed, 'G');
      const layer = tf.layers.conv2d({ filters: 4, kernelSize: 3, kernelInitializer: init.normal() });
      layer.apply(tf.zeros([1, 5, 5, 2]));
      return layer.getWeights()[0] as tf.Tensor;
    };
    const a = build(1);
    const b = build(1);
    const c = build(2);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]).toBeGreaterThan(0);
    const std = tf.moments(a).variance.sqrt().dataSync()[0] as number;
    expect(std).toBeGreaterThan(0.01);
    expect(std).toBeLessThan(0.03);
  });

  it('derives independent, repeatable seeds and numbers', () => {
    expect(seedFor(1, 2, 'x')).toBe(seedFor(1, 2, 'x'));
    const seeds = new Set(Array.from({ length: 1000 }, (_, step) => seedFor(1, step)));
    expect(seeds.size).toBe(1000);
    expect(seedFor(1, 2 ** 32)).not.toBe(seedFor(1, 0));
    const r1 = new SeededRandom(5);
    const r2 = new SeededRandom(5);
    const xs = Array.from({ length: 2000 }, () => r1.next());
    expect(xs).toEqual(Array.from({ length: 2000 }, () => r2.next()));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(new SeededRandom(3).shuffled([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => new SeededRandom(1).int(0)).toThrow(/positive integer/);
  });
});
