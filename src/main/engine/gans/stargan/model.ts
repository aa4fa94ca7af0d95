/**
 * StarGAN's training step and inference (the descriptor is in index.ts, the
 * networks in networks.ts). One generator G(x, c) moves an image x into the
 * style of domain c; one discriminator D judges real/fake (D_src) and tells
 * the domain (D_cls).
 *
 * Objective (Choi et al. 2018, eqs. 1–7, with WGAN-GP, Gulrajani et al. 2017):
 *   L_D = −E[D_src(x)] + E[D_src(G(x, c))] + λ_gp E[(‖∇_x̂ D_src(x̂)‖₂ − 1)²] + λ_cls L_cls^r
 *   L_G = −E[D_src(G(x, c))] + λ_cls L_cls^f + λ_rec E‖x − G(G(x, c), c′)‖₁
 * with x̂ a random point between a real and a generated image, c′ the
 * image's own domain, L_cls^r the cross-entropy of D_cls on real images
 * against their domains and L_cls^f that on generated ones against their
 * targets. Our domains are exclusive (one folder each), so the
 * classification is a softmax over domains, as the paper's RaFD setting,
 * and a blend target is a soft label.
 *
 * One trainer step is one D update; G learns on every n_critic-th step
 * (the authors' `if (i+1) % n_critic == 0`). On the other steps the G losses
 * shown are those of its last update (kept in the checkpoint, so a resumed
 * run reports the same numbers). Targets are drawn uniformly among the other
 * domains (the authors permute the batch's labels, which at batch 1 would
 * always ask for the image's own domain); targets and the GP's mixing
 * weights come from (seed, step), so a resumed run repeats an unbroken one.
 */
import * as tf from '@tensorflow/tfjs';
import type { DomainBatch } from '../../data/domains.js';
import { SeededRandom, seedFor } from '../../random.js';
import type { BuildOptions, FamilyModule, GanModel, InferenceModel, StepContext, TrainingState } from '../family.js';
import { l1Loss } from '../shared/losses.js';
import { TrainingStep } from '../shared/training-step.js';
import {
  STARGAN_MIN_SIZE,
  STARGAN_SIZE_MULTIPLE,
  discriminatorLayers,
  resolveStripStart,
  resolveTarget,
  type StarGanConfig,
  type StarGanTranslateOptions,
} from './config.js';
import { buildStarGanDiscriminator, buildStarGanGenerator, domainMapOf } from './networks.js';

export { stargan, StarGanConfigSchema, type StarGanConfig } from './index.js';
export type { DomainBatch } from '../../data/domains.js';

const D_LOSSES = ['D_real', 'D_fake', 'D_cls', 'D_gp'] as const;
const G_LOSSES = ['G_fake', 'G_cls', 'G_rec'] as const;
const LOSS_NAMES = [...D_LOSSES, ...G_LOSSES] as const;

/**
 * Domains a model has before it has seen its data (the Train form's time
 * estimate builds one): four placeholders, the count of the bundled emoji model.
 */
const UNKNOWN_DOMAIN_COUNT = 4;
export function domainsOf(config: StarGanConfig): string[] {
  return config.domains.length > 0 ? config.domains : Array.from({ length: UNKNOWN_DOMAIN_COUNT }, (_, i) => `domain-${i + 1}`);
}

/** Mean over the batch of the cross-entropy of softmax(logits) against (soft) target distributions. */
export function domainCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar);
}

/**
 * The WGAN-GP penalty (Gulrajani et al. 2017, eq. 3): (‖∇_x̂ D_src(x̂)‖₂ − 1)²
 * averaged over the batch, x̂ = α·real + (1 − α)·fake with α per image.
 * Its gradient with respect to D's weights is a gradient of a gradient; tfjs
 * records the inner gradient's ops when called inside an outer one.
 */
