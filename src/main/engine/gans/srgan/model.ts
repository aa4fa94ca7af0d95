/**
 * SRGAN (Ledig et al. 2017, "Photo-Realistic Single Image Super-Resolution
 * Using a Generative Adversarial Network"): a residual generator (SRResNet)
 * learns low-resolution → high-resolution, first with a content loss alone
 * (the paper's SRResNet, the PSNR-oriented model), then against a
 * discriminator that tells generated patches from real ones.
 *
 * Perceptual loss (eq. 3): l_SR = l_content + 10⁻³ · l_Gen, with the
 * non-saturating l_Gen = −log D(G(I_LR)) (eq. 6). Optimisation (section 3.2):
 * Adam, β1 0.9, learning rate 10⁻⁴; the SRResNet is trained first and
 * initialises the generator of the GAN, "to avoid undesired local optima".
 * The paper trains on 96×96 HR patches at ×4, batch 16.
 *
 * Here the two phases are one run: steps before `pretrainSteps` train only
 * G with the content loss (D is untouched), later steps alternate a D step
 * and a G step. Networks are in ./srgan/.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { bicubicUpscalePlane } from '../upscale/bicubic.js';
import { FamilyConfigBase, type BuildOptions, type GanFamily, type GanModel, type StepContext } from './family.js';
import { discriminatorLoss, ganLossKinds, generatorLoss } from './losses.js';
import { FeatureNetwork, featureInputRanges, featureModelFolder, pixelLoss, pixelLossKinds } from './srgan/content-loss.js';
import { buildSrganDiscriminator, DISCRIMINATOR_REDUCTION } from './srgan/discriminator.js';
import { buildSrresnetGenerator, imageSkipKinds, srganNormKinds, srganScales } from './srgan/generator.js';

export { buildSrresnetGenerator, upsamplingFactors, RESIDUAL_INIT_GAIN } from './srgan/generator.js';
export { buildSrganDiscriminator, discriminatorLayer, DISCRIMINATOR_REDUCTION } from './srgan/discriminator.js';
export { FeatureNetwork, pixelLoss } from './srgan/content-loss.js';

/**
 * What the high-res dataset gives: `hr` patches [n, size, size, c] and `lr`
 * the same patches shrunk by `scale`, both in [-1, 1].
 */
export interface SuperResolutionBatch {
  lr: tf.Tensor4D;
  hr: tf.Tensor4D;
}

