/**
 * Pix2Pix (Isola et al. 2017, "Image-to-Image Translation with Conditional
 * Adversarial Networks"): a U-Net generator G learns input → output from
 * aligned pairs, judged by a PatchGAN D that sees (input, output) side by side.
 *
 * Objective (eq. 4): G* = arg min_G max_D L_cGAN(G, D) + λ·L_L1(G), λ = 100.
 * Optimisation (section 3.3): alternate one D step and one G step, Adam with
 * lr 2e-4, β1 0.5, β2 0.999; D's objective is divided by 2 "to slow down the
 * rate at which D learns relative to G"; G maximises log D(x, G(x)) (the
 * non-saturating loss) rather than minimising log(1 − D(x, G(x))).
 *
 * The networks live in ./pix2pix/; this module holds the options, the
 * training step and inference.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { seedFor } from '../random.js';
import { FamilyConfigBase, type BuildOptions, type GanFamily, type GanModel, type StepContext } from './family.js';
import { reseedDropout } from './layers/index.js';
import { discriminatorLoss, ganLossKinds, generatorLoss, l1Loss } from './losses.js';
import { normKinds } from './pix2pix/normalization.js';
import { buildPatchGanDiscriminator, patchLayersFor, patchOutputSize } from './pix2pix/patchgan.js';
import { buildUnetGenerator, unetDepth } from './pix2pix/unet.js';

export { unetDepth, encoderWidth, DROPOUT_DECODER_LAYERS } from './pix2pix/unet.js';
export { patchLayersFor, patchOutputSize, patchReceptiveField, PAPER_PATCH_LAYERS } from './pix2pix/patchgan.js';

/**
 * An aligned batch as the paired dataset gives it: [n, size, size, channels]
 * in [-1, 1] each; `a` is the input and `b` the target. Which folder is the
 * input (A → B or B → A) is the dataset's `direction` option, not the model's.
 */
export interface PairedBatch {
  a: tf.Tensor4D;
  b: tf.Tensor4D;
}

const isPowerOfTwo = (n: number) => Number.isInteger(Math.log2(n));

export const Pix2PixConfigSchema = FamilyConfigBase.extend({
  size: z
    .number()
    .int()
    .min(8)
    .max(4096)
    .refine(isPowerOfTwo, 'must be a power of two (8, 16, 32, … 256, 512): the U-Net halves the image down to 1×1')
    .default(256),
  /** Adam learning rates (paper: 2e-4 for both). */
  lr: z
    .object({ G: z.number().positive().max(1), D: z.number().positive().max(1) })
    .default({ G: 2e-4, D: 2e-4 }),
  /** Filters of G's first layer (paper: 64). */
  ngf: z.number().int().min(1).max(512).default(64),
  /** Filters of D's first layer (paper: 64). */
  ndf: z.number().int().min(1).max(512).default(64),
  norm: z.enum(normKinds).default('instance'),
  ganLoss: z.enum(ganLossKinds).default('vanilla'),
  /** One-sided: the real label becomes 1 − labelSmoothing (0.1 → 0.9, Salimans et al. 2016). */
  labelSmoothing: z.number().min(0).max(0.5).default(0),
  /** λ of the L1 term (paper: 100). */
  l1Weight: z.number().min(0).max(10_000).default(100),
  /**
   * Weight of the adversarial term in G's loss (paper: 1). 0 drops D from
   * training: G becomes a plain L1 regression, the "L1 alone" row of the
   * paper's table 1 and the baseline `ganvas eval --baselines` trains.
   */
  ganWeight: z.number().min(0).max(100).default(1),
  /** Dropout rate in G's first three decoder layers (paper: 0.5); 0 turns the noise off. */
  dropout: z.number().min(0).max(0.9).default(0.5),
  /** PatchGAN down-sampling layers; unset: 3 (the 70×70 PatchGAN), fewer for images under 32 px. */
  discriminatorLayers: z.number().int().min(1).max(8).optional(),
}).superRefine((config, ctx) => {
  if (config.ganWeight === 0 && config.l1Weight === 0) {
    ctx.addIssue({ code: 'custom', path: ['l1Weight'], message: 'with ganWeight 0 the L1 term is all G learns from, so l1Weight must be above 0' });
  }
  if (config.discriminatorLayers !== undefined && patchOutputSize(config.size, config.discriminatorLayers) < 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['discriminatorLayers'],
      message: `${config.discriminatorLayers} layers shrink a ${config.size}-px image to nothing; use at most ${Math.floor(Math.log2(config.size)) - 2}`,
    });
  }
});
export type Pix2PixConfig = z.infer<typeof Pix2PixConfigSchema>;

