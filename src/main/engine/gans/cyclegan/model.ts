/**
 * CycleGAN's networks, training step and inference (the descriptor is in
 * index.ts). Names follow junyanz/pytorch-CycleGAN-and-pix2pix: G_A maps
 * A → B and D_A judges its outputs against real B; G_B maps B → A and D_B
 * judges those against real A.
 *
 * Objective (Zhu et al. 2017, eq. 3 and section 5.2):
 *   L = L_GAN(G_A, D_A) + L_GAN(G_B, D_B)
 *     + λ (‖G_B(G_A(a)) − a‖₁ + ‖G_A(G_B(b)) − b‖₁)
 *     + λ·λ_idt (‖G_A(b) − b‖₁ + ‖G_B(a) − a‖₁)
 * with the least-squares GAN loss. Each step updates both generators with
 * one Adam (their parameters chained, as the reference code does), then
 * both discriminators with another, each D's loss halved and fed images
 * from its pool of earlier fakes.
 */
import * as tf from '@tensorflow/tfjs';
import type { BuildOptions, FamilyModule, GanModel, InferenceModel, NetworkForward, StepContext, TrainingState } from '../family.js';
import { discriminatorLoss, generatorLoss, l1Loss } from '../shared/losses.js';
import { buildPatchGanDiscriminator, patchLayersFor } from '../shared/networks/patchgan.js';
import { buildResnetGenerator } from '../shared/networks/resnet-generator.js';
import { TrainingStep } from '../shared/training-step.js';
import { CYCLEGAN_MIN_SIZE, CYCLEGAN_SIZE_MULTIPLE, residualBlocks, type CycleGanConfig, type CycleGanTranslateOptions } from './config.js';
import { ImagePool } from './image-pool.js';

// The descriptor and settings, for code that already works with tfjs (tests, scripts).
export { cyclegan, CycleGanConfigSchema, type CycleGanConfig } from './index.js';

/** The unpaired dataset's batch: unrelated images of A and of B, [n, size, size, 3] in [-1, 1]. */
export interface UnpairedBatch {
  a: tf.Tensor4D;
  b: tf.Tensor4D;
}

const LOSS_NAMES = ['D_A', 'G_A', 'cycle_A', 'idt_A', 'D_B', 'G_B', 'cycle_B', 'idt_B'] as const;
const VISUAL_NAMES = ['real_A', 'fake_B', 'rec_A', 'real_B', 'fake_A', 'rec_B'] as const;

function buildGenerator(config: CycleGanConfig, seed: number, name: 'G_A' | 'G_B'): tf.LayersModel {
  const { channels, ngf } = config;
  // Different seeds for the two, or they would start as the same network.
  return buildResnetGenerator({ inChannels: channels, outChannels: channels, ngf, blocks: residualBlocks(config), inputSkip: config.inputSkip, seed: seed + (name === 'G_A' ? 0 : 1), name });
}

function buildGenerators(config: CycleGanConfig, seed: number): { G_A: tf.LayersModel; G_B: tf.LayersModel } {
  const G_A = buildGenerator(config, seed, 'G_A');
  try {
    return { G_A, G_B: buildGenerator(config, seed, 'G_B') };
  } catch (error) {
    G_A.dispose();
    throw error;
  }
}

/** The side a translated image is padded to: a multiple of 4 and at least 8 px. */
export function paddedSide(side: number): number {
  return Math.max(CYCLEGAN_MIN_SIZE, Math.ceil(side / CYCLEGAN_SIZE_MULTIPLE) * CYCLEGAN_SIZE_MULTIPLE);
}

/** The generator a translation uses: G_A maps A → B (the default), G_B maps back. */
function generatorFor(options: Record<string, unknown>): 'G_A' | 'G_B' {
  return (options as Partial<CycleGanTranslateOptions>).direction === 'BtoA' ? 'G_B' : 'G_A';
}

