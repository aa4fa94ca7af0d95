/**
 * The family boundary: what a GAN family (Pix2Pix, CycleGAN, StarGAN, SRGAN…)
 * is to the rest of the studio. A family is one folder, `gans/<id>/`, with
 *
 *   index.ts   its descriptor (this file's `FamilyDescriptor`): id, title,
 *              dataset kind, config schema with defaults, translate options,
 *              which networks inference needs, what its models are for,
 *              presets. No tfjs: the main thread, the contract, the CLI and
 *              (as JSON Schema) the renderer read it.
 *   model.ts   its `FamilyModule`: builds the networks, trains a step, draws
 *              samples, translates. Loaded only where tfjs may load (the job
 *              and inference workers, the CLI), through `descriptor.loadModel()`.
 *
 * plus one line in registry.ts. Nothing outside the folder switches on a
 * family id: the trainer, checkpoints, catalogue, Train form and Translate
 * options all work from the descriptor. gans/template/ is a documented
 * minimal family to copy.
 *
 * The split follows junyanz/pytorch-CycleGAN-and-pix2pix (a model declares its
 * networks, loss_names, visual_names and optimize_parameters; base_model owns
 * saving and schedules) and huggingface/diffusers (a config lives apart from
 * the weights), with typed options and checkpoints that record the full config.
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { UserFacingError } from '../errors.js';

// ------------------------------------------------------------------ settings

/**
 * Hyperparameters every family has. A family's schema extends this
 * (`FamilyConfigBase.extend({ ngf: …, lr: z.strictObject({ G: …, D: … }) })`).
 * Strict: a setting no family knows is an error, never silently dropped.
 *
 * `.meta({ title, description, group })` is what the Train form shows: the
 * JSON Schema of this schema (see `familyInfo`) carries it to the renderer.
 * `group: 'basic'` fields are always on screen, the rest under Advanced.
 */
export const FamilyConfigBase = z.strictObject({
  family: z.string().min(1),
  /** Side of the square training crops, in pixels. */
  size: z.number().int().min(8).max(4096).default(256).meta({ title: 'Size', description: 'Side of the square training images, in pixels.', group: 'basic', unit: 'px' }),
  /** Image channels of input and output (3 = RGB, 1 = grey). */
  channels: z.number().int().min(1).max(4).default(3).meta({ title: 'Channels', description: 'Image channels (3 = RGB); datasets are read as RGB.', hidden: true }),
  /** Seeds weight initialisation, data order, augmentation and dropout. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0).meta({ title: 'Seed', description: 'Seeds initial weights, data order and noise: the same seed repeats a run.' }),
  /** Learning rate per optimizer, keyed like `GanModel.optimizers` (e.g. { G: 2e-4, D: 2e-4 }). */
  lr: z.record(z.string(), z.number().positive().max(1)),
  /** Adam's β1, β2 (pix2pix/CycleGAN use 0.5, 0.999). */
  beta1: z.number().min(0).max(1).default(0.5).meta({ title: 'Adam β1', description: 'Momentum of Adam; GANs train more steadily at 0.5 than at 0.9.' }),
  beta2: z.number().min(0).max(1).default(0.999).meta({ title: 'Adam β2', description: 'Second-moment decay of Adam.' }),
  /** Total training steps (one step = one batch through trainStep). */
  steps: z.number().int().positive().max(100_000_000).default(10_000).meta({ title: 'Steps', description: 'Training steps; one step is one batch through the networks.', group: 'basic' }),
  /**
   * Step from which the learning rate falls linearly to zero at `steps`;
   * before it the rate is constant. Unset means half of `steps`, the
   * schedule pix2pix and CycleGAN use (n_epochs constant + n_epochs_decay linear).
   */
  decayFrom: z.number().int().min(0).max(100_000_000).optional().meta({ title: 'Learning-rate decay from step', description: 'The rate falls linearly to zero from this step; empty: half of the steps.' }),
  batchSize: z.number().int().positive().max(256).default(1).meta({ title: 'Batch size', description: 'Images per step. The papers use 1 with instance norm.', group: 'basic' }),
  checkpointEvery: z.number().int().positive().max(100_000_000).default(500).meta({ title: 'Checkpoint every (steps)', description: 'How often the run is saved; stopping also saves.' }),
  sampleEvery: z.number().int().positive().max(100_000_000).default(100).meta({ title: 'Sample grid every (steps)', description: 'How often a grid of sample images is drawn.' }),
});
export type FamilyConfig = z.infer<typeof FamilyConfigBase>;

/** Adam learning rates of a G and a D network, the shape most families use. */
export function learningRatesOf(defaults: { G: number; D: number }) {
  const rate = (title: string, description: string) => z.number().positive().max(1).meta({ title, description });
  return z
    .strictObject({
      G: rate('Learning rate G', 'Adam learning rate of the generator.'),
      D: rate('Learning rate D', 'Adam learning rate of the discriminator.'),
    })
    .default(defaults);
}

