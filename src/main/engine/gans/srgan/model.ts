/**
 * SRGAN's networks, training step and inference (the descriptor is in
 * index.ts).
 *
 * Perceptual loss (Ledig et al. 2017, eq. 3): l_SR = l_content + 10⁻³ · l_Gen,
 * with the non-saturating l_Gen = −log D(G(I_LR)) (eq. 6). Optimisation
 * (section 3.2): Adam, β1 0.9, learning rate 10⁻⁴; the SRResNet is trained
 * first and initialises the generator of the GAN, "to avoid undesired local
 * optima". The paper trains on 96×96 HR patches at ×4, batch 16.
 *
 * Here the two phases are one run: steps before `pretrainSteps` train only
 * G with the content loss (D is untouched), later steps alternate a D step
 * and a G step.
 */
import * as tf from '@tensorflow/tfjs';
import { bicubicUpscalePlane } from '../../upscale/bicubic.js';
import type { BuildOptions, FamilyModule, GanModel, InferenceModel, NetworkForward, StepContext } from '../family.js';
import { discriminatorLoss, generatorLoss } from '../shared/losses.js';
import { TrainingStep } from '../shared/training-step.js';
import { pretrainStepsOf, type SrganConfig } from './config.js';
import { FeatureNetwork, featureModelFolder, pixelLoss } from './content-loss.js';
import { buildSrganDiscriminator } from './discriminator.js';
import { buildSrresnetGenerator } from './generator.js';

export { buildSrresnetGenerator, upsamplingFactors, RESIDUAL_INIT_GAIN } from './generator.js';
export { buildSrganDiscriminator, discriminatorLayer, DISCRIMINATOR_REDUCTION } from './discriminator.js';
export { FeatureNetwork, pixelLoss } from './content-loss.js';
// The descriptor and settings, for code that already works with tfjs (tests, scripts).
export { srgan, SrganConfigSchema, pretrainStepsOf, type SrganConfig } from './index.js';

/**
 * What the high-res dataset gives: `hr` patches [n, size, size, c] and `lr`
 * the same patches shrunk by `scale`, both in [-1, 1].
 */
export interface SuperResolutionBatch {
  lr: tf.Tensor4D;
  hr: tf.Tensor4D;
}

const LOSS_NAMES = ['content', 'G_adv', 'D_real', 'D_fake'] as const;
const VISUAL_NAMES = ['lr', 'bicubic', 'output', 'hr'] as const;

function buildGenerator(config: SrganConfig, seed: number): tf.LayersModel {
  const { scale, channels, filters, blocks, norm, imageSkip, upsampling } = config;
  return buildSrresnetGenerator({ scale, channels, filters, blocks, norm, imageSkip, upsampling, seed });
}

/** G alone: what the studio needs to upscale. */
class SrganTranslator implements InferenceModel<SrganConfig> {
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
  protected readonly G: tf.LayersModel;

  constructor(readonly config: SrganConfig, initSeed: number, networks?: Record<string, tf.LayersModel>) {
    this.G = networks?.['G'] ?? buildGenerator(config, initSeed);
    this.networks = networks ?? { G: this.G };
  }

  protected checkInput(input: tf.Tensor): void {
    const { channels } = this.config;
    if (input.rank !== 4) throw new Error(`SRGAN expects images shaped [n, height, width, channels], got [${input.shape.join(', ')}]`);
    const [n, height, width, depth] = input.shape as [number, number, number, number];
    if (depth !== channels) throw new Error(`This SRGAN model works on ${channels}-channel images, got ${depth} channels`);
    if (n === 0 || height === 0 || width === 0) throw new Error(`SRGAN got an empty image batch [${input.shape.join(', ')}]`);
  }

  translate(input: tf.Tensor4D): tf.Tensor4D {
    this.checkInput(input);
    const { G } = this;
    return tf.tidy(() => tf.clipByValue(G.apply(input, { training: false }) as tf.Tensor4D, -1, 1));
  }

  async translateWith(input: tf.Tensor4D, _options: Record<string, unknown>, forward: NetworkForward): Promise<tf.Tensor4D> {
    this.checkInput(input);
    const output = await forward('G', input);
    try {
      return tf.clipByValue(output, -1, 1);
    } finally {
      output.dispose();
    }
  }

  dispose(): void {
    for (const network of Object.values(this.networks)) network.dispose();
  }
}

class SrganModel extends SrganTranslator implements GanModel<SrganConfig, SuperResolutionBatch> {
  declare readonly networks: Readonly<{ G: tf.LayersModel; D: tf.LayersModel }>;
  readonly optimizers: Readonly<{ G: tf.Optimizer; D: tf.Optimizer }>;
  readonly lossNames = LOSS_NAMES;
  readonly visualNames = VISUAL_NAMES;
  private featureNetwork: Promise<FeatureNetwork> | null = null;
  private disposed = false;

  constructor(config: SrganConfig, initSeed: number) {
    // Fail at build, not at the first step, when the feature model is missing.
    if (config.featureModel !== undefined) featureModelFolder(config.featureModel);
    const G = buildGenerator(config, initSeed);
    let D: tf.LayersModel;
    try {
      D = buildSrganDiscriminator({ size: config.size, channels: config.channels, ndf: config.ndf, seed: initSeed });
    } catch (error) {
      G.dispose();
      throw error;
    }
    super(config, initSeed, { G, D });
    this.optimizers = {
      G: tf.train.adam(config.lr.G, config.beta1, config.beta2, 1e-8),
      D: tf.train.adam(config.lr.D, config.beta1, config.beta2, 1e-8),
    };
  }

