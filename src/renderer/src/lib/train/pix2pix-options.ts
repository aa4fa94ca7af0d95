/**
 * Every Pix2Pix training option the Train view offers, with its default.
 *
 * The defaults mirror `Pix2PixConfigSchema` in src/main/engine/gans/pix2pix.ts
 * and `FamilyConfigBase` in gans/family.ts (the paper's values: Adam lr 2e-4,
 * β1 0.5, β2 0.999, λ L1 100, ngf = ndf = 64, dropout 0.5, Isola et al. 2017
 * §3.3 and §4). The renderer cannot import that module (it loads tfjs), so
 * they are repeated here in one place; a `train.defaults` contract method
 * would let the server be the only source. The server validates the config
 * again, so a drift shows up as a clear error rather than a silent change.
 */

export interface NumberOption {
  kind: 'number';
  /** Dotted path into the config object, e.g. 'lr.G'. */
  key: string;
  label: string;
  help: string;
  min: number;
  max: number;
  integer: boolean;
  /** Family default; undefined means "unset: the family decides" (e.g. decay start). */
  defaultValue: number | undefined;
  step?: number;
}

export interface ChoiceOption {
  kind: 'choice';
  key: string;
  label: string;
  help: string;
  choices: readonly string[];
  defaultValue: string;
}

export type TrainOption = NumberOption | ChoiceOption;

/** Canvas sides the view offers (the U-Net needs a power of two). */
export const trainSizes = [32, 64, 128, 256] as const;

/**
 * Starting values of the basic fields. The family's own defaults (256 px,
 * 10,000 steps) take hours on a CPU; a first run on this kind of machine
 * should finish while the user watches, so the form starts smaller and says so.
 */
export const basicStart = { size: 64, steps: 2000, batchSize: 1 } as const;
export const familyBasicDefaults = { size: 256, steps: 10_000, batchSize: 1 } as const;

export const basicOptions: readonly NumberOption[] = [
  { kind: 'number', key: 'steps', label: 'Steps', help: 'Training steps; one step is one batch through D and G.', min: 1, max: 10_000_000, integer: true, defaultValue: basicStart.steps },
  { kind: 'number', key: 'batchSize', label: 'Batch size', help: 'Pairs per step. The paper uses 1 (with instance norm).', min: 1, max: 256, integer: true, defaultValue: basicStart.batchSize },
];