// ------------------------------------------------------------------ the descriptor (no tfjs)

/**
 * The folder layout a family trains on, so the trainer, the job and the CLI
 * open the right reader without switching on the family id:
 * 'paired' A/ + B/ or A|B images (pix2pix), 'unpaired' trainA/ + trainB/
 * (CycleGAN), 'domains' one sub-folder per domain (StarGAN), 'high-res'
 * a folder of large images (SRGAN).
 */
export const datasetKinds = ['paired', 'unpaired', 'domains', 'high-res'] as const;
export type DatasetKind = (typeof datasetKinds)[number];

/**
 * What a training folder tells about itself that a model must record (a
 * domain dataset's domain names, in label order), read when a run opens its
 * data, before the first step.
 */
export interface DatasetFacts {
  domains?: readonly string[];
}

/** What a family's models are for in the studio: the views that offer them. */
export const modelUses = ['doodle', 'translate', 'upscale'] as const;
export type ModelUse = (typeof modelUses)[number];

/** A setting as given by a user: any subset of the config, before defaults. */
export type ConfigPreset = Record<string, unknown>;

/** A command-line flag that sets one key: of the config for `ganvas train` (--scale → scale), of the options for `ganvas translate`. */
export interface TrainFlag {
  flag: string;
  key: string;
  help: string;
}

export interface FamilyDescriptor<C extends FamilyConfig = FamilyConfig> {
  /** Stable id stored in checkpoints and model files, e.g. 'pix2pix'. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** Which dataset reader gives this family its batches. */
  readonly dataset: DatasetKind;
  /** What the training folder must hold, in one or two sentences (Train form, CLI help). */
  readonly datasetHelp: string;
  /** The views its models appear in. */
  readonly uses: readonly ModelUse[];
  /**
   * How inference sizes images. 'training-size': inputs are resized to the
   * training size and the result back (a U-Net needs that size). 'any': a
   * fully convolutional generator takes the image as it is (tiled where
   * memory needs it); its output keeps whatever size the network gives.
   */
  readonly inferenceSize: 'training-size' | 'any';
  /** Every hyperparameter with its default; parsing `{ family: id }` gives a full config. Strict. */
  readonly configSchema: z.ZodType<C>;
  /**
   * Config fields that decide network shapes (e.g. size, ngf, layer counts).
   * A checkpoint only loads into a config that agrees on all of them, and a
   * mismatch is reported in these terms.
   */
  readonly architectureKeys: readonly (keyof C & string)[];
  /**
   * The options `translate` takes (a strict zod object), for one model's
   * config when given (e.g. its own domain names), else for any model.
   */
  translateOptions(config?: C): z.ZodType<Record<string, unknown>>;
  /** The networks inference needs; exports and translators carry only these. */
  readonly inferenceNetworks: readonly string[];
  /**
   * Settings a new run starts from before the user changes anything:
   * `cli` under `ganvas train` flags, `cpu`/`gpu` in the Train form for the
   * active backend (a CPU first run should finish while the user watches).
   */
  readonly presets: { readonly cli: ConfigPreset; readonly cpu: ConfigPreset; readonly gpu: ConfigPreset };
  /** Extra `ganvas train` flags; every setting is also reachable with --set KEY=VALUE. */
  readonly trainFlags?: readonly TrainFlag[];
  /** `ganvas translate` flags for translate options (e.g. --direction); every option is also --option KEY=VALUE. */
  readonly translateFlags?: readonly TrainFlag[];
  /**
   * Completes a run's config from its data (e.g. StarGAN's domain names,
   * which then travel in every checkpoint and exported model), before the
   * first step. Throws a `FamilyConfigError` when the data does not fit the
   * config (a resumed run on a folder with other domains). Unset: the data
   * changes nothing.
   */
  withDataFacts?(config: C, facts: DatasetFacts): C;
  /**
   * For families on 'domains' data: the translate options that ask a model
   * for one of its domains by name (evaluation translates into each).
   */
  translateToDomain?(domain: string): Record<string, unknown>;
  /**
   * For families with the 'upscale' use: one model's scale and receptive-field
   * radius in input pixels (upscale tiles overlap by it), from its config alone
   * (model.json or a checkpoint manifest, no weights), or null when that
   * config cannot upscale RGB photos. The Upscale pipeline lists a family's
   * models as upscalers only when this is set.
   */
  upscaleGeometry?(config: Record<string, unknown>): UpscaleGeometry | null;
  /** The tfjs side of the family. */
  loadModel(): Promise<FamilyModule<C>>;
}

/** What the Upscale pipeline needs of an upscaling model before it loads: see `upscaleGeometry`. */
export interface UpscaleGeometry {
  scale: 2 | 3 | 4;
  receptiveRadius: number;
}

