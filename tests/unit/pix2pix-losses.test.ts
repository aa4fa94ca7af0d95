import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { discriminatorLoss, generatorLoss, l1Loss, sigmoidCrossEntropy } from '../../src/main/engine/gans/shared/losses.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** Cross-entropy written the textbook way, −[z·log σ(x) + (1 − z)·log(1 − σ(x))], to check the stable form against. */
const bce = (x: number, z: number) => -(z * Math.log(sigmoid(x)) + (1 - z) * Math.log(1 - sigmoid(x)));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('GAN losses against hand-computed values', () => {
  const real = [0.5, 2, -1];
  const fake = [0.5, -2, 0];
  const realScores = () => tf.tensor4d(real, [1, 1, 3, 1]);
  const fakeScores = () => tf.tensor4d(fake, [1, 1, 3, 1]);

  it('vanilla: D is the cross-entropy to 1 on real and 0 on fake scores; G aims at 1', () => {
    const [r, f] = [realScores(), fakeScores()];
    const d = discriminatorLoss('vanilla', r, f);
    expect(value(d.real)).toBeCloseTo(mean(real.map((x) => bce(x, 1))), 5);
    expect(value(d.fake)).toBeCloseTo(mean(fake.map((x) => bce(x, 0))), 5);
    // Non-saturating G loss: −log σ(D(G(x))).
    expect(value(generatorLoss('vanilla', f))).toBeCloseTo(mean(fake.map((x) => -Math.log(sigmoid(x)))), 5);
    tf.dispose([r, f]);
  });

  it('vanilla with one-sided label smoothing lowers only the real target to 0.9', () => {
    const [r, f] = [realScores(), fakeScores()];
    const d = discriminatorLoss('vanilla', r, f, { labelSmoothing: 0.1 });
    expect(value(d.real)).toBeCloseTo(mean(real.map((x) => bce(x, 0.9))), 5);
    expect(value(d.fake)).toBeCloseTo(mean(fake.map((x) => bce(x, 0))), 5);
    // G still aims at the unsmoothed label.
    expect(value(generatorLoss('vanilla', f))).toBeCloseTo(mean(fake.map((x) => bce(x, 1))), 5);
    tf.dispose([r, f]);
  });

  it('lsgan: squared distance to 1 / 0', () => {
    const [r, f] = [realScores(), fakeScores()];
    const d = discriminatorLoss('lsgan', r, f);
    // real: (0.5−1)², (2−1)², (−1−1)² = 0.25, 1, 4
    expect(value(d.real)).toBeCloseTo((0.25 + 1 + 4) / 3, 6);
    // fake: 0.25, 4, 0
    expect(value(d.fake)).toBeCloseTo((0.25 + 4 + 0) / 3, 6);
    // G: (0.5−1)², (−2−1)², (0−1)² = 0.25, 9, 1
    expect(value(generatorLoss('lsgan', f))).toBeCloseTo((0.25 + 9 + 1) / 3, 6);
    const smoothed = discriminatorLoss('lsgan', r, f, { labelSmoothing: 0.1 });
    // (0.5−0.9)², (2−0.9)², (−1−0.9)² = 0.16, 1.21, 3.61
    expect(value(smoothed.real)).toBeCloseTo((0.16 + 1.21 + 3.61) / 3, 5);
    smoothed.fake.dispose();
    tf.dispose([r, f]);
  });

  it('hinge: D pays max(0, 1 − real) and max(0, 1 + fake); G pays −fake', () => {
    const [r, f] = [realScores(), fakeScores()];
    const d = discriminatorLoss('hinge', r, f);
    expect(value(d.real)).toBeCloseTo((0.5 + 0 + 2) / 3, 6);
    expect(value(d.fake)).toBeCloseTo((1.5 + 0 + 1) / 3, 6);
    expect(value(generatorLoss('hinge', f))).toBeCloseTo(-(0.5 - 2 + 0) / 3, 6);
    tf.dispose([r, f]);
  });

  it('cross-entropy stays finite for confident scores where the textbook form overflows', () => {
    const logits = tf.tensor1d([100, -100]);
    // log(1 − σ(100)) is log(0) in float arithmetic; the stable form gives the exact 100.
    expect(value(sigmoidCrossEntropy(logits.slice(0, 1), 0))).toBeCloseTo(100, 3);
    expect(value(sigmoidCrossEntropy(logits.slice(1, 1), 1))).toBeCloseTo(100, 3);
    expect(value(sigmoidCrossEntropy(logits, 1))).toBeCloseTo(50, 3);
    logits.dispose();
  });

  it('L1 is the mean absolute difference', () => {
    const a = tf.tensor1d([1, -1, 0.5, 0]);
    const b = tf.tensor1d([0, 1, 0.5, -0.25]);
    expect(value(l1Loss(a, b))).toBeCloseTo((1 + 2 + 0 + 0.25) / 4, 6);
    tf.dispose([a, b]);
  });

  it('rejects label smoothing outside [0, 1)', () => {
    const [r, f] = [realScores(), fakeScores()];
    expect(() => discriminatorLoss('vanilla', r, f, { labelSmoothing: 1 })).toThrow(/labelSmoothing/);
    expect(() => discriminatorLoss('lsgan', r, f, { labelSmoothing: -0.1 })).toThrow(/labelSmoothing/);
    tf.dispose([r, f]);
  });

  it('leaves no tensors behind', () => {
    const [r, f] = [realScores(), fakeScores()];
    const before = tf.memory().numTensors;
    for (const kind of ['vanilla', 'lsgan', 'hinge'] as const) {
      const d = discriminatorLoss(kind, r, f, kind === 'hinge' ? {} : { labelSmoothing: 0.1 });
      tf.dispose([d.real, d.fake, generatorLoss(kind, f)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([r, f]);
  });
});
