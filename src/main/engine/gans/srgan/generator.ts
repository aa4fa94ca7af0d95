/**
 * The SRGAN generator, SRResNet (Ledig et al. 2017, "Photo-Realistic Single
 * Image Super-Resolution Using a Generative Adversarial Network", figure 4):
 *
 *   9×9 conv (64) + PReLU
 *   B residual blocks (paper: 16): conv3×3 – BN – PReLU – conv3×3 – BN, + skip
 *   conv3×3 – BN, + the long skip from the first PReLU
 *   upsampling: conv3×3 (64·r²) – pixel shuffle ×r – PReLU; two ×2 blocks for
 *     ×4 (the paper), one for ×2, one ×3 block for ×3
 *   9×9 conv to the image channels
 *   or, with `upsampling: 'direct'`, instead of the two lines above: one
 *     conv3×3 (channels·r²) – pixel shuffle ×r, all at the low resolution
 *     (ESPCN, Shi et al. 2016)
 *   (optionally) + the input upscaled bicubically, see `imageSkip`
 *
 * 'none' drops every batch norm, as ESRGAN does (Wang et al. 2018, "ESRGAN:
 * Enhanced Super-Resolution Generative Adversarial Networks", section 3.1:
 * BN brings artefacts when training and test statistics differ, and removing
 * it improves generalisation and lowers cost).
 *
 * The last layer is linear, not tanh: photos have many pixels at or near the
 * ends of the range (skies, highlights, shadows) and a tanh must push its
 * input towards ±∞ to reach them, where its gradient vanishes; ESRGAN's
 * generator also ends in a plain convolution. `translate` clamps to [-1, 1].
 *
 * PReLU slopes are learned per channel and start at 0.25 (He et al. 2015,
 * "Delving Deep into Rectifiers", section 2.1). Fully convolutional: any
 * input size works.
 */
import * as tf from '@tensorflow/tfjs';
import { createWeightInit, PixelShuffle } from '../shared/layers/index.js';
import { BicubicUpsample } from './bicubic-upsample.js';
import type { ImageSkipKind, SrganNormKind, UpsamplingKind } from './config.js';

export { srganNormKinds, srganScales, imageSkipKinds, upsamplingKinds, type SrganNormKind, type ImageSkipKind, type UpsamplingKind } from './config.js';

/** ESRGAN's scale of the residual-branch initialisation (Wang et al. 2018, section 3.3). */
export const RESIDUAL_INIT_GAIN = 0.1;

/**
 * The last layer starts small, so the first outputs are near mid-grey instead
 * of loud noise the content loss must first undo (the same idea as ESRGAN's
 * scaled initialisation, applied to the image layer).
 */
export const TAIL_INIT_GAIN = 0.1;

export interface SrresnetOptions {
  scale: number;
  channels: number;
  /** Feature maps of every convolution but the last (paper: 64). */
  filters: number;
  /** Residual blocks (paper: 16). */
  blocks: number;
  norm: SrganNormKind;
  /**
   * 'bicubic' makes the network learn only the detail a bicubic upscale
   * lacks (global residual learning, Kim et al. 2016, "Accurate Image
   * Super-Resolution Using Very Deep Convolutional Networks" (VDSR), section
   * 3.1): the output starts near a plain upscale instead of grey, which
   * shortens training a lot. Not in SRGAN.
   */
  imageSkip: ImageSkipKind;
  /** Default 'progressive' (the paper). */
  upsampling?: UpsamplingKind;
  seed: number;
}

/** The pixel-shuffle factors of the upsampling blocks, in order: ×4 is two ×2 (paper), ×3 one ×3. */
export function upsamplingFactors(scale: number): number[] {
  switch (scale) {
    case 2:
      return [2];
    case 3:
      return [3];
    case 4:
      return [2, 2];
    default:
      throw new Error(`SRGAN upscales by 2, 3 or 4, got ${scale}`);
  }
}

export function buildSrresnetGenerator(options: SrresnetOptions): tf.LayersModel {
  const { channels, filters, blocks, norm } = options;
  const init = createWeightInit(options.seed, 'G');
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  /**
   * He-normal weights, std √(2 / fan-in). `gain` < 1 shrinks a residual
   * branch: without batch norm, each block would otherwise add its own
   * variance and deep stacks start out exploding (ESRGAN, section 3.3, scales
   * the initialisation by 0.1 for the same reason). A bias right before batch
   * norm would be cancelled by it, so those convolutions have none.
   */
  const conv = (name: string, width: number, kernelSize: number, inputs: number, beforeNorm: boolean, gain = 1) =>
    tf.layers.conv2d({
      name,
      filters: width,
      kernelSize,
      padding: 'same',
      useBias: !(beforeNorm && norm === 'batch'),
      kernelInitializer: init.normal(gain * Math.sqrt(2 / (kernelSize * kernelSize * inputs))),
    });
  const branchGain = norm === 'none' ? RESIDUAL_INIT_GAIN : 1;
  const prelu = (name: string) =>
    tf.layers.prelu({ name, sharedAxes: [1, 2], alphaInitializer: tf.initializers.constant({ value: 0.25 }) });
  // PyTorch's BatchNorm2d defaults (momentum 0.1 → keep 0.9; epsilon 1e-5).
  const normalise = (name: string, x: tf.SymbolicTensor) =>
    norm === 'batch' ? apply(tf.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-5 }), x) : x;

  const input = tf.input({ name: 'lr', shape: [null, null, channels] });
  const head = apply(prelu('head_prelu'), apply(conv('head', filters, 9, channels, false), input));
  let x = head;
  for (let b = 1; b <= blocks; b++) {
    let y = normalise(`block${b}_bn1`, apply(conv(`block${b}_conv1`, filters, 3, filters, true), x));
    y = apply(prelu(`block${b}_prelu`), y);
    y = normalise(`block${b}_bn2`, apply(conv(`block${b}_conv2`, filters, 3, filters, true, branchGain), y));
    x = apply(tf.layers.add({ name: `block${b}_skip` }), [x, y]);
  }
  x = normalise('body_bn', apply(conv('body_conv', filters, 3, filters, true, branchGain), x));
  x = apply(tf.layers.add({ name: 'long_skip' }), [head, x]);
  // Over a bicubic skip the output starts as the plain upscale, plus almost nothing.
  const tailGain = options.imageSkip === 'bicubic' ? TAIL_INIT_GAIN / 10 : TAIL_INIT_GAIN;
  let output: tf.SymbolicTensor;
  if (options.upsampling === 'direct') {
    upsamplingFactors(options.scale); // the same scales as the paper's path
    const subpixels = apply(conv('tail', channels * options.scale * options.scale, 3, filters, false, tailGain), x);
    output = apply(new PixelShuffle({ name: 'tail_shuffle', scale: options.scale }), subpixels);
  } else {
    upsamplingFactors(options.scale).forEach((factor, i) => {
      x = apply(conv(`up${i + 1}_conv`, filters * factor * factor, 3, filters, false), x);
      x = apply(new PixelShuffle({ name: `up${i + 1}_shuffle`, scale: factor }), x);
      x = apply(prelu(`up${i + 1}_prelu`), x);
    });
    output = apply(conv('tail', channels, 9, filters, false, tailGain), x);
  }
  if (options.imageSkip === 'bicubic') {
    const upscaled = apply(new BicubicUpsample({ name: 'image_upscaled', scale: options.scale }), input);
    output = apply(tf.layers.add({ name: 'image_skip' }), [upscaled, output]);
  }
  return tf.model({ name: 'srgan_G', inputs: input, outputs: output });
}
