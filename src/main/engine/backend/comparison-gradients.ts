// Gradients tfjs 4.22 does not register for any backend, found by taking a
// gradient of a gradient (StarGAN's WGAN-GP penalty, Gulrajani et al. 2017):
// LeakyReLU's and ReLU-like gradients select with a comparison mask
// (`where(greater(x, 0), …)`), and the outer gradient then reaches the
// comparison, which tfjs has no gradient for ("gradient function not found
// for Greater"). A comparison is a step function of its inputs: its
// derivative is zero wherever it exists, which is what we register. First-
// order training never reaches these, so nothing else changes.
import * as tf from '@tensorflow/tfjs';

const comparisons = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual'] as const;

let registered = false;

/** Registers the zero gradients of the comparison kernels (all backends). Safe to call repeatedly; returns their names. */
export function registerComparisonGradients(): string[] {
  if (!registered) {
    for (const kernelName of comparisons) {
      if (tf.getGradient(kernelName) !== undefined) continue;
      tf.registerGradient({
        kernelName,
        inputsToSave: ['a', 'b'],
        gradFunc: (_dy, saved) => {
          const [a, b] = saved as [tf.Tensor, tf.Tensor];
          return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
        },
      });
    }
    registered = true;
  }
  return [...comparisons];
}