export const advancedOptions: readonly TrainOption[] = [
  { kind: 'number', key: 'lr.G', label: 'Learning rate G', help: 'Adam learning rate of the generator.', min: 1e-7, max: 1, integer: false, defaultValue: 2e-4, step: 1e-5 },
  { kind: 'number', key: 'lr.D', label: 'Learning rate D', help: 'Adam learning rate of the discriminator.', min: 1e-7, max: 1, integer: false, defaultValue: 2e-4, step: 1e-5 },
  { kind: 'number', key: 'beta1', label: 'Adam β1', help: 'Momentum of Adam; GANs train more steadily at 0.5 than at 0.9.', min: 0, max: 1, integer: false, defaultValue: 0.5, step: 0.01 },
  { kind: 'number', key: 'beta2', label: 'Adam β2', help: 'Second-moment decay of Adam.', min: 0, max: 1, integer: false, defaultValue: 0.999, step: 0.001 },
  { kind: 'number', key: 'l1Weight', label: 'λ L1', help: 'Weight of the L1 distance to the target against the GAN loss.', min: 0, max: 10_000, integer: false, defaultValue: 100, step: 1 },
  { kind: 'number', key: 'ngf', label: 'Generator filters (ngf)', help: "Filters of G's first layer; smaller trains faster and learns less.", min: 1, max: 512, integer: true, defaultValue: 64 },
  { kind: 'number', key: 'ndf', label: 'Discriminator filters (ndf)', help: "Filters of D's first layer.", min: 1, max: 512, integer: true, defaultValue: 64 },
  { kind: 'choice', key: 'norm', label: 'Normalisation', help: 'Instance norm suits batch size 1; batch norm needs larger batches.', choices: ['instance', 'batch'], defaultValue: 'instance' },
  { kind: 'choice', key: 'ganLoss', label: 'GAN loss', help: 'vanilla: the paper’s cross-entropy; lsgan: least squares; hinge.', choices: ['vanilla', 'lsgan', 'hinge'], defaultValue: 'vanilla' },
  { kind: 'number', key: 'labelSmoothing', label: 'Label smoothing', help: 'One-sided: real labels become 1 − this (0.1 → 0.9).', min: 0, max: 0.5, integer: false, defaultValue: 0, step: 0.05 },
  { kind: 'number', key: 'dropout', label: 'Dropout', help: "Dropout in G's first three decoder layers; 0 turns the noise off.", min: 0, max: 0.9, integer: false, defaultValue: 0.5, step: 0.05 },
  { kind: 'number', key: 'decayFrom', label: 'Learning-rate decay from step', help: 'The rate falls linearly to zero from this step; empty: half of the steps.', min: 0, max: 10_000_000, integer: true, defaultValue: undefined },
  { kind: 'number', key: 'discriminatorLayers', label: 'Discriminator layers', help: 'PatchGAN down-sampling layers; empty: 3 (70×70 patches), fewer for small images.', min: 1, max: 8, integer: true, defaultValue: undefined },
  { kind: 'number', key: 'checkpointEvery', label: 'Checkpoint every (steps)', help: 'How often the run is saved; stopping also saves.', min: 1, max: 10_000_000, integer: true, defaultValue: 500 },
  { kind: 'number', key: 'sampleEvery', label: 'Sample grid every (steps)', help: 'How often a grid of input / output / target is drawn.', min: 1, max: 10_000_000, integer: true, defaultValue: 100 },
  { kind: 'number', key: 'seed', label: 'Seed', help: 'Seeds initial weights, data order and dropout: the same seed repeats a run.', min: 0, max: 2 ** 32 - 1, integer: true, defaultValue: 0 },
];

/**
 * What the form's fields hold: text fields give strings (so an empty or
 * half-typed field is representable), number inputs numbers or null.
 */
export type OptionValues = Record<string, string | number | null | undefined>;

function textOf(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

export function defaultOptionValues(options: readonly TrainOption[] = advancedOptions): OptionValues {
  const values: OptionValues = {};
  for (const option of options) values[option.key] = option.defaultValue === undefined ? '' : String(option.defaultValue);
  return values;
}

export interface ConfigResult {
  config: Record<string, unknown>;
  /** Problems by option key, in the user's words. */
  errors: Record<string, string>;
}

/** Checks one option's text; returns the parsed value, undefined for an empty optional field, or an error. */
export function parseOption(option: TrainOption, text: string): { value: number | string | undefined } | { error: string } {
  const trimmed = text.trim();
  if (option.kind === 'choice') {
    return option.choices.includes(trimmed) ? { value: trimmed } : { error: `choose one of ${option.choices.join(', ')}` };
  }
  if (trimmed === '') {
    return option.defaultValue === undefined ? { value: undefined } : { error: 'enter a number' };
  }
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: `“${trimmed}” is not a number` };
  if (option.integer && !Number.isInteger(value)) return { error: 'must be a whole number' };
  if (value < option.min || value > option.max) return { error: `must be between ${option.min} and ${option.max}` };
  return { value };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[part] = {} as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Turns the form's values into the `config` of `train.start`; optional fields left empty are omitted. */
export function configFromValues(options: readonly TrainOption[], values: OptionValues): ConfigResult {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const option of options) {
    const parsed = parseOption(option, textOf(values[option.key]));
    if ('error' in parsed) errors[option.key] = parsed.error;
    else if (parsed.value !== undefined) setPath(config, option.key, parsed.value);
  }
  return { config, errors };
}

/** Options the user changed from the family default, for a short summary line. */
export function changedOptions(options: readonly TrainOption[], values: OptionValues): string[] {
  return options
    .filter((option) => textOf(values[option.key]).trim() !== (option.defaultValue === undefined ? '' : String(option.defaultValue)))
    .map((option) => option.label);
}
