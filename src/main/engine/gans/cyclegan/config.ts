/**
 * CycleGAN settings (Zhu et al. 2017, "Unpaired Image-to-Image Translation
 * using Cycle-Consistent Adversarial Networks"), with the paper's defaults:
 * section 4 and appendix 7.1 (LSGAN objective, cycle λ = 10, identity loss
 * 0.5·λ for photo↔painting, a pool of the last 50 generated images, Adam
 * lr 2e-4 with β1 0.5, constant then linear decay), appendix 7.2 (ResNet
 * generator with 6 residual blocks at 128 px and 9 at 256 px and up, 70×70
 * PatchGAN discriminators), and junyanz/pytorch-CycleGAN-and-pix2pix's
 * `lambda_identity = 0.5` times λ. Width and block count are settings, so a
 * CPU can train a smaller model. No tfjs here.
 */
import { z } from 'zod';
import { FamilyConfigBase, learningRatesOf } from '../family.js';
import { ganLossKinds } from '../shared/loss-kinds.js';
import { patchOutputSize } from '../shared/networks/patch-geometry.js';

/** The generator halves the image twice, and its bottleneck needs 2 px for reflection padding. */
export const CYCLEGAN_SIZE_MULTIPLE = 4;
export const CYCLEGAN_MIN_SIZE = 8;

export const CycleGanConfigSchema = FamilyConfigBase.extend({
  size: z
    .number()
    .int()
    .min(CYCLEGAN_MIN_SIZE)
    .max(1024)
    .refine((n) => n % CYCLEGAN_SIZE_MULTIPLE === 0, `must be a multiple of ${CYCLEGAN_SIZE_MULTIPLE}: the generator halves the image twice`)
    .default(256)
    .meta({ title: 'Size', description: 'Side of the square training crops in pixels (images are resized a little larger, then cropped).', group: 'basic', unit: 'px', choices: [32, 64, 128, 256] }),
  /** Adam learning rates (paper: 2e-4 for both). */
  lr: learningRatesOf({ G: 2e-4, D: 2e-4 }),
  /** Filters of the generators' first layer (paper: 64). */
  ngf: z.number().int().min(1).max(256).default(64).meta({ title: 'Generator filters (ngf)', description: 'Filters of the first layer of each generator (the paper: 64); smaller trains faster.' }),
  /** Filters of the discriminators' first layer (paper: 64). */
  ndf: z.number().int().min(1).max(256).default(64).meta({ title: 'Discriminator filters (ndf)', description: 'Filters of the first layer of each discriminator (the paper: 64).' }),
  /** Residual blocks of each generator; unset: 6 below 256 px, 9 from 256 px (appendix 7.2). */
  blocks: z.number().int().min(0).max(32).optional().meta({ title: 'Residual blocks', description: "Residual blocks of each generator; empty: the paper's 6 below 256 px, 9 from 256 px." }),
  /** PatchGAN down-sampling layers; unset: 3 (70×70 patches), fewer for small images. */
  discriminatorLayers: z.number().int().min(1).max(8).optional().meta({ title: 'Discriminator layers', description: 'PatchGAN down-sampling layers; empty: 3 (70×70 patches), fewer for small images.' }),
  /** The paper's least-squares objective (section 4, following Mao et al. 2017). */
  ganLoss: z.enum(ganLossKinds).default('lsgan').meta({ title: 'GAN loss', description: "lsgan: least squares, the paper's; vanilla: cross-entropy; hinge." }),
  /** λ, the weight of both cycle-consistency losses (paper: 10). */
  lambdaCycle: z.number().min(0).max(1000).default(10).meta({ title: 'λ cycle', description: 'Weight of the cycle-consistency losses A → B → A and B → A → B.' }),
  /** Identity loss weight, as a fraction of λ (junyanz: 0.5; the paper uses it for photo ↔ painting). */
  lambdaIdentity: z.number().min(0).max(10).default(0.5).meta({ title: 'Identity weight (× λ)', description: 'Keeps colours when the input already looks like the target; 0 turns it off.' }),
  /** Generated images each discriminator also sees from the past (Shrivastava et al. 2017); 0: only the newest. */
  poolSize: z.number().int().min(0).max(1000).default(50).meta({ title: 'Image pool size', description: 'Earlier generated images the discriminators also learn from (the paper: 50); 0 turns the pool off.' }),
  /**
   * Each generator adds its output to its input (inside the tanh), so it starts as the identity and
   * learns only the change of style. Not in the paper; suits styles that share their drawings.
   */
  inputSkip: z.boolean().default(false).meta({ title: 'Start from the input', description: 'Each generator learns a change to its input rather than a new image: good when both styles show the same drawings. Not in the paper.' }),
  /** Side images are loaded at before the random crop; unset: 286/256 of the size, as the paper's 286 → 256. */
  loadSize: z.number().int().min(8).max(2048).optional().meta({ title: 'Load size', description: 'Side images are resized to before the random crop; empty: about 1.12 × the size (286 for 256).' }),
}).superRefine((config, ctx) => {
  if (config.discriminatorLayers !== undefined && patchOutputSize(config.size, config.discriminatorLayers) < 1) {
    ctx.addIssue({ code: 'custom', path: ['discriminatorLayers'], message: `${config.discriminatorLayers} layers shrink a ${config.size}-px image to nothing; use at most ${Math.floor(Math.log2(config.size)) - 2}` });
  }
  if (config.loadSize !== undefined && config.loadSize < config.size) {
    ctx.addIssue({ code: 'custom', path: ['loadSize'], message: `is smaller than the crop (${config.size}); images are cropped from it` });
  }
});
export type CycleGanConfig = z.infer<typeof CycleGanConfigSchema>;

/** The residual blocks a config builds: its own, else the paper's rule. */
export function residualBlocks(config: Pick<CycleGanConfig, 'blocks' | 'size'>): number {
  return config.blocks ?? (config.size >= 256 ? 9 : 6);
}

export const directions = ['AtoB', 'BtoA'] as const;
export type Direction = (typeof directions)[number];

export const CycleGanTranslateOptions = z.strictObject({
  direction: z
    .enum(directions)
    .default('AtoB')
    .meta({ title: 'Direction', description: 'A → B: from the style of trainA/ to that of trainB/; B → A: back.', labels: { AtoB: 'A → B (trainA style to trainB style)', BtoA: 'B → A (trainB style to trainA style)' } }),
});
export type CycleGanTranslateOptions = z.output<typeof CycleGanTranslateOptions>;
