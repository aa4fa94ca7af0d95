/**
 * The SRGAN discriminator (Ledig et al. 2017, figure 4): eight 3×3
 * convolutions, 64 → 512 filters doubling every second layer, strides
 * alternating 1, 2 (so the patch shrinks 16×), LeakyReLU 0.2, batch norm on
 * all but the first; then dense 1024 + LeakyReLU and dense 1, one raw score
 * (logit) per patch. The dense layers fix the input size to the HR training
 * patch. `ndf` scales every width (paper 64; dense = 16·ndf = 1024).
 */
import * as tf from '@tensorflow/tfjs';
import { createWeightInit } from '../shared/layers/index.js';

import { DISCRIMINATOR_REDUCTION } from './config.js';

export { DISCRIMINATOR_REDUCTION };
const CONV_LAYERS = 8;

export interface SrganDiscriminatorOptions {
  /** Side of the square HR patch; a multiple of 16. */
  size: number;
  channels: number;
  ndf: number;
  seed: number;
}

/** Filters and stride of conv layer `i` (0-based): 64,64(s2),128,128(s2),256,256(s2),512,512(s2) for ndf 64. */
export function discriminatorLayer(i: number, ndf: number): { filters: number; strides: number } {
  return { filters: ndf * 2 ** Math.floor(i / 2), strides: i % 2 === 0 ? 1 : 2 };
}

export function buildSrganDiscriminator(options: SrganDiscriminatorOptions): tf.LayersModel {
  const { size, channels, ndf } = options;
  if (!Number.isInteger(size) || size < DISCRIMINATOR_REDUCTION || size % DISCRIMINATOR_REDUCTION !== 0) {
    throw new Error(`The SRGAN discriminator needs a patch size that is a multiple of ${DISCRIMINATOR_REDUCTION} px, got ${size}`);
  }
  const init = createWeightInit(options.seed, 'D');
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;
  const input = tf.input({ name: 'hr', shape: [size, size, channels] });
  let x = input;
  for (let i = 0; i < CONV_LAYERS; i++) {
    const { filters, strides } = discriminatorLayer(i, ndf);
    const normalised = i > 0;
    x = apply(
      tf.layers.conv2d({
        name: `conv${i + 1}`,
        filters,
        kernelSize: 3,
        strides,
        padding: 'same',
        useBias: !normalised,
        kernelInitializer: init.normal(),
      }),
      x,
    );
    if (normalised) x = apply(tf.layers.batchNormalization({ name: `conv${i + 1}_bn`, momentum: 0.9, epsilon: 1e-5 }), x);
    x = apply(tf.layers.leakyReLU({ name: `conv${i + 1}_lrelu`, alpha: 0.2 }), x);
  }
  x = apply(tf.layers.flatten({ name: 'flatten' }), x);
  x = apply(tf.layers.dense({ name: 'dense1', units: 16 * ndf, kernelInitializer: init.normal() }), x);
  x = apply(tf.layers.leakyReLU({ name: 'dense1_lrelu', alpha: 0.2 }), x);
  const score = apply(tf.layers.dense({ name: 'score', units: 1, kernelInitializer: init.normal() }), x);
  return tf.model({ name: 'srgan_D', inputs: input, outputs: score });
}
