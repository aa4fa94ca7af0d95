/**
 * StarGAN's networks (Choi et al. 2018, appendix, tables 4 and 5, and the
 * authors' yunjey/stargan `model.py`, read for the layer details):
 *
 * Generator, on the image with the target-domain vector replicated over
 * every pixel and concatenated as extra channels (section 3, "we spatially
 * replicate c and concatenate it with the input image"):
 *   conv 7×7 stride 1 (ngf), IN, ReLU
 *   conv 4×4 stride 2 (2·ngf), IN, ReLU; conv 4×4 stride 2 (4·ngf), IN, ReLU
 *   6 residual blocks: conv 3×3, IN, ReLU, conv 3×3, IN, + input
 *   deconv 4×4 stride 2 (2·ngf), IN, ReLU; deconv 4×4 stride 2 (ngf), IN, ReLU
 *   conv 7×7 stride 1 (3), tanh
 * with zero padding and instance norm with a learned scale and shift (the
 * authors' `affine=True`).
 *
 * Discriminator, a PatchGAN without normalisation:
 *   conv 4×4 stride 2 (ndf), LeakyReLU 0.01, then layers − 1 more, each
 *   doubling the filters; the paper's 6 layers take 128 px to 2×2.
 *   D_src: conv 3×3 stride 1 (1): a real/fake score per patch (no sigmoid,
 *          WGAN scores).
 *   D_cls: conv with the whole remaining map as its kernel (valid, no bias):
 *          one logit per domain.
 * The discriminator is built for the training size; only the generator is
 * needed to translate, at any size.
 *
 * Initial weights: the authors keep PyTorch's default (Kaiming-uniform)
 * initialisation. The discriminator, which has no normalisation, starts from
 * He-normal weights of that family (with N(0, 0.02) its scores shrink about
 * fifty-fold a layer and it starts at 0 for every input); the generator,
 * normalised after every convolution, from the N(0, 0.02) of the other families.
 */
import * as tf from '@tensorflow/tfjs';
import { createWeightInit, InputResidual, instanceNorm } from '../shared/layers/index.js';

export interface StarGanGeneratorOptions {
  channels: number;
  domains: number;
  ngf: number;
  blocks: number;
  inputSkip: boolean;
  seed: number;
}

/** With the input skip, the last layer starts this small, so the first outputs are close to the input. */
const SKIP_TAIL_STDDEV = 0.002;

/** G: inputs [image (channels), domain map (domains)], output an image in [-1, 1]. */
export function buildStarGanGenerator(options: StarGanGeneratorOptions): tf.LayersModel {
  const { channels, domains, ngf, blocks } = options;
  if (!Number.isInteger(domains) || domains < 2) throw new Error(`StarGAN needs at least 2 domains, got ${domains}`);
  const init = createWeightInit(options.seed, 'stargan_G');
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const conv = (name: string, filters: number, kernelSize: number, strides: number, stddev?: number) =>
    tf.layers.conv2d({ name, filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: init.normal(stddev) });
  const norm = (name: string) => instanceNorm({ name, affine: true, epsilon: 1e-5 });
  const relu = (name: string) => tf.layers.reLU({ name });

  const image = tf.input({ name: 'image', shape: [null, null, channels] });
  const domainMap = tf.input({ name: 'domain', shape: [null, null, domains] });
  let x = apply(tf.layers.concatenate({ name: 'with_domain', axis: -1 }), [image, domainMap]);
  x = apply(relu('c7_relu'), apply(norm('c7_norm'), apply(conv('c7', ngf, 7, 1), x)));
  for (let i = 1; i <= 2; i++) {
    // 4×4 stride 2 with 'same' pads one pixel each side on even sizes, as the authors' padding=1.
    x = apply(relu(`down${i}_relu`), apply(norm(`down${i}_norm`), apply(conv(`down${i}`, ngf * 2 ** i, 4, 2), x)));
  }
  const width = ngf * 4;
  for (let b = 1; b <= blocks; b++) {
    const name = `res${b}`;
    let y = apply(relu(`${name}_relu`), apply(norm(`${name}_norm1`), apply(conv(`${name}_conv1`, width, 3, 1), x)));
    y = apply(norm(`${name}_norm2`), apply(conv(`${name}_conv2`, width, 3, 1), y));
    x = apply(tf.layers.add({ name: `${name}_add` }), [x, y]);
  }
  for (let i = 1; i <= 2; i++) {
    const up = tf.layers.conv2dTranspose({ name: `up${i}`, filters: ngf * 2 ** (2 - i), kernelSize: 4, strides: 2, padding: 'same', useBias: false, kernelInitializer: init.normal() });
    x = apply(relu(`up${i}_relu`), apply(norm(`up${i}_norm`), apply(up, x)));
  }
  let output: tf.SymbolicTensor;
  if (options.inputSkip) {
    x = apply(conv('out', channels, 7, 1, SKIP_TAIL_STDDEV), x);
    output = apply(new InputResidual({ name: 'output' }), [x, image]);
  } else {
    output = apply(tf.layers.activation({ name: 'output', activation: 'tanh' }), apply(conv('out', channels, 7, 1), x));
  }
  return tf.model({ name: 'stargan_G', inputs: [image, domainMap], outputs: output });
}

export interface StarGanDiscriminatorOptions {
  size: number;
  channels: number;
  domains: number;
  ndf: number;
  layers: number;
  seed: number;
}

/** The side of D's last feature map for a training size (each 'same' stride-2 layer takes ceil(side / 2)). */
export function discriminatorMapSide(size: number, layers: number): number {
  let side = size;
  for (let i = 0; i < layers; i++) side = Math.ceil(side / 2);
  return side;
}

/** D: input an image of the training size; outputs [src scores [n, s, s, 1], cls logits [n, domains]]. */
export function buildStarGanDiscriminator(options: StarGanDiscriminatorOptions): tf.LayersModel {
  const { size, channels, domains, ndf, layers } = options;
  const init = createWeightInit(options.seed, 'stargan_D');
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;
  const input = tf.input({ name: 'image', shape: [size, size, channels] });
  let x = input;
  for (let n = 0; n < layers; n++) {
    x = apply(tf.layers.conv2d({ name: `conv${n + 1}`, filters: ndf * 2 ** n, kernelSize: 4, strides: 2, padding: 'same', useBias: true, kernelInitializer: init.heNormal() }), x);
    x = apply(tf.layers.leakyReLU({ name: `conv${n + 1}_lrelu`, alpha: 0.01 }), x);
  }
  const side = discriminatorMapSide(size, layers);
  const src = apply(tf.layers.conv2d({ name: 'src', filters: 1, kernelSize: 3, strides: 1, padding: 'same', useBias: false, kernelInitializer: init.heNormal() }), x);
  const clsMap = apply(tf.layers.conv2d({ name: 'cls', filters: domains, kernelSize: side, strides: 1, padding: 'valid', useBias: false, kernelInitializer: init.heNormal() }), x);
  const cls = apply(tf.layers.flatten({ name: 'cls_logits' }), clsMap);
  return tf.model({ name: 'stargan_D', inputs: input, outputs: [src, cls] });
}

/** The domain vectors [n, domains] replicated over an h × w image: [n, h, w, domains]. */
export function domainMapOf(labels: tf.Tensor2D, height: number, width: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, c] = labels.shape;
    return tf.tile(tf.reshape(labels, [n, 1, 1, c]), [1, height, width, 1]) as tf.Tensor4D;
  });
}
