/**
 * Pix2Pix's networks, training step and inference (the descriptor is in
 * index.ts).
 *
 * Objective (Isola et al. 2017, eq. 4): G* = arg min_G max_D L_cGAN(G, D) + λ·L_L1(G), λ = 100.
 * Optimisation (section 3.3): alternate one D step and one G step, Adam with
 * lr 2e-4, β1 0.5, β2 0.999; D's objective is divided by 2 "to slow down the
 * rate at which D learns relative to G"; G maximises log D(x, G(x)) (the
 * non-saturating loss) rather than minimising log(1 − D(x, G(x))).
 */
import * as tf from '@tensorflow/tfjs';
import { edgeSketch, evaluationHints, HINT_LAYER_CHANNELS, hintLayer, paintHints, sampleTrainingHints } from '../../data/colour-hints.js';
import { SeededRandom, seedFor } from '../../random.js';
import type { BuildOptions, FamilyModule, GanModel, InferenceModel, NetworkForward, StepContext } from '../family.js';
import { reseedDropout } from '../shared/layers/index.js';
import { discriminatorLoss, generatorLoss, l1Loss } from '../shared/losses.js';
import { buildPatchGanDiscriminator, patchLayersFor } from '../shared/networks/patchgan.js';
import { TrainingStep } from '../shared/training-step.js';
import type { Pix2PixConfig, Pix2PixTranslateOptions } from './config.js';
import { buildUnetGenerator, unetDepth } from './unet.js';

export { unetDepth, encoderWidth, DROPOUT_DECODER_LAYERS } from './unet.js';
export { patchLayersFor, patchOutputSize, patchReceptiveField, PAPER_PATCH_LAYERS } from '../shared/networks/patchgan.js';
// The descriptor and settings, for code that already works with tfjs (tests, scripts).
export { pix2pix, Pix2PixConfigSchema, type Pix2PixConfig } from './index.js';

/**
 * An aligned batch as the paired dataset gives it: [n, size, size, channels]
 * in [-1, 1] each; `a` is the input and `b` the target. Which folder is the
 * input (A → B or B → A) is the dataset's `direction` option, not the model's.
 */
export interface PairedBatch {
  a: tf.Tensor4D;
  b: tf.Tensor4D;
}

const LOSS_NAMES = ['G_GAN', 'G_L1', 'D_real', 'D_fake'] as const;
const L1_ONLY_LOSS_NAMES = ['G_L1'] as const;
const VISUAL_NAMES = ['input', 'output', 'target'] as const;
/** Point hints on the sample grid's sketches of a model trained with hints (a fixed set, so grids compare). */
const SAMPLE_HINTS = 5;

/** A paired batch's sketches, each redrawn or kept, with colour hints painted from the targets; null where the images are not RGB. */
function withHints(
  input: tf.Tensor4D,
  target: tf.Tensor4D,
  hintsFor: (sketch: Float32Array, target: Float32Array, size: number, index: number) => Parameters<typeof paintHints>[1],
  /** Replaces a sketch before its hints are painted (the default keeps it). */
  redraw: (sketch: Float32Array, target: Float32Array, size: number) => Float32Array = (sketch) => sketch,
): tf.Tensor4D | null {
  const [n, height, width, channels] = input.shape;
  if (channels !== 3 || height !== width) return null;
  const sketches = input.dataSync() as Float32Array;
  const targets = target.dataSync() as Float32Array;
  const out = new Float32Array(sketches.length);
  const each = height * width * 3;
  for (let i = 0; i < n; i++) {
    const goal = targets.subarray(i * each, (i + 1) * each);
    const sketch = redraw(sketches.subarray(i * each, (i + 1) * each), goal, width);
    out.set(paintHints(sketch, hintsFor(sketch, goal, width, i)), i * each);
  }
  return tf.tensor4d(out, input.shape);
}

function buildGenerator(config: Pix2PixConfig, seed: number): tf.LayersModel {
  const { size, channels, ngf, norm, dropout } = config;
  const inChannels = channels + (config.hintLayer ? HINT_LAYER_CHANNELS : 0);
  return buildUnetGenerator({ size, inChannels, outChannels: channels, ngf, norm, dropout, seed });
}

