/**
 * The template family's networks and training step (see index.ts for how to
 * add a family).
 *
 * Generator: a 3-level U-Net (conv ↓ / conv-transpose ↑ with skips,
 * InstanceNorm, optional seeded dropout, reflection-padded 3×3 output conv).
 * Discriminator: a conditional PatchGAN on (input, image).
 * Loss: LSGAN (Mao et al. 2017) + λ·L1, the pix2pix objective (Isola et al. 2017, λ = 100).
 */
import * as tf from '@tensorflow/tfjs';
import { seedFor } from '../../random.js';
import type { BuildOptions, FamilyModule, GanModel, InferenceModel, NetworkForward, StepContext } from '../family.js';
import { createWeightInit, instanceNorm, reflectionPad2D, reseedDropout, SeededDropout } from '../shared/layers/index.js';
import { discriminatorLoss, generatorLoss, l1Loss } from '../shared/losses.js';
import { TrainingStep } from '../shared/training-step.js';
import type { TemplateConfig } from './index.js';

/** The paired dataset's batch: `a` the input, `b` the target, [n, size, size, 3] in [-1, 1]. */
export type TemplateBatch = { a: tf.Tensor4D; b: tf.Tensor4D };

function buildGenerator(config: TemplateConfig, seed: number): tf.LayersModel {
  const init = createWeightInit(seed, 'G');
  const { channels, ngf } = config;
  const conv = (filters: number, name: string) =>
    tf.layers.conv2d({ filters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init.normal(), name });
  const up = (filters: number, name: string) =>
    tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init.normal(), name });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: [config.size, config.size, channels], name: 'G_input' });
  const e1 = apply(tf.layers.leakyReLU({ alpha: 0.2 }), apply(conv(ngf, 'G_enc1'), input));
  const e2 = apply(tf.layers.leakyReLU({ alpha: 0.2 }), apply(instanceNorm({ name: 'G_enc2_norm' }), apply(conv(ngf * 2, 'G_enc2'), e1)));
  const e3 = apply(tf.layers.reLU(), apply(instanceNorm({ name: 'G_enc3_norm' }), apply(conv(ngf * 4, 'G_enc3'), e2)));
  let d1 = apply(instanceNorm({ name: 'G_dec1_norm' }), apply(up(ngf * 2, 'G_dec1'), e3));
  if (config.dropout > 0) d1 = apply(new SeededDropout({ rate: config.dropout, name: 'G_dec1_dropout' }), d1);
  d1 = apply(tf.layers.reLU(), d1);
  const d2 = apply(tf.layers.reLU(), apply(instanceNorm({ name: 'G_dec2_norm' }), apply(up(ngf, 'G_dec2'), apply(tf.layers.concatenate(), [d1, e2]))));
  const d3 = apply(tf.layers.reLU(), apply(up(ngf, 'G_dec3'), apply(tf.layers.concatenate(), [d2, e1])));
  const out = apply(
    tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'valid', activation: 'tanh', kernelInitializer: init.normal(), name: 'G_out' }),
    apply(reflectionPad2D(1, { name: 'G_out_pad' }), d3),
  );
  return tf.model({ inputs: input, outputs: out, name: 'G' });
}

function buildDiscriminator(config: TemplateConfig, seed: number): tf.LayersModel {
  const init = createWeightInit(seed, 'D');
  const { size, channels, ndf } = config;
  const input = tf.input({ shape: [size, size, channels * 2], name: 'D_input' });
  let x = tf.layers.conv2d({ filters: ndf, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init.normal(), name: 'D_conv1' }).apply(input);
  x = tf.layers.leakyReLU({ alpha: 0.2 }).apply(x);
  x = tf.layers.conv2d({ filters: ndf * 2, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init.normal(), name: 'D_conv2' }).apply(x);
  x = tf.layers.leakyReLU({ alpha: 0.2 }).apply(instanceNorm({ name: 'D_conv2_norm' }).apply(x));
  const out = tf.layers.conv2d({ filters: 1, kernelSize: 4, padding: 'same', kernelInitializer: init.normal(), name: 'D_patch' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'D' });
}

/** Inference needs G alone (the descriptor's `inferenceNetworks`). */
class TemplateTranslator implements InferenceModel<TemplateConfig> {
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
  protected readonly G: tf.LayersModel;