const translateOptionsSchema = z
  .object({
    /**
     * Keep dropout on and normalise by the input's own statistics, the paper's
     * test protocol (section 3.3): outputs vary with `seed`.
     */
    noise: z.boolean().default(false),
    seed: z.number().int().min(0).optional(),
  })
  .strict();
export type TranslateOptions = z.input<typeof translateOptionsSchema>;

const LOSS_NAMES = ['G_GAN', 'G_L1', 'D_real', 'D_fake'] as const;
const L1_ONLY_LOSS_NAMES = ['G_L1'] as const;
const VISUAL_NAMES = ['input', 'output', 'target'] as const;

/** The trainable variables of a network, in a fixed order (Adam pairs its state with gradients by position). */
function trainableVariables(network: tf.LayersModel): tf.Variable[] {
  return network.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

class Pix2PixModel implements GanModel<Pix2PixConfig, PairedBatch> {
  readonly networks: Readonly<{ G: tf.LayersModel; D: tf.LayersModel }>;
  readonly optimizers: Readonly<{ G: tf.Optimizer; D: tf.Optimizer }>;
  readonly lossNames: readonly string[];
  readonly visualNames = VISUAL_NAMES;
  private readonly depth: number;

  constructor(readonly config: Pix2PixConfig, initSeed: number) {
    const { size, channels, ngf, ndf, norm, dropout } = config;
    this.depth = unetDepth(size);
    this.lossNames = config.ganWeight > 0 ? LOSS_NAMES : L1_ONLY_LOSS_NAMES;
    const layers = config.discriminatorLayers ?? patchLayersFor(size);
    const G = buildUnetGenerator({ size, inChannels: channels, outChannels: channels, ngf, norm, dropout, seed: initSeed });
    let D: tf.LayersModel;
    try {
      D = buildPatchGanDiscriminator({ channels: 2 * channels, ndf, layers, norm, seed: initSeed });
    } catch (error) {
      G.dispose();
      throw error;
    }
    this.networks = { G, D };
    // PyTorch's Adam epsilon (1e-8), which the reference implementation trains with.
    this.optimizers = {
      G: tf.train.adam(config.lr.G, config.beta1, config.beta2, 1e-8),
      D: tf.train.adam(config.lr.D, config.beta1, config.beta2, 1e-8),
    };
  }

  private pairOf(batch: PairedBatch): { input: tf.Tensor4D; target: tf.Tensor4D } {
    const { a, b } = batch;
    if (a === undefined || b === undefined) throw new Error('Pix2Pix trains on paired batches { a, b }; this batch has no pair');
    if (a.shape.join() !== b.shape.join()) {
      throw new Error(`The two sides of a Pix2Pix pair must have the same size, got A [${a.shape.join(', ')}] and B [${b.shape.join(', ')}]`);
    }
    this.checkInput(a);
    return { input: a, target: b };
  }

  private checkInput(input: tf.Tensor): void {
    const { channels } = this.config;
    if (input.rank !== 4) throw new Error(`Pix2Pix expects images shaped [n, height, width, channels], got [${input.shape.join(', ')}]`);
    const [, height, width, depth] = input.shape as [number, number, number, number];
    if (depth !== channels) {
      throw new Error(`This Pix2Pix model works on ${channels}-channel images, got ${depth} channels`);
    }
    const multiple = 2 ** this.depth;
    if (height % multiple !== 0 || width % multiple !== 0 || height === 0 || width === 0) {
      throw new Error(
        `This Pix2Pix model halves images ${this.depth} times, so their sides must be multiples of ${multiple} px; got ${width}×${height} (resize or tile the image)`,
      );
    }
  }

  async trainStep(batch: PairedBatch, context: StepContext): Promise<Record<string, number>> {
    const { input, target } = this.pairOf(batch);
    const { G, D } = this.networks;
    const { ganLoss, labelSmoothing, l1Weight, ganWeight } = this.config;
    if (ganWeight === 0) return this.l1OnlyStep(input, target, context);
    // Same seed for both forward passes below, so D judges exactly the output G is then trained on.
    reseedDropout(G, seedFor(context.seed, 'pix2pix-noise', context.step));

    // Scalars and the generated batch escape the gradient scopes; all are freed in `finally`.
    const kept: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      kept.push(tf.keep(t));
      return t;
    };
    let dReal: tf.Scalar | undefined;
    let dFake: tf.Scalar | undefined;
    let gGan: tf.Scalar | undefined;
    let gL1: tf.Scalar | undefined;
    try {
      // D step on (input, target) against (input, G(input)); G gets no gradient here.
      // G's forward runs again inside the G step below: one extra forward pass
      // buys the paper's order (D step, then a G step against the updated D).
      const fake = keep(tf.tidy(() => G.apply(input, { training: true }) as tf.Tensor4D));
      const dStep = tf.variableGrads(() => {
        const realScores = D.apply(tf.concat([input, target], -1), { training: true }) as tf.Tensor;
        const fakeScores = D.apply(tf.concat([input, fake], -1), { training: true }) as tf.Tensor;
        const halves = discriminatorLoss(ganLoss, realScores, fakeScores, { labelSmoothing });
        dReal = keep(halves.real);
        dFake = keep(halves.fake);
        return tf.mul(tf.add(halves.real, halves.fake), 0.5) as tf.Scalar;
      }, trainableVariables(D));
      this.optimizers.D.applyGradients(dStep.grads);
      tf.dispose([dStep.value, ...Object.values(dStep.grads)]);

      // G step against the updated D.
      const gStep = tf.variableGrads(() => {
        const output = G.apply(input, { training: true }) as tf.Tensor4D;
        const scores = D.apply(tf.concat([input, output], -1), { training: true }) as tf.Tensor;
        gGan = keep(generatorLoss(ganLoss, scores));
        gL1 = keep(l1Loss(output, target));
        return tf.add(tf.mul(gGan, ganWeight), tf.mul(gL1, l1Weight)) as tf.Scalar;
      }, trainableVariables(G));
      this.optimizers.G.applyGradients(gStep.grads);
      tf.dispose([gStep.value, ...Object.values(gStep.grads)]);

      const values = tf.tidy(() => tf.stack([gGan!, gL1!, dReal!, dFake!]));
      const numbers = Array.from(await values.data());
      values.dispose();
      // Non-finite values are returned as they are: the trainer stops and reports them.
      return Object.fromEntries(LOSS_NAMES.map((name, i) => [name, numbers[i]!]));
    } finally {
      tf.dispose(kept);
    }
  }

  /** G alone against the target: D is neither consulted nor trained. */
  private async l1OnlyStep(input: tf.Tensor4D, target: tf.Tensor4D, context: StepContext): Promise<Record<string, number>> {
    const { G } = this.networks;
    reseedDropout(G, seedFor(context.seed, 'pix2pix-noise', context.step));
    let gL1: tf.Scalar | undefined;
    try {
      const gStep = tf.variableGrads(() => {
        const output = G.apply(input, { training: true }) as tf.Tensor4D;
        gL1 = tf.keep(l1Loss(output, target));
        return tf.mul(gL1, this.config.l1Weight) as tf.Scalar;
      }, trainableVariables(G));
      this.optimizers.G.applyGradients(gStep.grads);
      tf.dispose([gStep.value, ...Object.values(gStep.grads)]);
      return { G_L1: (await gL1!.data())[0]! };
    } finally {
      gL1?.dispose();
    }
  }

  samples(batch: PairedBatch): Record<string, tf.Tensor4D> {
    const { input, target } = this.pairOf(batch);
    return { input: input.clone(), output: this.translate(input), target: target.clone() };
  }

  translate(input: tf.Tensor4D, options: Record<string, unknown> = {}): tf.Tensor4D {
    const parsed = translateOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new Error(`Invalid Pix2Pix translate options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`);
    }
    this.checkInput(input);
    const { G } = this.networks;
    if (!parsed.data.noise) return tf.tidy(() => G.apply(input, { training: false }) as tf.Tensor4D);

    reseedDropout(G, seedFor(parsed.data.seed ?? this.config.seed, 'pix2pix-test-noise'));
    // Training mode also moves batch norm's running averages; inference must not change the model.
    const running = G.nonTrainableWeights.map((weight) => ({ weight, value: weight.read().clone() }));
    try {
      return tf.tidy(() => G.apply(input, { training: true }) as tf.Tensor4D);
    } finally {
      for (const { weight, value } of running) {
        weight.write(value);
        value.dispose();
      }
    }
  }

  dispose(): void {
    this.networks.G.dispose();
    this.networks.D.dispose();
    this.optimizers.G.dispose();
    this.optimizers.D.dispose();
  }
}

export const pix2pix: GanFamily<Pix2PixConfig, PairedBatch> = {
  id: 'pix2pix',
  title: 'Pix2Pix',
  description:
    'Learns to turn one kind of image into another from aligned pairs (sketch → picture, map → photo). ' +
    'U-Net generator and PatchGAN discriminator after Isola et al. 2017.',
  dataset: 'paired',
  configSchema: Pix2PixConfigSchema,
  architectureKeys: ['size', 'channels', 'ngf', 'ndf', 'norm', 'discriminatorLayers'],
  build(config: Pix2PixConfig, options: BuildOptions = {}): GanModel<Pix2PixConfig, PairedBatch> {
    return new Pix2PixModel(config, options.seed ?? config.seed);
  },
};