/** What G reads: the canvas, and with `hintLayer` the canvas's hints spread over its shapes beside it. Takes nothing, returns a new tensor. */
function generatorInput(config: Pix2PixConfig, canvas: tf.Tensor4D): tf.Tensor4D {
  if (!config.hintLayer) return canvas.clone();
  const [n, height, width] = canvas.shape;
  const pixels = canvas.dataSync() as Float32Array;
  const each = height * width * 3;
  const layers = new Float32Array(n * height * width * HINT_LAYER_CHANNELS);
  for (let i = 0; i < n; i++) {
    layers.set(hintLayer(pixels.subarray(i * each, (i + 1) * each), width, height), i * height * width * HINT_LAYER_CHANNELS);
  }
  return tf.tidy(() => tf.concat([canvas, tf.tensor4d(layers, [n, height, width, HINT_LAYER_CHANNELS])], -1));
}

/** Every pixel of a blank canvas is at least this light, on [-1, 1] (98 % white). */
const BLANK_LEVEL = 0.96;

/** Nothing drawn, nothing made: where the canvas is blank (white paper), the result is white, not a ghost of the average drawing. Takes `output`. */
function whiteWhereBlank(input: tf.Tensor4D, output: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const blank = tf.greater(tf.min(input, [1, 2, 3], true), BLANK_LEVEL);
    const result = tf.where(tf.broadcastTo(blank, output.shape), tf.onesLike(output), output) as tf.Tensor4D;
    output.dispose();
    return result;
  });
}

/** G alone: what the studio needs to translate. */
class Pix2PixTranslator implements InferenceModel<Pix2PixConfig> {
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
  protected readonly G: tf.LayersModel;
  private readonly depth: number;

  constructor(readonly config: Pix2PixConfig, initSeed: number, networks?: Record<string, tf.LayersModel>) {
    this.depth = unetDepth(config.size);
    this.G = networks?.['G'] ?? buildGenerator(config, initSeed);
    this.networks = networks ?? { G: this.G };
  }