  constructor(readonly config: TemplateConfig, seed: number, networks?: Record<string, tf.LayersModel>) {
    this.G = networks?.['G'] ?? buildGenerator(config, seed);
    this.networks = networks ?? { G: this.G };
  }

  /** `options` were parsed by the descriptor's translateOptions before they reach here. */
  translate(input: tf.Tensor4D, options: Record<string, unknown> = {}): tf.Tensor4D {
    return tf.tidy(() => {
      const output = this.G.apply(input, { training: false }) as tf.Tensor4D;
      return options['mirror'] === true ? tf.reverse(output, 2) : output;
    });
  }

  /**
   * Optional: the same translate with each network forwarded by `forward` (the studio passes
   * ONNX Runtime on every core when the networks export, onnx/). Do around the network what
   * `translate` does; return null for options that need tfjs itself (random test-time noise).
   */
  async translateWith(input: tf.Tensor4D, options: Record<string, unknown>, forward: NetworkForward): Promise<tf.Tensor4D> {
    const output = await forward('G', input);
    if (options['mirror'] !== true) return output;
    try {
      return tf.reverse(output, 2);
    } finally {
      output.dispose();
    }
  }

  dispose(): void {
    for (const network of Object.values(this.networks)) network.dispose();
  }
}

class TemplateModel extends TemplateTranslator implements GanModel<TemplateConfig, TemplateBatch> {
  declare readonly networks: Readonly<{ G: tf.LayersModel; D: tf.LayersModel }>;
  readonly optimizers: Readonly<{ G: tf.Optimizer; D: tf.Optimizer }>;
  readonly lossNames = ['D', 'G_GAN', 'G_L1'] as const;
  readonly visualNames = ['input', 'output', 'target'] as const;

  constructor(config: TemplateConfig, seed: number) {
    super(config, seed, { G: buildGenerator(config, seed), D: buildDiscriminator(config, seed) });
    this.optimizers = {
      G: tf.train.adam(config.lr.G, config.beta1, config.beta2),
      D: tf.train.adam(config.lr.D, config.beta1, config.beta2),
    };
  }

  async trainStep({ a: input, b: target }: TemplateBatch, { step: index, seed }: StepContext): Promise<Record<string, number>> {
    const { G, D } = this.networks;
    // Randomness comes from (seed, step), so a resumed run repeats an unbroken one.
    reseedDropout(G, seedFor(seed, index));
    const step = new TrainingStep();
    try {
      const fake = step.keep(tf.tidy(() => G.apply(input, { training: true }) as tf.Tensor4D));
      step.minimize(this.optimizers.D, [D], (record) => {
        const real = D.apply(tf.concat([input, target], 3), { training: true }) as tf.Tensor;
        const faked = D.apply(tf.concat([input, fake], 3), { training: true }) as tf.Tensor;
        const halves = discriminatorLoss('lsgan', real, faked);
        const loss = tf.mul(0.5, tf.add(halves.real, halves.fake)) as tf.Scalar;
        record('D', loss);
        return loss;
      });
      step.minimize(this.optimizers.G, [G], (record) => {
        const output = G.apply(input, { training: true }) as tf.Tensor4D;
        const gan = generatorLoss('lsgan', D.apply(tf.concat([input, output], 3), { training: true }) as tf.Tensor);
        const l1 = l1Loss(output, target);
        record('G_GAN', gan);
        record('G_L1', l1);
        return tf.add(gan, tf.mul(this.config.lambdaL1, l1)) as tf.Scalar;
      });
      return await step.losses(this.lossNames);
    } finally {
      step.dispose();
    }
  }

  samples({ a: input, b: target }: TemplateBatch): Record<string, tf.Tensor4D> {
    return { input: tf.clone(input), output: this.translate(input), target: tf.clone(target) };
  }

  override dispose(): void {
    super.dispose();
    this.optimizers.G.dispose();
    this.optimizers.D.dispose();
  }
}

export const templateModel: FamilyModule<TemplateConfig, TemplateBatch> = {
  build: (config: TemplateConfig, options: BuildOptions = {}) => new TemplateModel(config, options.seed ?? config.seed),
  buildInference: (config: TemplateConfig) => new TemplateTranslator(config, config.seed),
  exampleBatch: (config: TemplateConfig, batchSize: number) => {
    const shape: [number, number, number, number] = [batchSize, config.size, config.size, config.channels];
    return { a: tf.randomUniform(shape, -1, 1), b: tf.randomUniform(shape, -1, 1) };
  },
};