/** The image padded by reflection to sides the generator takes (a multiple of 4, at least 8); the input itself when it fits. */
function padForGenerator(input: tf.Tensor4D): tf.Tensor4D {
  const [, height, width] = input.shape;
  const wantH = paddedSide(height);
  const wantW = paddedSide(width);
  // 'symmetric' allows a pad as wide as the image itself, so even a 1 px image pads to 8.
  let x: tf.Tensor4D = input;
  while (x.shape[1] < wantH || x.shape[2] < wantW) {
    const needH = Math.min(wantH - x.shape[1], x.shape[1]);
    const needW = Math.min(wantW - x.shape[2], x.shape[2]);
    x = tf.mirrorPad(x, [[0, 0], [0, needH], [0, needW], [0, 0]], 'symmetric');
  }
  return x;
}

/** The generator's output cropped back to the input's sides (itself when nothing was padded). */
function cropTo(output: tf.Tensor4D, input: tf.Tensor4D): tf.Tensor4D {
  const [, height, width] = input.shape;
  return output.shape[1] === height && output.shape[2] === width ? output : tf.slice(output, [0, 0, 0, 0], [-1, height, width, -1]);
}

/** G_A and G_B: both directions, nothing else. */
class CycleGanTranslator implements InferenceModel<CycleGanConfig> {
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
  protected readonly G_A: tf.LayersModel;
  protected readonly G_B: tf.LayersModel;

  constructor(readonly config: CycleGanConfig, seed: number, networks?: Record<string, tf.LayersModel>) {
    const generators = networks ? { G_A: networks['G_A']!, G_B: networks['G_B']! } : buildGenerators(config, seed);
    this.G_A = generators.G_A;
    this.G_B = generators.G_B;
    this.networks = networks ?? generators;
  }

  protected checkInput(input: tf.Tensor): void {
    if (input.rank !== 4) throw new Error(`CycleGAN expects images shaped [n, height, width, channels], got [${input.shape.join(', ')}]`);
    const [n, height, width, depth] = input.shape as [number, number, number, number];
    if (depth !== this.config.channels) throw new Error(`This CycleGAN model works on ${this.config.channels}-channel images, got ${depth} channels`);
    if (n === 0 || height === 0 || width === 0) throw new Error(`CycleGAN got an empty image batch [${input.shape.join(', ')}]`);
  }

  /**
   * Any image size: the sides are padded by reflection to a multiple of 4
   * (the generator halves the image twice) and the result cropped back.
   */
  translate(input: tf.Tensor4D, options: Record<string, unknown> = {}): tf.Tensor4D {
    this.checkInput(input);
    const G = generatorFor(options) === 'G_B' ? this.G_B : this.G_A;
    return tf.tidy(() => cropTo(G.apply(padForGenerator(input), { training: false }) as tf.Tensor4D, input));
  }

  async translateWith(input: tf.Tensor4D, options: Record<string, unknown>, forward: NetworkForward): Promise<tf.Tensor4D> {
    this.checkInput(input);
    const padded = tf.tidy(() => padForGenerator(input));
    try {
      const output = await forward(generatorFor(options), padded);
      try {
        return tf.tidy(() => cropTo(output, input));
      } finally {
        if (output.shape[1] !== input.shape[1] || output.shape[2] !== input.shape[2]) output.dispose();
      }
    } finally {
      if (padded !== input) padded.dispose();
    }
  }


  dispose(): void {
    for (const network of Object.values(this.networks)) network.dispose();
  }
}

class CycleGanModel extends CycleGanTranslator implements GanModel<CycleGanConfig, UnpairedBatch> {
  declare readonly networks: Readonly<{ G_A: tf.LayersModel; G_B: tf.LayersModel; D_A: tf.LayersModel; D_B: tf.LayersModel }>;
  readonly optimizers: Readonly<{ G: tf.Optimizer; D: tf.Optimizer }>;
  readonly lossNames = LOSS_NAMES;
  readonly visualNames = VISUAL_NAMES;
  /** Earlier fakes of A (for D_B) and of B (for D_A). */
  private readonly poolA: ImagePool;
  private readonly poolB: ImagePool;

