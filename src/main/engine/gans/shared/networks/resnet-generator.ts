/**
 * The CycleGAN generator: a ResNet of Johnson et al. 2016 as configured by
 * Zhu et al. 2017 (appendix 7.2): c7s1-64, d128, d256, R256 × 9, u128, u64,
 * c7s1-3, for 256 px images (6 residual blocks for 128 px in the paper).
 *
 * - c7s1-k: 7×7 stride-1 convolution with k filters, instance norm, ReLU,
 *   after 3 pixels of reflection padding (the last one ends in tanh, no norm).
 * - dk: 3×3 stride-2 convolution, instance norm, ReLU (halves the image).
 * - Rk: residual block of two 3×3 convolutions, each after 1 pixel of
 *   reflection padding, instance norm after both, ReLU between them, and the
 *   block's input added to its output.
 * - uk: 3×3 stride-½ (transposed) convolution, instance norm, ReLU.
 *
 * As in junyanz/pytorch-CycleGAN-and-pix2pix (`ResnetGenerator`), instance
 * norm has no learned scale and shift, and the convolutions keep their bias.
 * Widths scale with ngf (64 in the paper). One difference: the stride-2
 * convolutions use tfjs's 'same' padding, which pads one pixel on the bottom
 * and right only where PyTorch pads one on every side; output sizes are the
 * same, the sampling grid is shifted by half a pixel.
 *
 * The network is fully convolutional: any image whose sides are multiples
 * of 4 and at least 8 px (so the residual blocks' reflection padding fits).
 */
import * as tf from '@tensorflow/tfjs';
import { createWeightInit, InputResidual, instanceNorm, reflectionPad2D } from '../layers/index.js';

export interface ResnetGeneratorOptions {
  inChannels: number;
  outChannels: number;
  /** Filters of the first layer (the paper's 64). */
  ngf: number;
  /** Residual blocks: 9 for 256 px, 6 for 128 px in the paper. */
  blocks: number;
  seed: number;
  /** Model name, e.g. 'cyclegan_G_AB'. */
  name?: string;
  /**
   * Add the output to the input image inside the tanh (layers/input-residual.ts),
   * so the untrained network is the identity. Not in the paper; needs in = out channels.
   */
  inputSkip?: boolean;
}

/** With the input skip, the last layer starts this small, so the first outputs are close to the input. */
const SKIP_TAIL_STDDEV = 0.002;

/** Image sides must be multiples of this (two stride-2 layers). */
export const RESNET_SIZE_MULTIPLE = 4;
/** Smallest side: the bottleneck must be at least 2 px for 1 px of reflection padding. */
export const RESNET_MIN_SIZE = 8;

/** Throws a clear error unless a side length fits the generator. */
export function checkResnetImageSize(size: number): void {
  if (!Number.isInteger(size) || size < RESNET_MIN_SIZE || size % RESNET_SIZE_MULTIPLE !== 0) {
    throw new Error(`The ResNet generator needs image sides that are multiples of ${RESNET_SIZE_MULTIPLE} and at least ${RESNET_MIN_SIZE} px, got ${size}`);
  }
}

export function buildResnetGenerator(options: ResnetGeneratorOptions): tf.LayersModel {
  const { inChannels, outChannels, ngf, blocks } = options;
  if (!Number.isInteger(ngf) || ngf < 1) throw new Error(`ngf must be a positive whole number, got ${ngf}`);
  if (!Number.isInteger(blocks) || blocks < 0) throw new Error(`blocks must be a whole number ≥ 0, got ${blocks}`);
  const init = createWeightInit(options.seed, options.name ?? 'resnet_G');
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const conv = (name: string, filters: number, kernelSize: number, strides: number) =>
    tf.layers.conv2d({ name, filters, kernelSize, strides, padding: strides === 1 ? 'valid' : 'same', useBias: true, kernelInitializer: init.normal() });
  const norm = (name: string) => instanceNorm({ name, affine: false, epsilon: 1e-5 });
  const relu = (name: string) => tf.layers.reLU({ name });

  const input = tf.input({ name: 'input', shape: [null, null, inChannels] });
  // c7s1-ngf
  let x = apply(reflectionPad2D(3, { name: 'c7s1_pad' }), input);
  x = apply(conv('c7s1', ngf, 7, 1), x);
  x = apply(relu('c7s1_relu'), apply(norm('c7s1_norm'), x));
  // d(2·ngf), d(4·ngf)
  for (let i = 1; i <= 2; i++) {
    x = apply(conv(`down${i}`, ngf * 2 ** i, 3, 2), x);
    x = apply(relu(`down${i}_relu`), apply(norm(`down${i}_norm`), x));
  }
  // R(4·ngf) × blocks
  const width = ngf * 4;
  for (let b = 1; b <= blocks; b++) {
    const name = `res${b}`;
    let y = apply(reflectionPad2D(1, { name: `${name}_pad1` }), x);
    y = apply(conv(`${name}_conv1`, width, 3, 1), y);
    y = apply(relu(`${name}_relu`), apply(norm(`${name}_norm1`), y));
    y = apply(reflectionPad2D(1, { name: `${name}_pad2` }), y);
    y = apply(norm(`${name}_norm2`), apply(conv(`${name}_conv2`, width, 3, 1), y));
    x = apply(tf.layers.add({ name: `${name}_add` }), [x, y]);
  }
  // u(2·ngf), u(ngf)
  for (let i = 1; i <= 2; i++) {
    const up = tf.layers.conv2dTranspose({
      name: `up${i}`,
      filters: ngf * 2 ** (2 - i),
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: true,
      kernelInitializer: init.normal(),
    });
    x = apply(relu(`up${i}_relu`), apply(norm(`up${i}_norm`), apply(up, x)));
  }
  // c7s1-out, tanh (of the sum with the input's atanh, with the input skip)
  x = apply(reflectionPad2D(3, { name: 'out_pad' }), x);
  if (options.inputSkip) {
    if (inChannels !== outChannels) throw new Error(`an input skip needs as many output channels as input channels, got ${inChannels} → ${outChannels}`);
    x = apply(tf.layers.conv2d({ name: 'out', filters: outChannels, kernelSize: 7, strides: 1, padding: 'valid', useBias: true, kernelInitializer: init.normal(SKIP_TAIL_STDDEV) }), x);
    const output = apply(new InputResidual({ name: 'output' }), [x, input]);
    return tf.model({ name: options.name ?? 'resnet_G', inputs: input, outputs: output });
  }
  x = apply(conv('out', outChannels, 7, 1), x);
  const output = apply(tf.layers.activation({ name: 'output', activation: 'tanh' }), x);
  return tf.model({ name: options.name ?? 'resnet_G', inputs: input, outputs: output });
}
