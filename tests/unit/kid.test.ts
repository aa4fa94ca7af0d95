/**
 * KID (Bińkowski et al. 2018): the unbiased MMD² with the cubic polynomial
 * kernel, checked against a direct computation on small sets, and on real
 * features: near zero for two halves of one set of images, larger for two
 * styles, and the feature network loads offline from the nsfwjs package.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { kernelInceptionDistance, type FeatureSet } from '../../src/main/engine/evaluation/kid.js';
import { loadFeatureNetwork } from '../../src/main/engine/evaluation/feature-network.js';
import { SeededRandom } from '../../src/main/engine/random.js';

function set(rows: number[][]): FeatureSet {
  return { rows: rows.length, dims: rows[0]!.length, data: Float32Array.from(rows.flat()) };
}

function gaussian(rows: number, dims: number, shift: number, seed: number): FeatureSet {
  const random = new SeededRandom(seed);
  return { rows, dims, data: Float32Array.from({ length: rows * dims }, () => random.normal() + shift) };
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('KID', () => {
  it('is the unbiased MMD² with k(x, y) = (x·y/d + 1)³, ×1000', () => {
    const x = [[1, 0], [0, 1], [1, 1]];
    const y = [[2, 0], [0, 0]];
    const k = (a: number[], b: number[]) => ((a[0]! * b[0]! + a[1]! * b[1]!) / 2 + 1) ** 3;
    let xx = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (i !== j) xx += k(x[i]!, x[j]!);
    const yy = 2 * k(y[0]!, y[1]!);
    let xy = 0;
    for (const a of x) for (const b of y) xy += k(a, b);
    const expected = (xx / 6 + yy / 2 - (2 * xy) / 6) * 1000;
    expect(kernelInceptionDistance(set(x), set(y), { subsets: 0 }).kid).toBeCloseTo(expected, 6);
  });

  it('is about zero for samples of one distribution and grows with the distance between two', () => {
    const same = kernelInceptionDistance(gaussian(200, 16, 0, 1), gaussian(200, 16, 0, 2));
    const near = kernelInceptionDistance(gaussian(200, 16, 0, 1), gaussian(200, 16, 0.3, 3));
    const far = kernelInceptionDistance(gaussian(200, 16, 0, 1), gaussian(200, 16, 1, 4));
    expect(Math.abs(same.kid)).toBeLessThan(3 * same.std + 1);
    expect(near.kid).toBeGreaterThan(same.kid + 3 * same.std);
    expect(far.kid).toBeGreaterThan(near.kid);
    expect(same.subsets).toBe(10);
    // Subsets are at most half of the smaller set, so they differ and their spread is real.
    expect(same.subsetSize).toBe(100);
    expect(same.std).toBeGreaterThan(0);
    expect(kernelInceptionDistance(gaussian(40, 4, 0, 1), gaussian(30, 4, 0, 2)).subsetSize).toBe(15);
  });
});

describe('the feature network', () => {
  it('loads MobileNetV2 from nsfwjs offline and gives 1280 pooled features per image, leaking nothing', async () => {
    const network = await loadFeatureNetwork('mobilenet-v2');
    const before = tf.memory().numTensors;
    const images = tf.randomUniform([3, 40, 40, 3], -1, 1) as tf.Tensor4D;
    const features = network.features(images);
    expect(features.shape).toEqual([3, 1280]);
    expect(network.size).toBe(224);
    tf.dispose([images, features]);
    expect(tf.memory().numTensors).toBe(before);
    network.dispose();
  }, 60_000);
});