export const SrganConfigSchema = FamilyConfigBase.extend({
  /** Side of the high-resolution training patch (paper: 96); the discriminator is built for exactly this size. */
  size: z.number().int().min(DISCRIMINATOR_REDUCTION).max(1024).default(96),
  /** Upscaling factor (paper: 4). */
  scale: z.union(srganScales.map((s) => z.literal(s)) as [z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<4>]).default(4),
  /** Adam learning rates (paper: 1e-4). */
  lr: z
    .object({ G: z.number().positive().max(1), D: z.number().positive().max(1) })
    .default({ G: 1e-4, D: 1e-4 }),
  /** Paper: β1 = 0.9. */
  beta1: z.number().min(0).max(1).default(0.9),
  /** Generator feature maps (paper: 64). */
  filters: z.number().int().min(1).max(512).default(64),
  /** Generator residual blocks (paper: 16). */
  blocks: z.number().int().min(0).max(64).default(16),
  /** 'batch' as in the paper; 'none' as in ESRGAN (Wang et al. 2018). */
  norm: z.enum(srganNormKinds).default('batch'),
  /** 'bicubic': G adds its output to the input upscaled bicubically (VDSR's global residual); trains much faster. Paper: 'none'. */
  imageSkip: z.enum(imageSkipKinds).default('none'),
  /** Discriminator width of the first layer (paper: 64). */
  ndf: z.number().int().min(1).max(512).default(64),
  /** Content-only (SRResNet) steps before the adversarial phase; unset: half of `steps`. */
  pretrainSteps: z.number().int().min(0).optional(),
  /** Weight of the adversarial term in G's loss (paper: 1e-3). */
  adversarialWeight: z.number().min(0).max(1000).default(1e-3),
  ganLoss: z.enum(ganLossKinds).default('vanilla'),
  /** Pixel content loss (the paper's MSE baseline is 'l2'; 'l1' gives sharper results, e.g. EDSR, Lim et al. 2017). */
  contentLoss: z.enum(pixelLossKinds).default('l1'),
  /** Weight of the pixel loss in the content loss; 0 leaves only the feature loss. */
  pixelWeight: z.number().min(0).max(1000).default(1),
  /** A tfjs layers model (folder or model.json) whose features give a perceptual loss, e.g. a converted VGG19. */
  featureModel: z.string().min(1).optional(),
  /** Layer whose output is compared (e.g. 'block5_conv4' for the paper's VGG54); unset: the model's output. */
  featureLayer: z.string().min(1).optional(),
  /** Pixel range the feature model expects. */
  featureInputRange: z.enum(featureInputRanges).default('0..1'),
  /** Weight of the feature loss (the paper rescales VGG features by 1/12.75, i.e. a weight of about 0.006 on their squares). */
  featureWeight: z.number().min(0).max(1000).default(1),
}).superRefine((config, ctx) => {
  const multiple = DISCRIMINATOR_REDUCTION * (config.scale === 3 ? 3 : 1);
  if (config.size % DISCRIMINATOR_REDUCTION !== 0 || config.size % config.scale !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['size'],
      message: `must be a multiple of ${multiple} at ×${config.scale} (the discriminator halves it 4 times, and the low-resolution patch is size / ${config.scale}); got ${config.size}`,
    });
  }
  if (config.pretrainSteps !== undefined && config.pretrainSteps > config.steps) {
    ctx.addIssue({ code: 'custom', path: ['pretrainSteps'], message: `is after the last step (${config.steps})` });
  }
  if (config.pixelWeight === 0 && config.featureModel === undefined) {
    ctx.addIssue({ code: 'custom', path: ['pixelWeight'], message: 'is 0 and there is no featureModel: the generator would have no content loss' });
  }
});
export type SrganConfig = z.infer<typeof SrganConfigSchema>;

/** Steps of the content-only phase. */
export function pretrainStepsOf(config: Pick<SrganConfig, 'pretrainSteps' | 'steps'>): number {
  return config.pretrainSteps ?? Math.floor(config.steps / 2);
}

const LOSS_NAMES = ['content', 'G_adv', 'D_real', 'D_fake'] as const;
const VISUAL_NAMES = ['lr', 'bicubic', 'output', 'hr'] as const;

