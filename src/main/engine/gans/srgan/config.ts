/**
 * SRGAN settings (Ledig et al. 2017): the schema with the paper's defaults
 * (96-px HR patches, ×4, 16 residual blocks of 64 filters, Adam lr 1e-4 with
 * β1 0.9, adversarial weight 1e-3) and the names the networks offer. No tfjs
 * here: the main thread and the Train form read it.
 */
import { z } from 'zod';
import { FamilyConfigBase, learningRatesOf } from '../family.js';
import { ganLossKinds } from '../shared/loss-kinds.js';

export const srganNormKinds = ['batch', 'none'] as const;
export type SrganNormKind = (typeof srganNormKinds)[number];
export const srganScales = [2, 3, 4] as const;
/** What the generator's output is added to: nothing (the paper), or the input upscaled bicubically. */
export const imageSkipKinds = ['none', 'bicubic'] as const;
export type ImageSkipKind = (typeof imageSkipKinds)[number];
/**
 * How the generator reaches the high resolution. 'progressive': the paper's
 * conv – pixel shuffle ×2 – PReLU blocks, then a 9×9 convolution at the full
 * size. 'direct': one 3×3 convolution at the low resolution gives every
 * output pixel's colour and a single pixel shuffle ×r places them (ESPCN: Shi
 * et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an
 * Efficient Sub-Pixel Convolutional Neural Network"), so nothing runs at the
 * high resolution: at ×4 with 32 filters it is about a third of the work.
 */
export const upsamplingKinds = ['progressive', 'direct'] as const;
export type UpsamplingKind = (typeof upsamplingKinds)[number];
/** The discriminator's eight convolutions halve the patch four times. */
export const DISCRIMINATOR_REDUCTION = 16;
export const pixelLossKinds = ['l1', 'l2'] as const;
export type PixelLossKind = (typeof pixelLossKinds)[number];
/** How images in [-1, 1] are mapped before the feature network sees them. */
export const featureInputRanges = ['-1..1', '0..1', '0..255'] as const;
export type FeatureInputRange = (typeof featureInputRanges)[number];

