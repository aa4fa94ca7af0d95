import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { decayStart, learningRateFactor, learningRatesAt, setLearningRate } from '../../src/main/engine/train/learning-rate.js';
import { template } from './fixtures/template-family.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('learning-rate schedule', () => {
  it('is constant for the first half, then falls linearly towards zero', () => {
    const config = { steps: 10, decayFrom: undefined };
    expect(decayStart(config)).toBe(5);
    const factors = Array.from({ length: 10 }, (_, step) => learningRateFactor(step, config));
    expect(factors.map((f) => Math.round(f * 1000) / 1000)).toEqual([1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2]);
  });

  it('starts the decay where decayFrom says, and not at all when it equals steps', () => {
    expect(Array.from({ length: 4 }, (_, s) => learningRateFactor(s, { steps: 4, decayFrom: 0 }))).toEqual([1, 0.75, 0.5, 0.25]);
    expect(Array.from({ length: 3 }, (_, s) => learningRateFactor(s, { steps: 3, decayFrom: 3 }))).toEqual([1, 1, 1]);
    expect(learningRateFactor(250_000, { steps: 200_000, decayFrom: 100_000 })).toBe(0);
  });

  it('gives every optimizer its own base rate times the factor, and names a missing one', () => {
    const config = parseFamilyConfig(template, { steps: 100, decayFrom: 50, lr: { G: 2e-4, D: 1e-4 } });
    expect(learningRatesAt(75, config, ['G', 'D'])).toEqual({ G: 1e-4, D: 5e-5 });
    expect(() => learningRatesAt(0, config, ['G', 'D', 'C'])).toThrow("no learning rate for optimizer 'C' (lr.C)");
  });

  it('rejects a decay that starts after the last step', () => {
    expect(() => parseFamilyConfig(template, { steps: 10, decayFrom: 11 })).toThrow(/decayFrom \(11\) is after the last step \(10\)/);
    expect(() => parseFamilyConfig(template, { steps: -1 })).toThrow(/Invalid Template settings: steps:/);
  });
});

describe('setLearningRate', () => {
  it('changes the size of the very next Adam update', () => {
    const w = tf.variable(tf.tensor1d([1, -1, 2]));
    const adam = tf.train.adam(0.5);
    const loss = () => tf.sum(tf.mul(w, tf.tensor1d([3, -2, 1]))) as tf.Scalar;
    const step = (rate: number) => {
      setLearningRate(adam, rate);
      const before = w.dataSync().slice();
      adam.minimize(loss);
      return Array.from(w.dataSync()).map((v, i) => v - (before[i] as number));
    };
    expect(step(0)).toEqual([0, 0, 0]);
    // Adam's first non-trivial step moves each weight by about lr against the gradient's sign.
    const moved = step(0.01);
    expect(moved[0]).toBeCloseTo(-0.01, 4);
    expect(moved[1]).toBeCloseTo(0.01, 4);
    expect(moved[2]).toBeCloseTo(-0.01, 4);
    adam.dispose();
    w.dispose();
  });

  it('explains an optimizer without a learning rate', () => {
    const odd = Object.assign(Object.create(tf.train.sgd(0.1)), { learningRate: undefined, getClassName: () => 'Odd' });
    expect(() => setLearningRate(odd, 0.1)).toThrow('The Odd optimizer has no adjustable learning rate');
  });
});
