/**
 * Pix2Pix settings (Isola et al. 2017): the schema with the paper's defaults
 * (section 3.3 and section 4: Adam lr 2e-4, β1 0.5, λ_L1 100, ngf = ndf = 64,
 * dropout 0.5, 256 px) and the options `translate` takes. No tfjs here: the
 * main thread and the Train form read it.
 */
import { z } from 'zod';
import { FamilyConfigBase, learningRatesOf } from '../family.js';
import { ganLossKinds } from '../shared/loss-kinds.js';
import { normKinds } from '../shared/networks/norm-kinds.js';
import { patchOutputSize } from '../shared/networks/patch-geometry.js';

const isPowerOfTwo = (n: number) => Number.isInteger(Math.log2(n));

export const Pix2PixConfigSchema = FamilyConfigBase.extend({
  size: z
    .number()
    .int()
    .min(8)
    .max(4096)
    .refine(isPowerOfTwo, 'must be a power of two (8, 16, 32, … 256, 512): the U-Net halves the image down to 1×1')
    .default(256)
    .meta({ title: 'Size', description: 'Side of the square canvas in pixels; the U-Net needs a power of two.', group: 'basic', unit: 'px', choices: [32, 64, 128, 256, 512] }),
  /** Adam learning rates (paper: 2e-4 for both). */
  lr: learningRatesOf({ G: 2e-4, D: 2e-4 }),
  /** Filters of G's first layer (paper: 64). */
  ngf: z.number().int().min(1).max(512).default(64).meta({ title: 'Generator filters (ngf)', description: "Filters of G's first layer; smaller trains faster and learns less." }),
  /** Filters of D's first layer (paper: 64). */
  ndf: z.number().int().min(1).max(512).default(64).meta({ title: 'Discriminator filters (ndf)', description: "Filters of D's first layer." }),
  norm: z.enum(normKinds).default('instance').meta({ title: 'Normalisation', description: 'Instance norm suits batch size 1; batch norm needs larger batches.' }),
  ganLoss: z.enum(ganLossKinds).default('vanilla').meta({ title: 'GAN loss', description: 'vanilla: the paper’s cross-entropy; lsgan: least squares; hinge.' }),
  /** One-sided: the real label becomes 1 − labelSmoothing (0.1 → 0.9, Salimans et al. 2016). */
  labelSmoothing: z.number().min(0).max(0.5).default(0).meta({ title: 'Label smoothing', description: 'One-sided: real labels become 1 − this (0.1 → 0.9).' }),
  /** λ of the L1 term (paper: 100). */
  l1Weight: z.number().min(0).max(10_000).default(100).meta({ title: 'λ L1', description: 'Weight of the L1 distance to the target against the GAN loss.' }),
  /**
   * Weight of the adversarial term in G's loss (paper: 1). 0 drops D from
   * training: G becomes a plain L1 regression, the "L1 alone" row of the
   * paper's table 1 and the baseline `ganvas eval --baselines` trains.
   */
  ganWeight: z.number().min(0).max(100).default(1).meta({ title: 'λ GAN', description: 'Weight of the adversarial term; 0 trains G on L1 alone (no discriminator).' }),
  /** Dropout rate in G's first three decoder layers (paper: 0.5); 0 turns the noise off. */
  dropout: z.number().min(0).max(0.9).default(0.5).meta({ title: 'Dropout', description: "Dropout in G's first three decoder layers; 0 turns the noise off." }),
  /**
   * Colour hints painted on the training inputs from the target (data/colour-hints.ts, after Zhang et al.
   * 2017): the most marks on one image, 0 for none. A model trained with hints follows the colours a user
   * paints on the canvas and still works on a bare sketch.
   */
  colourHints: z.number().int().min(0).max(64).default(0).meta({ title: 'Colour hints', description: 'Most colour marks painted from the target on a training sketch (points, strokes, fills); 0: the model ignores colours on the canvas.' }),
  /**
   * Give G the canvas's colours spread over the regions of the drawing (data/colour-hints.ts `hintLayer`:
   * 4 channels beside the canvas's 3), so a hint colours its whole shape rather than the pixels under it.
   * Derived from the canvas alone: the canvas stays the model's single input.
   */
  hintLayer: z.boolean().default(false).meta({ title: 'Spread hints over shapes', description: 'The generator also sees each colour hint spread over the shape of the drawing it lies in; needs RGB images.' }),
  /**
   * Share of training sketches replaced by the target's edges (data/colour-hints.ts `edgeSketch`, the
   * Doodle view's photo tracer): a second sketch style, so the model does not learn only the dataset's.
   */
  edgeSketchShare: z.number().min(0).max(1).default(0).meta({ title: 'Edge sketches', description: "Share of training sketches replaced by the edges of the target (the tracer the Doodle view uses for photos), so the model learns more than one way of drawing; needs RGB images." }),
  /** Share of training sketches that get no hint, so the model keeps working without them. */
  hintlessShare: z.number().min(0).max(1).default(0.25).meta({ title: 'Sketches without hints', description: 'Share of training sketches that get no colour hint when hints are on.' }),
  /** PatchGAN down-sampling layers; unset: 3 (the 70×70 PatchGAN), fewer for images under 32 px. */
  discriminatorLayers: z.number().int().min(1).max(8).optional().meta({ title: 'Discriminator layers', description: 'PatchGAN down-sampling layers; empty: 3 (70×70 patches), fewer for small images.' }),
}).superRefine((config, ctx) => {
  if (config.ganWeight === 0 && config.l1Weight === 0) {
    ctx.addIssue({ code: 'custom', path: ['l1Weight'], message: 'with ganWeight 0 the L1 term is all G learns from, so l1Weight must be above 0' });
  }
  if (config.edgeSketchShare > 0 && config.channels !== 3) {
    ctx.addIssue({ code: 'custom', path: ['edgeSketchShare'], message: `edge sketches are traced from RGB targets; this model has ${config.channels} channels` });
  }
  if (config.hintLayer && config.channels !== 3) {
    ctx.addIssue({ code: 'custom', path: ['hintLayer'], message: `colour hints are read from RGB canvases; this model has ${config.channels} channels` });
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

export const Pix2PixTranslateOptions = z
  .strictObject({
    /**
     * Keep dropout on and normalise by the input's own statistics, the paper's
     * test protocol (section 3.3): outputs vary with `seed`.
     */
    noise: z.boolean().default(false).meta({ title: 'Varied results', description: 'dropout noise at test time, as in the Pix2Pix paper: each seed gives another result' }),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional().meta({ title: 'Noise seed', description: 'Which variation to draw when noise is on.' }),
  });
export type Pix2PixTranslateOptions = z.output<typeof Pix2PixTranslateOptions>;