  constructor(config: CycleGanConfig, seed: number) {
    const generators = buildGenerators(config, seed);
    const discriminators: tf.LayersModel[] = [];
    try {
      const layers = config.discriminatorLayers ?? patchLayersFor(config.size);
      for (const offset of [0, 1]) {
        discriminators.push(buildPatchGanDiscriminator({ channels: config.channels, ndf: config.ndf, layers, norm: 'instance', seed: seed + 2 + offset }));
      }
    } catch (error) {
      generators.G_A.dispose();
      generators.G_B.dispose();
      for (const network of discriminators) network.dispose();
      throw error;
    }
    super(config, seed, { ...generators, D_A: discriminators[0]!, D_B: discriminators[1]! });
    this.optimizers = {
      G: tf.train.adam(config.lr.G, config.beta1, config.beta2, 1e-8),
      D: tf.train.adam(config.lr.D, config.beta1, config.beta2, 1e-8),
    };
    this.poolA = new ImagePool(config.poolSize, 'A');
    this.poolB = new ImagePool(config.poolSize, 'B');
  }

  private checkBatch(batch: UnpairedBatch): void {
    if (batch.a === undefined || batch.b === undefined) throw new Error('CycleGAN trains on unpaired batches { a, b }; this batch has no A or no B images');
    this.checkInput(batch.a);
    this.checkInput(batch.b);
    if (batch.a.shape.join() !== batch.b.shape.join()) {
      throw new Error(`A and B batches must have the same shape, got [${batch.a.shape.join(', ')}] and [${batch.b.shape.join(', ')}]`);
    }
  }

  async trainStep(batch: UnpairedBatch, context: StepContext): Promise<Record<string, number>> {
    this.checkBatch(batch);
    const { a: realA, b: realB } = batch;
    const { G_A, G_B, D_A, D_B } = this.networks;
    const { ganLoss, lambdaCycle, lambdaIdentity } = this.config;
    const step = new TrainingStep();
    try {
      // Generators first, against the current discriminators (the reference code's order).
      let fakeA: tf.Tensor4D | undefined;
      let fakeB: tf.Tensor4D | undefined;
      step.minimize(this.optimizers.G, [G_A, G_B], (record) => {
        const fB = G_A.apply(realA, { training: true }) as tf.Tensor4D;
        const fA = G_B.apply(realB, { training: true }) as tf.Tensor4D;
        fakeB = step.keep(tf.clone(fB));
        fakeA = step.keep(tf.clone(fA));
        const ganA = generatorLoss(ganLoss, D_A.apply(fB, { training: true }) as tf.Tensor);
        const ganB = generatorLoss(ganLoss, D_B.apply(fA, { training: true }) as tf.Tensor);
        const cycleA = tf.mul(l1Loss(G_B.apply(fB, { training: true }) as tf.Tensor, realA), lambdaCycle) as tf.Scalar;
        const cycleB = tf.mul(l1Loss(G_A.apply(fA, { training: true }) as tf.Tensor, realB), lambdaCycle) as tf.Scalar;
        record('G_A', ganA);
        record('G_B', ganB);
        record('cycle_A', cycleA);
        record('cycle_B', cycleB);
        let total = tf.addN([ganA, ganB, cycleA, cycleB]) as tf.Scalar;
        if (lambdaIdentity > 0) {
          // G_A should leave an image that is already B as it is, and G_B one that is already A.
          const idtA = tf.mul(l1Loss(G_A.apply(realB, { training: true }) as tf.Tensor, realB), lambdaCycle * lambdaIdentity) as tf.Scalar;
          const idtB = tf.mul(l1Loss(G_B.apply(realA, { training: true }) as tf.Tensor, realA), lambdaCycle * lambdaIdentity) as tf.Scalar;
          record('idt_A', idtA);
          record('idt_B', idtB);
          total = tf.addN([total, idtA, idtB]) as tf.Scalar;
        }
        return total;
      });

      // Then both discriminators, each on real images of its domain and on fakes from its pool.
      const pooledB = step.keep(this.poolB.query(fakeB!, context.seed, context.step));
      const pooledA = step.keep(this.poolA.query(fakeA!, context.seed, context.step));
      step.minimize(this.optimizers.D, [D_A, D_B], (record) => {
        const halvesA = discriminatorLoss(ganLoss, D_A.apply(realB, { training: true }) as tf.Tensor, D_A.apply(pooledB, { training: true }) as tf.Tensor);
        const halvesB = discriminatorLoss(ganLoss, D_B.apply(realA, { training: true }) as tf.Tensor, D_B.apply(pooledA, { training: true }) as tf.Tensor);
        const lossA = tf.mul(tf.add(halvesA.real, halvesA.fake), 0.5) as tf.Scalar;
        const lossB = tf.mul(tf.add(halvesB.real, halvesB.fake), 0.5) as tf.Scalar;
        record('D_A', lossA);
        record('D_B', lossB);
        return tf.add(lossA, lossB) as tf.Scalar;
      });
      return await step.losses(LOSS_NAMES);
    } finally {
      step.dispose();
    }
  }