  protected checkInput(input: tf.Tensor): void {
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

  translate(input: tf.Tensor4D, options: Record<string, unknown> = {}): tf.Tensor4D {
    this.checkInput(input);
    return whiteWhereBlank(input, this.generate(input, options));
  }

  private generate(input: tf.Tensor4D, options: Record<string, unknown>): tf.Tensor4D {
    const { noise, seed } = options as Partial<Pix2PixTranslateOptions>;
    const { G } = this;
    const seen = generatorInput(this.config, input);
    try {
      return noise ? this.withNoise(seen, seed) : tf.tidy(() => G.apply(seen, { training: false }) as tf.Tensor4D);
    } finally {
      seen.dispose();
    }
  }

  private withNoise(input: tf.Tensor4D, seed: number | undefined): tf.Tensor4D {
    const { G } = this;

    reseedDropout(G, seedFor(seed ?? this.config.seed, 'pix2pix-test-noise'));
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

  /** Without test-time noise, translate is G alone; with it, tfjs's seeded dropout is needed (null). */
  translateWith(input: tf.Tensor4D, options: Record<string, unknown>, forward: NetworkForward): Promise<tf.Tensor4D> | null {
    if ((options as Partial<Pix2PixTranslateOptions>).noise) return null;
    this.checkInput(input);
    const seen = generatorInput(this.config, input);
    return forward('G', seen)
      .finally(() => seen.dispose())
      .then((output) => whiteWhereBlank(input, output));
  }

  dispose(): void {
    for (const network of Object.values(this.networks)) network.dispose();
  }
}

class Pix2PixModel extends Pix2PixTranslator implements GanModel<Pix2PixConfig, PairedBatch> {
  declare readonly networks: Readonly<{ G: tf.LayersModel; D: tf.LayersModel }>;
  readonly optimizers: Readonly<{ G: tf.Optimizer; D: tf.Optimizer }>;
  readonly lossNames: readonly string[];
  readonly visualNames = VISUAL_NAMES;

  constructor(config: Pix2PixConfig, initSeed: number) {
    const { channels, ndf, norm, size } = config;
    const G = buildGenerator(config, initSeed);
    let D: tf.LayersModel;
    try {
      D = buildPatchGanDiscriminator({ channels: 2 * channels, ndf, layers: config.discriminatorLayers ?? patchLayersFor(size), norm, seed: initSeed });
    } catch (error) {
      G.dispose();
      throw error;
    }
    super(config, initSeed, { G, D });
    this.lossNames = config.ganWeight > 0 ? LOSS_NAMES : L1_ONLY_LOSS_NAMES;
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

  async trainStep(batch: PairedBatch, context: StepContext): Promise<Record<string, number>> {
    const pair = this.pairOf(batch);
    const { target } = pair;
    const { G, D } = this.networks;
    const { ganLoss, labelSmoothing, l1Weight, ganWeight, colourHints, hintlessShare, edgeSketchShare } = this.config;
    // Same seed for every forward pass below, so D judges exactly the output G is then trained on.
    reseedDropout(G, seedFor(context.seed, 'pix2pix-noise', context.step));
    const step = new TrainingStep();
    try {
      // The sketch as a user would leave it: lines plus colour marks taken from the target (none for some).
      let input = pair.input;
      if (edgeSketchShare > 0) {
        // Some sketches drawn another way: the target's edges, as the Doodle view traces a photo.
        const random = new SeededRandom(seedFor(context.seed, 'pix2pix-edge-sketches', context.step));
        const traced = withHints(input, target, () => [], (sketch, goal, size) => (random.next() < edgeSketchShare ? edgeSketch(goal, size, size) : sketch));
        if (traced) input = step.keep(traced);
      }
      if (colourHints > 0) {
        const random = new SeededRandom(seedFor(context.seed, 'pix2pix-hints', context.step));
        const hinted = withHints(input, target, (sketch, goal, size) =>
          sampleTrainingHints(sketch, goal, size, size, random, { maxHints: colourHints, noHintShare: hintlessShare }),
        );
        if (hinted) input = step.keep(hinted);
      }
      const seen = step.keep(generatorInput(this.config, input));
      if (ganWeight > 0) {
        // D step on (input, target) against (input, G(input)); G gets no gradient here.
        // G's forward runs again inside the G step below: one extra forward pass
        // buys the paper's order (D step, then a G step against the updated D).
        const fake = step.keep(tf.tidy(() => G.apply(seen, { training: true }) as tf.Tensor4D));
        step.minimize(this.optimizers.D, [D], (record) => {
          const realScores = D.apply(tf.concat([input, target], -1), { training: true }) as tf.Tensor;
          const fakeScores = D.apply(tf.concat([input, fake], -1), { training: true }) as tf.Tensor;
          const halves = discriminatorLoss(ganLoss, realScores, fakeScores, { labelSmoothing });
          record('D_real', halves.real);
          record('D_fake', halves.fake);
          return tf.mul(tf.add(halves.real, halves.fake), 0.5) as tf.Scalar;
        });
      }
      // G step against the updated D (or, with ganWeight 0, against the target alone).
      step.minimize(this.optimizers.G, [G], (record) => {
        const output = G.apply(seen, { training: true }) as tf.Tensor4D;
        const l1 = l1Loss(output, target);
        record('G_L1', l1);
        if (ganWeight === 0) return tf.mul(l1, l1Weight) as tf.Scalar;
        const gan = generatorLoss(ganLoss, D.apply(tf.concat([input, output], -1), { training: true }) as tf.Tensor);
        record('G_GAN', gan);
        return tf.add(tf.mul(gan, ganWeight), tf.mul(l1, l1Weight)) as tf.Scalar;
      });
      return await step.losses(this.lossNames);
    } finally {
      step.dispose();
    }
  }

  samples(batch: PairedBatch): Record<string, tf.Tensor4D> {
    const { input: sketch, target } = this.pairOf(batch);
    const hinted =
      this.config.colourHints > 0 || this.config.hintLayer
        ? withHints(sketch, target, (_sketch, goal, size, index) => evaluationHints(goal, size, size, SAMPLE_HINTS, seedFor(this.config.seed, 'sample-hints', index)))
        : null;
    const input = hinted ?? sketch.clone();
    return { input, output: this.translate(input, {}), target: target.clone() };
  }

  override dispose(): void {
    super.dispose();
    this.optimizers.G.dispose();
    this.optimizers.D.dispose();
  }
}

export const pix2pixModel: FamilyModule<Pix2PixConfig, PairedBatch> = {
  build: (config: Pix2PixConfig, options: BuildOptions = {}) => new Pix2PixModel(config, options.seed ?? config.seed),
  buildInference: (config: Pix2PixConfig) => new Pix2PixTranslator(config, config.seed),
  exampleBatch: (config: Pix2PixConfig, batchSize: number) => {
    const shape: [number, number, number, number] = [batchSize, config.size, config.size, config.channels];
    return { a: tf.randomUniform(shape, -1, 1), b: tf.randomUniform(shape, -1, 1) };
  },
};