export function gradientPenalty(D: tf.LayersModel, real: tf.Tensor4D, fake: tf.Tensor4D, alpha: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const a = tf.reshape(alpha, [-1, 1, 1, 1]);
    const mixed = tf.add(tf.mul(a, real), tf.mul(tf.sub(1, a), fake)) as tf.Tensor4D;
    // Summing the scores gives each image's own gradient (images do not interact in D).
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(sourceScores(D, x as tf.Tensor4D, true)))(mixed);
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(gradient), [1, 2, 3]), 1e-12));
    return tf.mean(tf.square(tf.sub(norms, 1))) as tf.Scalar;
  });
}

function discriminate(D: tf.LayersModel, x: tf.Tensor4D, training: boolean): { src: tf.Tensor4D; cls: tf.Tensor2D } {
  const [src, cls] = D.apply(x, { training }) as [tf.Tensor4D, tf.Tensor2D];
  return { src, cls };
}

function sourceScores(D: tf.LayersModel, x: tf.Tensor4D, training: boolean): tf.Tensor4D {
  const { src, cls } = discriminate(D, x, training);
  cls.dispose();
  return src;
}

/** The side a translated image is padded to: a multiple of 4 and at least 8 px. */
export function paddedSide(side: number): number {
  return Math.max(STARGAN_MIN_SIZE, Math.ceil(side / STARGAN_SIZE_MULTIPLE) * STARGAN_SIZE_MULTIPLE);
}

/** G alone: translation to a domain or a blend, and strips between two styles. */
class StarGanTranslator implements InferenceModel<StarGanConfig> {
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
  protected readonly G: tf.LayersModel;
  readonly domains: readonly string[];

  constructor(readonly config: StarGanConfig, seed: number, networks?: Record<string, tf.LayersModel>) {
    this.domains = domainsOf(config);
    this.G = networks?.['G'] ?? buildStarGanGenerator({ channels: config.channels, domains: this.domains.length, ngf: config.ngf, blocks: config.blocks, inputSkip: config.inputSkip, seed });
    this.networks = networks ?? { G: this.G };
  }

  protected checkInput(input: tf.Tensor): void {
    if (input.rank !== 4) throw new Error(`StarGAN expects images shaped [n, height, width, channels], got [${input.shape.join(', ')}]`);
    const [n, height, width, depth] = input.shape as [number, number, number, number];
    if (depth !== this.config.channels) throw new Error(`This StarGAN model works on ${this.config.channels}-channel images, got ${depth} channels`);
    if (n === 0 || height === 0 || width === 0) throw new Error(`StarGAN got an empty image batch [${input.shape.join(', ')}]`);
  }

  /** G(x, c) for target vectors `labels` [n, domains] at the training shape (sides multiples of 4), training mode or not. */
  generate(images: tf.Tensor4D, labels: tf.Tensor2D, training = false): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w] = images.shape;
      return this.G.apply([images, domainMapOf(labels, h, w)], { training }) as tf.Tensor4D;
    });
  }

  /** G(x, weights) at any image size: padded by reflection to a multiple of 4, then cropped back. */
  translateTo(input: tf.Tensor4D, weights: readonly number[]): tf.Tensor4D {
    this.checkInput(input);
    const [n, height, width] = input.shape;
    return tf.tidy(() => {
      let x: tf.Tensor4D = input;
      // 'symmetric' allows a pad as wide as the image itself, so even a 1 px image pads to 8.
      while (x.shape[1] < paddedSide(height) || x.shape[2] < paddedSide(width)) {
        const needH = Math.min(paddedSide(height) - x.shape[1], x.shape[1]);
        const needW = Math.min(paddedSide(width) - x.shape[2], x.shape[2]);
        x = tf.mirrorPad(x, [[0, 0], [0, needH], [0, needW], [0, 0]], 'symmetric');
      }
      const labels = tf.tile(tf.tensor2d([[...weights]], [1, weights.length]), [n, 1]) as tf.Tensor2D;
      const output = this.generate(x, labels);
      return x === input ? output : tf.slice(output, [0, 0, 0, 0], [-1, height, width, -1]);
    });
  }

  /**
   * Options as parsed by the descriptor's translateOptions: the target
   * (`domain` or `mix`); with `strip` N > 0 the result is N + 1 images side
   * by side: the input, then the style moving from `from` to the target.
   */
  translate(input: tf.Tensor4D, options: Record<string, unknown> = {}): tf.Tensor4D {
    const parsed = options as Partial<StarGanTranslateOptions>;
    const target = resolveTarget(parsed, this.domains);
    const steps = parsed.strip ?? 0;
    if (steps === 0) return this.translateTo(input, target);
    const start = resolveStripStart(parsed, this.domains);
    return tf.tidy(() => {
      const frames: tf.Tensor4D[] = [input];
      for (let k = 1; k <= steps; k++) {
        const t = k / steps;
        frames.push(this.translateTo(input, target.map((w, i) => (1 - t) * start[i]! + t * w)));
      }
      return tf.concat(frames, 2);
    });
  }

  dispose(): void {
    for (const network of Object.values(this.networks)) network.dispose();
  }
}