  samples(batch: UnpairedBatch): Record<string, tf.Tensor4D> {
    this.checkBatch(batch);
    const { a, b } = batch;
    return tf.tidy(() => {
      const fakeB = this.translate(a, { direction: 'AtoB' });
      const fakeA = this.translate(b, { direction: 'BtoA' });
      return {
        real_A: a.clone(),
        fake_B: fakeB,
        rec_A: this.translate(fakeB, { direction: 'BtoA' }),
        real_B: b.clone(),
        fake_A: fakeA,
        rec_B: this.translate(fakeA, { direction: 'AtoB' }),
      };
    });
  }

  trainingState(): TrainingState {
    const tensors: Record<string, tf.Tensor> = {};
    for (const pool of [this.poolA, this.poolB]) pool.stored().forEach((image, i) => (tensors[`pool_${pool.side}/${i}`] = image));
    return { json: { pools: { A: this.poolA.count, B: this.poolB.count } }, tensors };
  }

  restoreTrainingState(state: TrainingState): void {
    for (const pool of [this.poolA, this.poolB]) {
      const images: tf.Tensor3D[] = [];
      for (let i = 0; `pool_${pool.side}/${i}` in state.tensors; i++) images.push(state.tensors[`pool_${pool.side}/${i}`] as tf.Tensor3D);
      pool.restore(images);
    }
    const claimed = new Set(Object.keys(state.tensors).filter((name) => /^pool_[AB]\/\d+$/.test(name)));
    tf.dispose(Object.entries(state.tensors).filter(([name]) => !claimed.has(name)).map(([, tensor]) => tensor));
  }

  override dispose(): void {
    super.dispose();
    this.optimizers.G.dispose();
    this.optimizers.D.dispose();
    this.poolA.clear();
    this.poolB.clear();
  }
}

export const cycleganModel: FamilyModule<CycleGanConfig, UnpairedBatch> = {
  build: (config: CycleGanConfig, options: BuildOptions = {}) => new CycleGanModel(config, options.seed ?? config.seed),
  buildInference: (config: CycleGanConfig) => new CycleGanTranslator(config, config.seed),
  exampleBatch: (config: CycleGanConfig, batchSize: number) => {
    const shape: [number, number, number, number] = [batchSize, config.size, config.size, config.channels];
    return { a: tf.randomUniform(shape, -1, 1), b: tf.randomUniform(shape, -1, 1) };
  },
};