export const SrganConfigSchema = FamilyConfigBase.extend({
  /** Side of the high-resolution training patch (paper: 96); the discriminator is built for exactly this size. */
  size: z.number().int().min(DISCRIMINATOR_REDUCTION).max(1024).default(96).meta({ title: 'Patch size', description: 'Side of the high-resolution training patch in pixels (a multiple of 16; of 48 at ×3).', group: 'basic', unit: 'px', choices: [48, 96, 128, 192] }),
  /** Upscaling factor (paper: 4). */
  scale: z
    .union(srganScales.map((s) => z.literal(s)) as [z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<4>])
    .default(4)
    .meta({ title: 'Scale', description: 'Upscaling factor.', group: 'basic' }),
  /** Adam learning rates (paper: 1e-4). */
  lr: learningRatesOf({ G: 1e-4, D: 1e-4 }),
  /** Paper: β1 = 0.9. */
  beta1: z.number().min(0).max(1).default(0.9).meta({ title: 'Adam β1', description: 'Momentum of Adam (the paper: 0.9).' }),
  /** Generator feature maps (paper: 64). */
  filters: z.number().int().min(1).max(512).default(64).meta({ title: 'Generator filters', description: 'Feature maps of every generator convolution.' }),
  /** Generator residual blocks (paper: 16). */
  blocks: z.number().int().min(0).max(64).default(16).meta({ title: 'Residual blocks', description: 'Residual blocks of the generator (the paper: 16).' }),
  /** 'batch' as in the paper; 'none' as in ESRGAN (Wang et al. 2018). */
  norm: z.enum(srganNormKinds).default('batch').meta({ title: 'Normalisation', description: "batch: the paper's; none: as ESRGAN (fewer artefacts)." }),
  /** 'bicubic': G adds its output to the input upscaled bicubically (VDSR's global residual); trains much faster. Paper: 'none'. */
  imageSkip: z.enum(imageSkipKinds).default('none').meta({ title: 'Image skip', description: 'bicubic: the network learns only what a bicubic upscale lacks (trains much faster).' }),
  /** 'progressive' as in the paper; 'direct': ESPCN's single sub-pixel convolution at the low resolution. */
  upsampling: z.enum(upsamplingKinds).default('progressive').meta({ title: 'Upsampling', description: "progressive: the paper's ×2 steps and a 9×9 layer at full size; direct: one sub-pixel layer at low resolution (about 3× faster at ×4)." }),
  /** Discriminator width of the first layer (paper: 64). */
  ndf: z.number().int().min(1).max(512).default(64).meta({ title: 'Discriminator filters (ndf)', description: "Filters of D's first layer." }),
  /** Content-only (SRResNet) steps before the adversarial phase; unset: half of `steps`. */
  pretrainSteps: z.number().int().min(0).max(100_000_000).optional().meta({ title: 'Content-only steps', description: 'Steps of the PSNR-oriented SRResNet phase before the GAN phase; empty: half of the steps.' }),
  /** Weight of the adversarial term in G's loss (paper: 1e-3). */
  adversarialWeight: z.number().min(0).max(1000).default(1e-3).meta({ title: 'Adversarial weight', description: "Weight of the GAN term in G's loss (the paper: 0.001)." }),
  ganLoss: z.enum(ganLossKinds).default('vanilla').meta({ title: 'GAN loss', description: 'vanilla: cross-entropy; lsgan: least squares; hinge.' }),
  /** Pixel content loss (the paper's MSE baseline is 'l2'; 'l1' gives sharper results, e.g. EDSR, Lim et al. 2017). */
  contentLoss: z.enum(pixelLossKinds).default('l1').meta({ title: 'Pixel loss', description: 'l1 gives sharper results than the paper’s l2 (EDSR).' }),
  /** Weight of the pixel loss in the content loss; 0 leaves only the feature loss. */
  pixelWeight: z.number().min(0).max(1000).default(1).meta({ title: 'Pixel loss weight', description: 'Weight of the pixel loss; 0 leaves only the feature loss.' }),
  /** A tfjs layers model (folder or model.json) whose features give a perceptual loss, e.g. a converted VGG19. */
  featureModel: z.string().min(1).max(4096).optional().meta({ title: 'Feature model', description: 'Folder of a tfjs layers model (e.g. a converted VGG19) for a perceptual loss.' }),
  /** Layer whose output is compared (e.g. 'block5_conv4' for the paper's VGG54); unset: the model's output. */
  featureLayer: z.string().min(1).max(200).optional().meta({ title: 'Feature layer', description: "Layer whose output is compared (the paper's VGG54: block5_conv4)." }),
  /** Pixel range the feature model expects. */
  featureInputRange: z.enum(featureInputRanges).default('0..1').meta({ title: 'Feature input range', description: 'Pixel range the feature model expects.' }),
  /** Weight of the feature loss (the paper rescales VGG features by 1/12.75, i.e. a weight of about 0.006 on their squares). */
  featureWeight: z.number().min(0).max(1000).default(1).meta({ title: 'Feature loss weight', description: 'Weight of the feature (perceptual) loss.' }),
  // Degraded inputs (data/sr-degradation.ts): the photos people upscale are rarely clean bicubic downscales.
  // Ranges from BSRGAN (Zhang et al. 2021) and Real-ESRGAN (Wang et al. 2021), kept to their mild end. Default: off.
  /** Share of training patches blurred before the downscale. */
  blurShare: z.number().min(0).max(1).default(0).meta({ title: 'Blurred share', description: 'Share of training inputs given a slight Gaussian blur before the downscale (0: none), so the model learns to sharpen soft photos too.' }),
  /** Blur σ range, in low-resolution pixels (0.2–1: 0.8–4 px of the photo at ×4; Real-ESRGAN draws 0.2–3 at ×4). */
  blurSigmaMin: z.number().positive().max(4).default(0.2).meta({ title: 'Blur σ from', description: 'Smallest blur σ, in low-resolution pixels.', unit: 'px' }),
  blurSigmaMax: z.number().positive().max(4).default(1).meta({ title: 'Blur σ to', description: 'Largest blur σ, in low-resolution pixels.', unit: 'px' }),
  /** Share of training patches JPEG-compressed after the downscale. */
  jpegShare: z.number().min(0).max(1).default(0).meta({ title: 'JPEG share', description: 'Share of training inputs JPEG-compressed after the downscale (0: none), so the model learns not to upscale block artefacts.' }),
  /** JPEG quality range (BSRGAN and Real-ESRGAN: 30–95; ours the milder 60–95). */
  jpegQualityMin: z.number().int().min(1).max(100).default(60).meta({ title: 'JPEG quality from', description: 'Lowest JPEG quality of the compressed inputs (1–100).' }),
  jpegQualityMax: z.number().int().min(1).max(100).default(95).meta({ title: 'JPEG quality to', description: 'Highest JPEG quality of the compressed inputs (1–100).' }),
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
  if (config.blurSigmaMin > config.blurSigmaMax) {
    ctx.addIssue({ code: 'custom', path: ['blurSigmaMin'], message: `is above blurSigmaMax (${config.blurSigmaMax})` });
  }
  if (config.jpegQualityMin > config.jpegQualityMax) {
    ctx.addIssue({ code: 'custom', path: ['jpegQualityMin'], message: `is above jpegQualityMax (${config.jpegQualityMax})` });
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