interface StarGanState {
  /** The G losses of its last update, shown on the steps between updates. */
  lastG: Record<string, number>;
}

class StarGanModel extends StarGanTranslator implements GanModel<StarGanConfig, DomainBatch> {
  declare readonly networks: Readonly<{ G: tf.LayersModel; D: tf.LayersModel }>;
  readonly optimizers: Readonly<{ G: tf.Optimizer; D: tf.Optimizer }>;
  readonly lossNames = LOSS_NAMES;
  readonly visualNames: readonly string[];
  private lastG: Record<string, number> = Object.fromEntries(G_LOSSES.map((name) => [name, 0]));

  constructor(config: StarGanConfig, seed: number) {
    const domains = domainsOf(config);
    const G = buildStarGanGenerator({ channels: config.channels, domains: domains.length, ngf: config.ngf, blocks: config.blocks, inputSkip: config.inputSkip, seed });
    let D: tf.LayersModel;
    try {
      D = buildStarGanDiscriminator({ size: config.size, channels: config.channels, domains: domains.length, ndf: config.ndf, layers: discriminatorLayers(config), seed: seed + 1 });
    } catch (error) {
      G.dispose();
      throw error;
    }
    super(config, seed, { G, D });
    this.optimizers = {
      G: tf.train.adam(config.lr.G, config.beta1, config.beta2, 1e-8),
      D: tf.train.adam(config.lr.D, config.beta1, config.beta2, 1e-8),
    };
    // The sample grid: each input, then it in every domain.
    this.visualNames = ['input', ...domains.map((name) => `to ${name}`)];
  }

  private checkBatch(batch: DomainBatch): void {
    if (batch.images === undefined || batch.labels === undefined) throw new Error('StarGAN trains on domain batches { images, labels }; this batch has neither');
    this.checkInput(batch.images);
    const [n, size] = batch.images.shape;
    if (size !== this.config.size || batch.images.shape[2] !== this.config.size) {
      throw new Error(`StarGAN trains on ${this.config.size}-px images, got [${batch.images.shape.join(', ')}]`);
    }
    if (batch.labels.shape[0] !== n || batch.labels.shape[1] !== this.domains.length) {
      throw new Error(`This StarGAN model has ${this.domains.length} domains (${this.domains.join(', ')}); the batch's labels are [${batch.labels.shape.join(', ')}]`);
    }
  }

  /** Random targets (never the image's own domain) and GP mixing weights for this step. */
  private draws(batch: DomainBatch, context: StepContext): { targets: number[]; alpha: number[] } {
    const random = new SeededRandom(seedFor(context.seed, 'stargan-step', context.step));
    const count = this.domains.length;
    const targets = batch.domainIndex.map((own) => {
      const other = random.int(count - 1);
      return other >= own ? other + 1 : other;
    });
    const alpha = batch.domainIndex.map(() => random.next());
    return { targets, alpha };
  }