/** A descriptor whose config type is not known at the call site (registry, loaders). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFamily = FamilyDescriptor<any>;

// ------------------------------------------------------------------ the model side (tfjs)

/** What the trainer passes each step; randomness inside a step must come from (seed, step). */
export interface StepContext {
  step: number;
  seed: number;
}

export interface BuildOptions {
  /** Overrides `config.seed` for weight initialisation (e.g. to compare inits). */
  seed?: number;
}

/**
 * One network's forward pass (inference, NHWC) done outside the model, by name as in
 * `networks`; the caller disposes the result and still owns `input`.
 */
export type NetworkForward = (network: string, input: tf.Tensor4D) => Promise<tf.Tensor4D>;

/** A model that only translates: its inference networks, no discriminators, no optimizer state. */
export interface InferenceModel<C extends FamilyConfig = FamilyConfig> {
  readonly config: C;
  /** The networks named by the descriptor's `inferenceNetworks` (a trainable model has more). */
  readonly networks: Readonly<Record<string, tf.LayersModel>>;
  /**
   * Inference: input [n, h, w, c] in [-1, 1] → output in [-1, 1]; the caller
   * disposes it. `options` were parsed by the descriptor's translateOptions.
   */
  translate(input: tf.Tensor4D, options?: Record<string, unknown>): tf.Tensor4D;
  /**
   * `translate` with each network's forward pass done by `forward` (ONNX Runtime on every
   * core, onnx/), for the same result; the caller disposes it. Optional. Null when these
   * options need tfjs itself (pix2pix's test-time dropout); the caller then uses `translate`.
   */
  translateWith?(input: tf.Tensor4D, options: Record<string, unknown>, forward: NetworkForward): Promise<tf.Tensor4D> | null;
  /** Frees every network (and optimizer). */
  dispose(): void;
}

/**
 * Training state beyond weights and optimizers (CycleGAN's image pools, say),
 * saved in every checkpoint so a resumed run continues exactly: `json` goes
 * into the manifest, `tensors` beside the weights.
 */
export interface TrainingState {
  json: unknown;
  tensors: Record<string, tf.Tensor>;
}

/** A built, trainable instance of a family. */
export interface GanModel<C extends FamilyConfig = FamilyConfig, B = unknown> extends InferenceModel<C> {
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
  /** The state to checkpoint besides weights and optimizers; tensors are read, not taken, by the caller. */
  trainingState?(): TrainingState;
  /** Puts back what `trainingState` saved; takes ownership of the tensors. */
  restoreTrainingState?(state: TrainingState): void;
}

export interface FamilyModule<C extends FamilyConfig = FamilyConfig, B = unknown> {
  /** Every network and optimizer, for training. */
  build(config: C, options?: BuildOptions): GanModel<C, B>;
  /** Only the inference networks, for translating. */
  buildInference(config: C): InferenceModel<C>;
  /**
   * A batch of the shape the family's dataset gives for `config` (random
   * content), for speed estimates and benchmarks; the caller disposes it.
   */
  exampleBatch(config: C, batchSize: number): B;
}

// ------------------------------------------------------------------ parsing

function issueText(issues: z.ZodError['issues']): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(settings)'}: ${issue.message}`).join('; ');
}

/** A config a family cannot use, with a message for the user. */
export class FamilyConfigError extends Error {
  override readonly name = 'FamilyConfigError';
}

/**
 * Parses a config for `family`, filling defaults, and turns zod issues into
 * one message a user can act on. Unknown keys are an error.
 */
export function parseFamilyConfig<C extends FamilyConfig>(family: FamilyDescriptor<C>, raw: unknown): C {
  const input = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { family: family.id, ...raw } : raw;
  const parsed = family.configSchema.safeParse(input);
  if (!parsed.success) throw new FamilyConfigError(`Invalid ${family.title} settings: ${issueText(parsed.error.issues)}`);
  const config = parsed.data;
  if (config.family !== family.id) {
    throw new FamilyConfigError(`These settings are for the '${config.family}' family, not '${family.id}'`);
  }
  if (config.decayFrom !== undefined && config.decayFrom > config.steps) {
    throw new FamilyConfigError(`Invalid ${family.title} settings: decayFrom (${config.decayFrom}) is after the last step (${config.steps})`);
  }
  return config;
}

/** Parses translate options for a model of `family`; bad options are the user's to fix (invalid_request). */
export function parseTranslateOptions<C extends FamilyConfig>(family: FamilyDescriptor<C>, options: unknown, config?: C): Record<string, unknown> {
  const parsed = family.translateOptions(config).safeParse(options ?? {});
  if (!parsed.success) throw new UserFacingError('invalid_request', `Invalid ${family.title} translate options: ${issueText(parsed.error.issues)}`);
  return parsed.data;
}

/** A strict object of no options, for families whose translate takes none. */
export const noTranslateOptions = () => z.strictObject({});
