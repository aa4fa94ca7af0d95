/**
 * StarGAN's WGAN-GP penalty needs a gradient of a gradient: the penalty is a
 * function of ∇ₓ D(x), and D learns from its gradient with respect to D's
 * weights. That runs the backward pass of the backward kernels
 * (Conv2DBackpropInput, Conv2DBackpropFilter, LeakyReLU's gradient…),
 * including our own wasm ones (backend/). Checked here against tfjs's
 * pure-JS cpu backend on the family's real discriminator, and against a
 * finite difference, before anything trains on it.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { buildStarGanDiscriminator } from '../../src/main/engine/gans/stargan/networks.js';
import { gradientPenalty } from '../../src/main/engine/gans/stargan/model.js';

const options = { size: 16, channels: 3, domains: 3, ndf: 4, layers: 3, seed: 11 };

function seededImages(seed: number): tf.Tensor4D {
  return tf.randomUniform([2, 16, 16, 3], -1, 1, 'float32', seed) as tf.Tensor4D;
}

/** The GP value and its gradient with respect to every weight of D, on the current backend. */
function penaltyAndGradients(): { value: number; grads: Float32Array[]; names: string[] } {
  const D = buildStarGanDiscriminator(options);
  try {
    const real = seededImages(1);
    const fake = seededImages(2);
    const alpha = tf.tensor1d([0.3, 0.8]);
    const variables = D.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => gradientPenalty(D, real, fake, alpha), variables);
    const result = {
      value: value.dataSync()[0]!,
      // D_cls plays no part in the penalty: no gradient, read as zeros.
      grads: variables.map((v) => (grads[v.name] ? (grads[v.name]!.dataSync() as Float32Array) : new Float32Array(v.size))),
      names: D.trainableWeights.map((w) => w.originalName),
    };
    tf.dispose([real, fake, alpha, value, ...Object.values(grads)]);
    return result;
  } finally {
    D.dispose();
  }
}

function maxAbs(values: Float32Array): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return max;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('the gradient penalty (a gradient of a gradient)', () => {
  it('gives the same penalty and weight gradients on wasm (our kernels) as on the cpu backend', async () => {
    await tf.setBackend('cpu');
    const reference = penaltyAndGradients();
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const ours = penaltyAndGradients();
    expect(tf.memory().numTensors).toBe(before);

    expect(ours.names).toEqual(reference.names);
    expect(Math.abs(ours.value - reference.value)).toBeLessThan(1e-4 * Math.max(1, Math.abs(reference.value)));
    // Every kernel of D but the domain head's (D_src does not use it) has a gradient. Biases have none:
    // in a leaky-ReLU net they only move the masks, so ∇ₓD, and with it the penalty, does not depend on them.
    ours.grads.forEach((grad, i) => {
      const ref = reference.grads[i]!;
      const scale = maxAbs(ref);
      let error = 0;
      for (let j = 0; j < ref.length; j++) error = Math.max(error, Math.abs(grad[j]! - ref[j]!));
      expect(error, `${ours.names[i]}: max error ${error} against max |grad| ${scale}`).toBeLessThanOrEqual(1e-3 * scale + 1e-6);
      if (!ours.names[i]!.startsWith('cls') && ours.names[i]!.endsWith('kernel')) expect(scale, `${ours.names[i]} has a gradient`).toBeGreaterThan(0);
    });
    console.log(`GP ${ours.value.toFixed(5)} (cpu ${reference.value.toFixed(5)}); ${ours.grads.length} weight gradients agree`);
  }, 120_000);

  it('matches a finite difference of the penalty along its own gradient (wasm)', async () => {
    await tf.setBackend('wasm');
    const D = buildStarGanDiscriminator(options);
    const real = seededImages(1);
    const fake = seededImages(2);
    const alpha = tf.tensor1d([0.3, 0.8]);
    try {
      const kernel = D.getLayer('conv2').trainableWeights[0]!.read() as tf.Variable;
      const { value, grads } = tf.variableGrads(() => gradientPenalty(D, real, fake, alpha), [kernel]);
      const grad = grads[kernel.name]!;
      const direction = tf.div(grad, tf.norm(grad));
      const predicted = tf.sum(tf.mul(grad, direction)).dataSync()[0]!;
      const original = kernel.clone();
      const at = (eps: number) => {
        kernel.assign(tf.tidy(() => tf.add(original, tf.mul(direction, eps))));
        return tf.tidy(() => gradientPenalty(D, real, fake, alpha).dataSync()[0]!);
      };
      const eps = 1e-3;
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      kernel.assign(original);
      console.log(`GP directional derivative: analytic ${predicted.toFixed(5)}, finite difference ${numeric.toFixed(5)}`);
      expect(predicted).toBeGreaterThan(0);
      expect(Math.abs(numeric - predicted)).toBeLessThan(0.1 * Math.abs(predicted) + 1e-5);
      tf.dispose([value, grad, direction, original]);
    } finally {
      tf.dispose([real, fake, alpha]);
      D.dispose();
    }
  }, 120_000);
});