  async trainStep(batch: DomainBatch, context: StepContext): Promise<Record<string, number>> {
    this.checkBatch(batch);
    const { G, D } = this.networks;
    const { lambdaCls, lambdaGp, lambdaRec, nCritic } = this.config;
    const real = batch.images;
    const own = batch.labels;
    const { targets, alpha } = this.draws(batch, context);
    const step = new TrainingStep();
    try {
      const target = step.keep(tf.tidy(() => tf.oneHot(targets, this.domains.length).toFloat() as tf.Tensor2D));
      const mixing = step.keep(tf.tensor1d(alpha));
      // D first (the authors' order), on real images and on fakes of the current G.
      const fake = step.keep(this.generate(real, target, true));
      step.minimize(this.optimizers.D, [D], (record) => {
        const onReal = discriminate(D, real, true);
        const dReal = tf.neg(tf.mean(onReal.src)) as tf.Scalar;
        const dCls = domainCrossEntropy(onReal.cls, own);
        const dFake = tf.mean(sourceScores(D, fake, true)) as tf.Scalar;
        const dGp = gradientPenalty(D, real, fake, mixing);
        record('D_real', dReal);
        record('D_fake', dFake);
        record('D_cls', dCls);
        record('D_gp', dGp);
        return tf.addN([dReal, dFake, tf.mul(dCls, lambdaCls), tf.mul(dGp, lambdaGp)]) as tf.Scalar;
      });
      const updatesG = (context.step + 1) % nCritic === 0;
      if (updatesG) {
        step.minimize(this.optimizers.G, [G], (record) => {
          const translated = this.generate(real, target, true);
          const judged = discriminate(D, translated, true);
          const gFake = tf.neg(tf.mean(judged.src)) as tf.Scalar;
          const gCls = domainCrossEntropy(judged.cls, target);
          const gRec = l1Loss(this.generate(translated, own, true), real);
          record('G_fake', gFake);
          record('G_cls', gCls);
          record('G_rec', gRec);
          return tf.addN([gFake, tf.mul(gRec, lambdaRec), tf.mul(gCls, lambdaCls)]) as tf.Scalar;
        });
      }
      const losses = await step.losses(updatesG ? LOSS_NAMES : D_LOSSES);
      if (updatesG) this.lastG = Object.fromEntries(G_LOSSES.map((name) => [name, losses[name]!]));
      return { ...losses, ...this.lastG };
    } finally {
      step.dispose();
    }
  }

  samples(batch: DomainBatch): Record<string, tf.Tensor4D> {
    this.checkInput(batch.images);
    return tf.tidy(() => {
      const out: Record<string, tf.Tensor4D> = { input: batch.images.clone() };
      this.domains.forEach((name, i) => {
        const weights = this.domains.map((_, j) => (j === i ? 1 : 0));
        out[`to ${name}`] = this.translateTo(batch.images, weights);
      });
      return out;
    });
  }

  trainingState(): TrainingState {
    const json: StarGanState = { lastG: { ...this.lastG } };
    return { json, tensors: {} };
  }

  restoreTrainingState(state: TrainingState): void {
    const json = state.json as Partial<StarGanState> | null;
    if (json && typeof json.lastG === 'object' && json.lastG !== null) {
      this.lastG = Object.fromEntries(G_LOSSES.map((name) => [name, Number(json.lastG![name] ?? 0)]));
    }
    tf.dispose(Object.values(state.tensors));
  }

  override dispose(): void {
    super.dispose();
    this.optimizers.G.dispose();
    this.optimizers.D.dispose();
  }
}

export type { StarGanTranslator };

export const starganModel: FamilyModule<StarGanConfig, DomainBatch> = {
  build: (config: StarGanConfig, options: BuildOptions = {}) => new StarGanModel(config, options.seed ?? config.seed),
  buildInference: (config: StarGanConfig) => new StarGanTranslator(config, config.seed),
  exampleBatch: (config: StarGanConfig, batchSize: number) => {
    const count = domainsOf(config).length;
    const domainIndex = Array.from({ length: batchSize }, (_, i) => i % count);
    return {
      step: 0,
      images: tf.randomUniform([batchSize, config.size, config.size, config.channels], -1, 1) as tf.Tensor4D,
      labels: tf.tidy(() => tf.oneHot(domainIndex, count).toFloat() as tf.Tensor2D),
      domainIndex,
    };
  },
};
