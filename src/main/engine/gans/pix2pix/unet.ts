/**
 * The pix2pix generator: a U-Net ("encoder-decoder with skips", Isola et al.
 * 2017, section 2.1.1 and appendix 6.1.1).
 *
 * The encoder halves the image with 4×4 stride-2 convolutions until it is
 * 1×1: log2(size) steps, 8 for the paper's 256 px. Filters follow
 * C64-C128-C256-C512-C512-… (times ngf/64), LeakyReLU 0.2 before each
 * convolution but the first, and no normalisation on the first layer
 * (appendix 6.1.1) nor on the 1×1 bottleneck, where per-image statistics of a
 * single pixel would zero every feature (junyanz's innermost block has none
 * either). The decoder mirrors it with 4×4 stride-2 transposed convolutions,
 * plain ReLU, and concatenates each result with the encoder features of the
 * same size; its first three layers apply 50 % dropout, the paper's only
 * source of noise (section 2.2). The last layer maps to the output channels
 * and ends in tanh.
 *
 * The network is fully convolutional: it accepts any image whose sides are
 * multiples of 2^depth (the paper applies 256-px models to 512-px maps, 4.1).
 */
import * as tf from '@tensorflow/tfjs';
import { createWeightInit, SeededDropout } from '../shared/layers/index.js';
import { normLayer, type NormKind } from '../shared/networks/normalization.js';

/** How many decoder layers get dropout (Isola et al. 2017, appendix 6.1.1: CD512-CD1024-CD1024). */
export const DROPOUT_DECODER_LAYERS = 3;
/** Encoder widths stop doubling at 8 × ngf (C512 for ngf 64). */
const MAX_WIDTH_FACTOR = 8;

export interface UnetOptions {
  size: number;
  inChannels: number;
  outChannels: number;
  ngf: number;
  norm: NormKind;
  /** Dropout rate of the first decoder layers; 0 leaves them out. */
  dropout: number;
  seed: number;
}

/** Down-sampling steps to reach 1×1: log2(size). Throws unless size is a power of two ≥ 8. */
export function unetDepth(size: number): number {
  const depth = Math.log2(size);
  if (!Number.isInteger(depth) || depth < 3) {
    throw new Error(`The pix2pix U-Net needs a power-of-two image size of at least 8 px (e.g. 32, 64, 256), got ${size}`);
  }
  return depth;
}

/** Filters of encoder layer `level` (0 = first). */
export function encoderWidth(level: number, ngf: number): number {
  return ngf * Math.min(2 ** level, MAX_WIDTH_FACTOR);
}

export function buildUnetGenerator(options: UnetOptions): tf.LayersModel {
  const { inChannels, outChannels, ngf, norm, dropout } = options;
  const depth = unetDepth(options.size);
  const init = createWeightInit(options.seed, 'G');
  const conv = (name: string, filters: number, useBias: boolean) =>
    tf.layers.conv2d({ name, filters, kernelSize: 4, strides: 2, padding: 'same', useBias, kernelInitializer: init.normal() });
  const upConv = (name: string, filters: number, useBias: boolean) =>
    tf.layers.conv2dTranspose({ name, filters, kernelSize: 4, strides: 2, padding: 'same', useBias, kernelInitializer: init.normal() });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

  const input = tf.input({ name: 'input', shape: [null, null, inChannels] });
  const skips: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = input;
  for (let level = 0; level < depth; level++) {
    const normalised = level > 0 && level < depth - 1;
    if (level > 0) x = apply(tf.layers.leakyReLU({ name: `down${level + 1}_lrelu`, alpha: 0.2 }), x);
    // A bias right before a norm layer would be cancelled by it; the norm's shift replaces it.
    x = apply(conv(`down${level + 1}`, encoderWidth(level, ngf), !normalised), x);
    if (normalised) x = apply(normLayer(norm, `down${level + 1}_norm`), x);
    skips.push(x);
  }

  for (let step = 0; step < depth - 1; step++) {
    const level = depth - 2 - step; // the encoder level whose size this layer restores
    x = apply(tf.layers.reLU({ name: `up${step + 1}_relu` }), x);
    x = apply(upConv(`up${step + 1}`, encoderWidth(level, ngf), false), x);
    x = apply(normLayer(norm, `up${step + 1}_norm`), x);
    if (step < DROPOUT_DECODER_LAYERS && dropout > 0) {
      x = apply(new SeededDropout({ name: `up${step + 1}_dropout`, rate: dropout, seed: options.seed + step }), x);
    }
    x = apply(tf.layers.concatenate({ name: `up${step + 1}_skip`, axis: -1 }), [skips[level]!, x]);
  }
  x = apply(tf.layers.reLU({ name: `up${depth}_relu` }), x);
  x = apply(upConv(`up${depth}`, outChannels, true), x);
  const output = apply(tf.layers.activation({ name: 'output', activation: 'tanh' }), x);
  return tf.model({ name: 'pix2pix_G', inputs: input, outputs: output });
}
