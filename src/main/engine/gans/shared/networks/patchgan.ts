/**
 * The pix2pix discriminator: a PatchGAN (Isola et al. 2017, section 2.2.2 and
 * appendix 6.1.2) that scores every N×N patch of the (input, output) pair as
 * real or fake, instead of the whole image.
 *
 * The paper's 70×70 configuration is C64-C128-C256-C512 followed by a
 * 1-channel convolution, all 4×4, LeakyReLU 0.2, no norm on the first layer.
 * As in junyanz/pytorch-CycleGAN-and-pix2pix (`NLayerDiscriminator`,
 * n_layers = 3), the first three convolutions have stride 2 and the last two
 * stride 1 with one pixel of padding, so a 256-px pair gives a 30×30 map.
 *
 * Each stride-2 layer halves the image and the two stride-1 layers take one
 * pixel each: output side = size / 2^layers − 2. Small images therefore get
 * fewer stride-2 layers: layers = min(3, log2(size) − 2), which keeps the map
 * at least 2×2 (8 px → 1 layer, 16 px → 2, 32 px and up → 3). The output is
 * raw scores (logits); the loss applies the sigmoid when it needs one.
 */
import * as tf from '@tensorflow/tfjs';
import { createWeightInit } from '../layers/index.js';
import { normLayer, type NormKind } from './normalization.js';
import { PAPER_PATCH_LAYERS } from './patch-geometry.js';

export { PAPER_PATCH_LAYERS, patchLayersFor, patchOutputSize, patchReceptiveField } from './patch-geometry.js';

const MAX_WIDTH_FACTOR = 8;

export interface PatchGanOptions {
  /** Channels of the concatenated (input, output) pair. */
  channels: number;
  ndf: number;
  /** Stride-2 layers (the paper's n_layers). */
  layers: number;
  norm: NormKind;
  seed: number;
}

export function buildPatchGanDiscriminator(options: PatchGanOptions): tf.LayersModel {
  const { channels, ndf, layers, norm } = options;
  if (!Number.isInteger(layers) || layers < 1) throw new Error(`The PatchGAN needs at least one down-sampling layer, got ${layers}`);
  const init = createWeightInit(options.seed, 'D');
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;
  const conv = (name: string, filters: number, strides: number, useBias: boolean) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 4,
      strides,
      // Stride 2: 'same' pads one pixel each side on even sizes, like PyTorch's padding=1.
      padding: strides === 2 ? 'same' : 'valid',
      useBias,
      kernelInitializer: init.normal(),
    });

  const input = tf.input({ name: 'pair', shape: [null, null, channels] });
  let x = apply(conv('conv1', ndf, 2, true), input);
  x = apply(tf.layers.leakyReLU({ name: 'conv1_lrelu', alpha: 0.2 }), x);
  for (let n = 1; n <= layers; n++) {
    const width = ndf * Math.min(2 ** n, MAX_WIDTH_FACTOR);
    const strides = n < layers ? 2 : 1;
    if (strides === 1) x = apply(tf.layers.zeroPadding2d({ name: `conv${n + 1}_pad`, padding: 1 }), x);
    x = apply(conv(`conv${n + 1}`, width, strides, false), x);
    x = apply(normLayer(norm, `conv${n + 1}_norm`), x);
    x = apply(tf.layers.leakyReLU({ name: `conv${n + 1}_lrelu`, alpha: 0.2 }), x);
  }
  x = apply(tf.layers.zeroPadding2d({ name: 'scores_pad', padding: 1 }), x);
  const scores = apply(conv('scores', 1, 1, true), x);
  return tf.model({ name: 'pix2pix_D', inputs: input, outputs: scores });
}