function trainableVariables(network: tf.LayersModel): tf.Variable[] {
  return network.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

class SrganModel implements GanModel<SrganConfig, SuperResolutionBatch> {
  readonly networks: Readonly<{ G: tf.LayersModel; D: tf.LayersModel }>;
  readonly optimizers: Readonly<{ G: tf.Optimizer; D: tf.Optimizer }>;
  readonly lossNames = LOSS_NAMES;
  readonly visualNames = VISUAL_NAMES;
  private featureNetwork: Promise<FeatureNetwork> | null = null;
  private disposed = false;

  constructor(readonly config: SrganConfig, initSeed: number) {
    const { size, scale, channels, filters, blocks, norm, imageSkip, ndf } = config;
    // Fail at build, not at the first step, when the feature model is missing.
    if (config.featureModel !== undefined) featureModelFolder(config.featureModel);
    const G = buildSrresnetGenerator({ scale, channels, filters, blocks, norm, imageSkip, seed: initSeed });
    let D: tf.LayersModel;
    try {
      D = buildSrganDiscriminator({ size, channels, ndf, seed: initSeed });
    } catch (error) {
      G.dispose();
      throw error;
    }
    this.networks = { G, D };
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

  private checkInput(input: tf.Tensor): void {
    const { channels } = this.config;
    if (input.rank !== 4) throw new Error(`SRGAN expects images shaped [n, height, width, channels], got [${input.shape.join(', ')}]`);
    const [n, height, width, depth] = input.shape as [number, number, number, number];
    if (depth !== channels) throw new Error(`This SRGAN model works on ${channels}-channel images, got ${depth} channels`);
    if (n === 0 || height === 0 || width === 0) throw new Error(`SRGAN got an empty image batch [${input.shape.join(', ')}]`);
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

    const kept: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      kept.push(tf.keep(t));
      return t;
    };
    let dReal: tf.Scalar | undefined;
    let dFake: tf.Scalar | undefined;
    let gAdv: tf.Scalar | undefined;
    let content: tf.Scalar | undefined;
    try {
      if (adversarial) {
        const fake = keep(tf.tidy(() => G.apply(lr, { training: true }) as tf.Tensor4D));
        const dStep = tf.variableGrads(() => {
          const realScores = D.apply(hr, { training: true }) as tf.Tensor;
          const fakeScores = D.apply(fake, { training: true }) as tf.Tensor;
          const halves = discriminatorLoss(ganLoss, realScores, fakeScores);
          dReal = keep(halves.real);
          dFake = keep(halves.fake);
          return tf.add(halves.real, halves.fake) as tf.Scalar;
        }, trainableVariables(D));
        this.optimizers.D.applyGradients(dStep.grads);
        tf.dispose([dStep.value, ...Object.values(dStep.grads)]);
      }

      const gStep = tf.variableGrads(() => {
        const output = G.apply(lr, { training: true }) as tf.Tensor4D;
        let loss: tf.Scalar = tf.scalar(0);
        if (pixelWeight > 0) loss = tf.add(loss, tf.mul(pixelLoss(contentLoss, output, hr), pixelWeight));
        if (features !== null) loss = tf.add(loss, tf.mul(features.loss(output, hr), featureWeight));
        // A copy: the value returned below is freed with the gradients.
        content = keep(tf.clone(loss));
        if (!adversarial) return loss;
        gAdv = keep(generatorLoss(ganLoss, D.apply(output, { training: true }) as tf.Tensor));
        return tf.add(loss, tf.mul(gAdv, adversarialWeight)) as tf.Scalar;
      }, trainableVariables(G));
      this.optimizers.G.applyGradients(gStep.grads);
      tf.dispose([gStep.value, ...Object.values(gStep.grads)]);

      const zero = tf.scalar(0);
      kept.push(zero);
      const values = tf.tidy(() => tf.stack([content!, gAdv ?? zero, dReal ?? zero, dFake ?? zero]));
      const numbers = Array.from(await values.data());
      values.dispose();
      return Object.fromEntries(LOSS_NAMES.map((name, i) => [name, numbers[i]!]));
    } finally {
      tf.dispose(kept);
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

  translate(input: tf.Tensor4D, options: Record<string, unknown> = {}): tf.Tensor4D {
    const unknown = Object.keys(options);
    if (unknown.length > 0) throw new Error(`SRGAN translate takes no options, got ${unknown.join(', ')}`);
    this.checkInput(input);
    const { G } = this.networks;
    return tf.tidy(() => tf.clipByValue(G.apply(input, { training: false }) as tf.Tensor4D, -1, 1));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.networks.G.dispose();
    this.networks.D.dispose();
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

export const srgan: GanFamily<SrganConfig, SuperResolutionBatch> = {
  id: 'srgan',
  title: 'SRGAN',
  description:
    'Upscales photos ×2, ×3 or ×4 with invented-but-plausible detail, learned from any folder of high-resolution images. ' +
    'SRResNet generator and discriminator after Ledig et al. 2017.',
  configSchema: SrganConfigSchema,
  dataset: 'high-res',
  // SRResNet is fully convolutional: an upscaler takes photos of any size.
  inferenceSize: 'any',
  architectureKeys: ['size', 'channels', 'scale', 'filters', 'blocks', 'norm', 'imageSkip', 'ndf'],
  build(config: SrganConfig, options: BuildOptions = {}): GanModel<SrganConfig, SuperResolutionBatch> {
    return new SrganModel(config, options.seed ?? config.seed);
  },
};

