/**
 * The one interface every GAN family (pix2pix, CycleGAN, StarGAN, SRGAN)
 * implements. The trainer, checkpoints, dashboard and gallery only ever see
 * this; adding a family is one module plus one line in the registry.
 *
 * A family declares its hyperparameters (a zod schema with defaults), builds
 * its networks and optimizers, and knows how to take one training step, show
 * named sample images and translate an input. Saving and loading is generic:
 * every network's weights and every optimizer's state are written by
 * train/checkpoint.ts, so a family never writes files itself.
 *
 * Shape after junyanz/pytorch-CycleGAN-and-pix2pix's BaseModel (networks,
 * loss_names, visual_names, optimize_parameters), with typed options and
 * checkpoints that record the full config.
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

/**
 * Hyperparameters every family has. A family's schema extends this
 * (`FamilyConfigBase.extend({ ngf: ..., lr: z.object({ G: ..., D: ... }) })`).
 */
export const FamilyConfigBase = z.object({
  family: z.string().min(1),
  /** Side of the square training crops, in pixels. */
  size: z.number().int().min(8).max(4096).default(256),
  /** Image channels of input and output (3 = RGB, 1 = grey). */
  channels: z.number().int().min(1).max(4).default(3),
  /** Seeds weight initialisation, data order, augmentation and dropout. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  /** Learning rate per optimizer, keyed like `GanModel.optimizers` (e.g. { G: 2e-4, D: 2e-4 }). */
  lr: z.record(z.string(), z.number().positive().max(1)),
  /** Adam's β1, β2 (pix2pix/CycleGAN use 0.5, 0.999). */
  beta1: z.number().min(0).max(1).default(0.5),
  beta2: z.number().min(0).max(1).default(0.999),
  /** Total training steps (one step = one batch through trainStep). */
  steps: z.number().int().positive().default(10_000),
  /**
   * Step from which the learning rate falls linearly to zero at `steps`;
   * before it the rate is constant. Unset means half of `steps`, the
   * schedule pix2pix and CycleGAN use (n_epochs constant + n_epochs_decay linear).
   */
  decayFrom: z.number().int().min(0).optional(),
  batchSize: z.number().int().positive().max(256).default(1),
  checkpointEvery: z.number().int().positive().default(500),
  sampleEvery: z.number().int().positive().default(100),
});
export type FamilyConfig = z.infer<typeof FamilyConfigBase>;

/** What the trainer passes each step; randomness inside a step must come from (seed, step). */
export interface StepContext {
  step: number;
  seed: number;
}

/** A built, trainable instance of a family. */
export interface GanModel<C extends FamilyConfig = FamilyConfig, B = unknown> {
  readonly config: C;
  /** Every network, e.g. { G, D } or { G_A, G_B, D_A, D_B }; all weights are checkpointed. */
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
  /** One optimizer per learning rate, keyed like `config.lr`; their state is checkpointed. */
  readonly optimizers: Readonly<Record<string, tf.Optimizer>>;
  /** Names of the losses `trainStep` returns, in display order. */
  readonly lossNames: readonly string[];
  /** Names of the images `samples` returns, in display (column) order. */
  readonly visualNames: readonly string[];
  /**
   * One optimisation step on `batch`. Must not keep or dispose the batch
   * (the trainer owns it) and must not leak tensors.
   */
  trainStep(batch: B, context: StepContext): Record<string, number> | Promise<Record<string, number>>;
  /** Named images for the sample grid, each [n, h, w, c] in [-1, 1]; the caller disposes them. */
  samples(batch: B): Record<string, tf.Tensor4D>;
  /** Inference: input [n, h, w, c] in [-1, 1] → output in [-1, 1]; the caller disposes it. */
  translate(input: tf.Tensor4D, options?: Record<string, unknown>): tf.Tensor4D;
  /** Frees every network and optimizer. */
  dispose(): void;
}

export interface BuildOptions {
  /** Overrides `config.seed` for weight initialisation (e.g. to compare inits). */
  seed?: number;
}

/**
 * The folder layout a family trains on, so the trainer, the job and the CLI
 * open the right reader without switching on the family id:
 * 'paired' A/ + B/ or A|B images (pix2pix), 'unpaired' trainA/ + trainB/
 * (CycleGAN), 'domains' one sub-folder per domain (StarGAN), 'high-res'
 * a folder of large images (SRGAN).
 */
export const datasetKinds = ['paired', 'unpaired', 'domains', 'high-res'] as const;
export type DatasetKind = (typeof datasetKinds)[number];

export interface GanFamily<C extends FamilyConfig = FamilyConfig, B = unknown> {
  /** Stable id stored in checkpoints and presets, e.g. 'pix2pix'. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** Which dataset reader gives this family its batches. */
  readonly dataset: DatasetKind;
  /**
   * How inference sizes images. 'training-size' (the default): inputs are
   * resized to the training size and the result back (a U-Net needs that
   * size). 'any': a fully convolutional generator takes the image as it is
   * and its output keeps whatever size the network gives (×scale for
   * super-resolution).
   */
  readonly inferenceSize?: 'training-size' | 'any';
  /** Every hyperparameter with its default; parsing `{ family: id }` gives a full config. */
  readonly configSchema: z.ZodType<C>;
  /**
   * Config fields that decide network shapes (e.g. size, ngf, layer counts).
   * A checkpoint only loads into a config that agrees on all of them, and a
   * mismatch is reported in these terms.
   */
  readonly architectureKeys: readonly (keyof C & string)[];
  build(config: C, options?: BuildOptions): GanModel<C, B>;
}

/** A family whose config and batch types are not known at the call site (registry, loader). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyGanFamily = GanFamily<any, any>;

/**
 * Parses a config for `family`, filling defaults, and turns zod issues into
 * one message a user can act on.
 */
export function parseFamilyConfig<C extends FamilyConfig>(family: GanFamily<C, unknown>, raw: unknown): C {
  const input = typeof raw === 'object' && raw !== null ? { family: family.id, ...raw } : raw;
  const parsed = family.configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(config)'}: ${issue.message}`);
    throw new Error(`Invalid ${family.title} settings: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  if (config.family !== family.id) {
    throw new Error(`These settings are for the '${config.family}' family, not '${family.id}'`);
  }
  if (config.decayFrom !== undefined && config.decayFrom > config.steps) {
    throw new Error(`Invalid ${family.title} settings: decayFrom (${config.decayFrom}) is after the last step (${config.steps})`);
  }
  return config;
}