  private features(): Promise<FeatureNetwork> | null {
    const { featureModel, featureLayer, featureInputRange } = this.config;
    if (featureModel === undefined) return null;
    if (this.featureNetwork === null) {
      this.featureNetwork = FeatureNetwork.load(featureModel, {
        ...(featureLayer !== undefined ? { layer: featureLayer } : {}),
        inputRange: featureInputRange,
      });
      // A failed load is retried on the next step rather than cached.
      this.featureNetwork.catch(() => (this.featureNetwork = null));
    }
    return this.featureNetwork;
  }

  private pairOf(batch: SuperResolutionBatch): { lr: tf.Tensor4D; hr: tf.Tensor4D } {
    const { lr, hr } = batch;
    if (lr === undefined || hr === undefined) throw new Error('SRGAN trains on high-resolution batches { lr, hr }; this batch has neither');
    this.checkInput(lr);
    const { scale } = this.config;
    const [n, h, w] = lr.shape;
    if (hr.shape[0] !== n || hr.shape[1] !== h * scale || hr.shape[2] !== w * scale || hr.shape[3] !== lr.shape[3]) {
      throw new Error(
        `An SRGAN ×${scale} batch needs hr = lr × ${scale}; got lr [${lr.shape.join(', ')}] and hr [${hr.shape.join(', ')}]`,
      );
    }
    return { lr, hr };
  }

  async trainStep(batch: SuperResolutionBatch, context: StepContext): Promise<Record<string, number>> {
    const { lr, hr } = this.pairOf(batch);
    const adversarial = context.step >= pretrainStepsOf(this.config);
    const { size, ganLoss, adversarialWeight, contentLoss, pixelWeight, featureWeight } = this.config;
    if (adversarial && (hr.shape[1] !== size || hr.shape[2] !== size)) {
      throw new Error(`The SRGAN discriminator was built for ${size}×${size} patches; this batch has ${hr.shape[2]}×${hr.shape[1]}`);
    }
    const features = await this.features();
    const { G, D } = this.networks;
    const step = new TrainingStep();
    try {
      if (adversarial) {
        const fake = step.keep(tf.tidy(() => G.apply(lr, { training: true }) as tf.Tensor4D));
        step.minimize(this.optimizers.D, [D], (record) => {
          const halves = discriminatorLoss(ganLoss, D.apply(hr, { training: true }) as tf.Tensor, D.apply(fake, { training: true }) as tf.Tensor);
          record('D_real', halves.real);
          record('D_fake', halves.fake);
          return tf.add(halves.real, halves.fake) as tf.Scalar;
        });
      }
      step.minimize(this.optimizers.G, [G], (record) => {
        const output = G.apply(lr, { training: true }) as tf.Tensor4D;
        let loss: tf.Scalar = tf.scalar(0);
        if (pixelWeight > 0) loss = tf.add(loss, tf.mul(pixelLoss(contentLoss, output, hr), pixelWeight));
        if (features !== null) loss = tf.add(loss, tf.mul(features.loss(output, hr), featureWeight));
        record('content', loss);
        if (!adversarial) return loss;
        const adv = generatorLoss(ganLoss, D.apply(output, { training: true }) as tf.Tensor);
        record('G_adv', adv);
        return tf.add(loss, tf.mul(adv, adversarialWeight)) as tf.Scalar;
      });
      return await step.losses(LOSS_NAMES);
    } finally {
      step.dispose();
    }
  }

  samples(batch: SuperResolutionBatch): Record<string, tf.Tensor4D> {
    const { lr, hr } = this.pairOf(batch);
    const [, height, width] = hr.shape;
    return {
      lr: tf.tidy(() => tf.image.resizeNearestNeighbor(lr, [height, width])),
      bicubic: bicubicUpscale(lr, this.config.scale),
      output: this.translate(lr),
      hr: hr.clone(),
    };
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    super.dispose();
    this.optimizers.G.dispose();
    this.optimizers.D.dispose();
    this.featureNetwork?.then((network) => network.dispose(), () => undefined);
  }
}

/** Bicubic (Keys, a = −0.5) upscaling by `scale`, the baseline the paper compares against; clamped to [-1, 1]. */
export function bicubicUpscale(images: tf.Tensor4D, scale: number): tf.Tensor4D {
  const [n, height, width, channels] = images.shape;
  const source = images.dataSync() as Float32Array;
  const outH = height * scale;
  const outW = width * scale;
  const result = new Float32Array(n * outH * outW * channels);
  const plane = new Float32Array(height * width);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < height * width; p++) plane[p] = source[(i * height * width + p) * channels + c]!;
      const upscaled = bicubicUpscalePlane(plane, width, height, scale);
      for (let p = 0; p < outH * outW; p++) result[(i * outH * outW + p) * channels + c] = Math.min(1, Math.max(-1, upscaled[p]!));
    }
  }
  return tf.tensor4d(result, [n, outH, outW, channels]);
}

export const srganModel: FamilyModule<SrganConfig, SuperResolutionBatch> = {
  build: (config: SrganConfig, options: BuildOptions = {}) => new SrganModel(config, options.seed ?? config.seed),
  buildInference: (config: SrganConfig) => new SrganTranslator(config, config.seed),
  exampleBatch: (config: SrganConfig, batchSize: number) => {
    const low = config.size / config.scale;
    return {
      lr: tf.randomUniform([batchSize, low, low, config.channels], -1, 1),
      hr: tf.randomUniform([batchSize, config.size, config.size, config.channels], -1, 1),
    };
  },
};
