/**
 * StarGAN settings (Choi et al. 2018, "StarGAN: Unified Generative
 * Adversarial Networks for Multi-Domain Image-to-Image Translation"), with
 * the paper's defaults: section 3 (adversarial loss with the domain
 * classification loss, λ_cls = 1, and the reconstruction loss, λ_rec = 10),
 * section 4 / appendix (WGAN-GP objective of Gulrajani et al. 2017 with
 * λ_gp = 10, five discriminator updates per generator update, Adam
 * lr 1e-4 with β = (0.5, 0.999), batch 16, 200k iterations with the rate
 * falling linearly to 0 over the last half), appendix table 4/5 (generator
 * c7s1-64, two 4×4 stride-2 down-samplings, six residual blocks, two 4×4
 * up-samplings, instance norm; PatchGAN discriminator of six 4×4 stride-2
 * convolutions with LeakyReLU 0.01 and no normalisation, then a 3×3 real/fake
 * head and a domain-classification head). Widths and block count are
 * settings, so a CPU can train a smaller model. No tfjs here.
 *
 * The domain names come from the training folder (one sub-folder per
 * domain), are written into the config when a run starts, and travel in
 * every checkpoint and exported model: the translate options name domains,
 * never indices.
 */
import { z } from 'zod';
import { FamilyConfigBase, FamilyConfigError, learningRatesOf } from '../family.js';

/** The generator halves the image twice. */
export const STARGAN_SIZE_MULTIPLE = 4;
export const STARGAN_MIN_SIZE = 8;
/** The paper's discriminator: six stride-2 layers (128 px → 2×2). */
export const PAPER_DISCRIMINATOR_LAYERS = 6;

const domainName = z
  .string()
  .min(1)
  .max(100)
  .refine((name) => !/[=,]/.test(name) && name.trim() === name, 'a domain name cannot contain "=" or "," or start or end with a space');

export const StarGanConfigSchema = FamilyConfigBase.extend({
  size: z
    .number()
    .int()
    .min(STARGAN_MIN_SIZE)
    .max(1024)
    .refine((n) => n % STARGAN_SIZE_MULTIPLE === 0, `must be a multiple of ${STARGAN_SIZE_MULTIPLE}: the generator halves the image twice`)
    .default(128)
    .meta({ title: 'Size', description: 'Side of the square training crops in pixels (the paper: 128).', group: 'basic', unit: 'px', choices: [32, 64, 128, 256] }),
  /**
   * The domains, in label order: filled from the training folder's
   * sub-folders when a run starts (empty until then), and part of the
   * architecture (the generator's input and the classifier's output have one
   * channel per domain).
   */
  domains: z.array(domainName).max(64).default([]).meta({ title: 'Domains', description: 'The styles, one per sub-folder of the training data; read from the data.', hidden: true }),
  /** Paper: 200k iterations. */
  steps: z.number().int().positive().max(100_000_000).default(200_000).meta({ title: 'Steps', description: 'Training steps; one step is one discriminator update (the generator learns every n_critic-th).', group: 'basic' }),
  /** Paper: 16. */
  batchSize: z.number().int().positive().max(256).default(16).meta({ title: 'Batch size', description: 'Images per step (the paper: 16).', group: 'basic' }),
  /** Adam learning rates (paper: 1e-4 for both). */
  lr: learningRatesOf({ G: 1e-4, D: 1e-4 }),
  /** Filters of the generator's first layer (paper: 64). */
  ngf: z.number().int().min(1).max(256).default(64).meta({ title: 'Generator filters (ngf)', description: 'Filters of the first layer of the generator (the paper: 64); smaller trains faster.' }),
  /** Filters of the discriminator's first layer (paper: 64). */
  ndf: z.number().int().min(1).max(256).default(64).meta({ title: 'Discriminator filters (ndf)', description: 'Filters of the first layer of the discriminator (the paper: 64); each later layer doubles them.' }),
  /** Residual blocks of the generator (paper: 6). */
  blocks: z.number().int().min(0).max(32).default(6).meta({ title: 'Residual blocks', description: 'Residual blocks of the generator (the paper: 6).' }),
  /** Stride-2 layers of the discriminator; unset: the paper's 6, fewer for small images (the last map stays at least 2×2). */
  discriminatorLayers: z.number().int().min(1).max(8).optional().meta({ title: 'Discriminator layers', description: "Stride-2 layers of the discriminator; empty: the paper's 6, fewer for small images." }),
  /** Weight of the domain-classification loss (paper: λ_cls = 1). */
  lambdaCls: z.number().min(0).max(1000).default(1).meta({ title: 'λ cls', description: 'Weight of the domain-classification loss: how hard the result must look like its target style.' }),
  /** Weight of the reconstruction loss (paper: λ_rec = 10). */
  lambdaRec: z.number().min(0).max(1000).default(10).meta({ title: 'λ rec', description: 'Weight of the round trip back to the own style: how much of the input survives.' }),
  /** Weight of the gradient penalty (Gulrajani et al. 2017; paper: λ_gp = 10). */
  lambdaGp: z.number().min(0).max(1000).default(10).meta({ title: 'λ gp', description: 'Weight of the WGAN-GP gradient penalty that keeps the critic smooth.' }),
  /** Discriminator updates per generator update (paper: n_critic = 5). */
  nCritic: z.number().int().min(1).max(100).default(5).meta({ title: 'n critic', description: 'Discriminator updates per generator update (the paper: 5).' }),
  /**
   * The generator adds its output to the input image inside the tanh, so it
   * starts as the identity and learns only the change of style. Not in the
   * paper; suits styles that share their drawings (emoji sets).
   */
  inputSkip: z.boolean().default(false).meta({ title: 'Start from the input', description: 'The generator learns a change to its input rather than a new image: good when all styles show the same drawings. Not in the paper.' }),
  /** Side images are loaded at before the random crop; unset: about 1.12 × the size. */
  loadSize: z.number().int().min(8).max(2048).optional().meta({ title: 'Load size', description: 'Side images are resized to before the random crop; empty: about 1.12 × the size.' }),
}).superRefine((config, ctx) => {
  if (config.discriminatorLayers !== undefined && 2 ** config.discriminatorLayers > config.size) {
    ctx.addIssue({ code: 'custom', path: ['discriminatorLayers'], message: `${config.discriminatorLayers} layers shrink a ${config.size}-px image to nothing; use at most ${Math.floor(Math.log2(config.size))}` });
  }
  if (config.loadSize !== undefined && config.loadSize < config.size) {
    ctx.addIssue({ code: 'custom', path: ['loadSize'], message: `is smaller than the crop (${config.size}); images are cropped from it` });
  }
  if (new Set(config.domains).size !== config.domains.length) {
    ctx.addIssue({ code: 'custom', path: ['domains'], message: 'names a domain twice' });
  }
});
export type StarGanConfig = z.infer<typeof StarGanConfigSchema>;

/** The discriminator's stride-2 layers: its own, else the paper's 6, fewer so the last map is at least 2×2. */
export function discriminatorLayers(config: Pick<StarGanConfig, 'discriminatorLayers' | 'size'>): number {
  return config.discriminatorLayers ?? Math.max(1, Math.min(PAPER_DISCRIMINATOR_LAYERS, Math.floor(Math.log2(config.size)) - 1));
}

// ------------------------------------------------------------------ targets: one domain or a blend

/** A target style: one weight per domain (label order), each in [0, 1], summing to 1. */
export type DomainWeights = number[];

/** How far from 1 the weights of a blend may sum (they are typed by people: 0.33 + 0.33 + 0.33). */
export const BLEND_SUM_TOLERANCE = 0.011;

/** A target the user wrote that this model cannot use. */
export class DomainTargetError extends FamilyConfigError {}

/**
 * Reads a target: a domain name ("twemoji") or a blend of names with
 * weights that sum to 1 ("twemoji=0.7,noto=0.3"). Names are the model's
 * own; unknown ones are named in the error together with the known ones.
 */
export function parseDomainTarget(spec: string, domains: readonly string[]): DomainWeights {
  const known = () => `this model's domains are ${domains.join(', ')}`;
  const text = spec.trim();
  if (text === '') throw new DomainTargetError(`no target domain given; ${known()}`);
  const weights = new Array<number>(domains.length).fill(0);
  if (!text.includes('=')) {
    const index = domains.indexOf(text);
    if (index < 0) throw new DomainTargetError(`unknown domain '${text}'; ${known()}`);
    weights[index] = 1;
    return weights;
  }
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const valueText = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (eq < 0 || name === '' || valueText === '') throw new DomainTargetError(`'${part.trim()}' is not NAME=WEIGHT; write a blend as a=0.7,b=0.3`);
    const index = domains.indexOf(name);
    if (index < 0) throw new DomainTargetError(`unknown domain '${name}'; ${known()}`);
    const value = Number(valueText);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new DomainTargetError(`the weight of ${name} must be a number from 0 to 1, got '${valueText}'`);
    if (weights[index] !== 0) throw new DomainTargetError(`${name} is named twice`);
    weights[index] = value;
  }
  return normalisedBlend(weights, domains);
}

/** Checks that weights sum to 1 (within what typing allows) and makes them sum to exactly 1. */
export function normalisedBlend(weights: readonly number[], domains: readonly string[]): DomainWeights {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > BLEND_SUM_TOLERANCE) {
    const named = weights.map((w, i) => (w > 0 ? `${domains[i]} ${w}` : null)).filter(Boolean).join(' + ');
    throw new DomainTargetError(`the weights of a blend must sum to 1; ${named || 'nothing'} is ${Number(sum.toFixed(4))}`);
  }
  return weights.map((w) => w / sum);
}

/** A blend in words, for file names and gallery notes: "twemoji" or "twemoji=0.7,noto=0.3". */
export function targetText(weights: readonly number[], domains: readonly string[]): string {
  const parts = weights.map((w, i) => [domains[i]!, w] as const).filter(([, w]) => w > 0);
  if (parts.length === 1 && Math.abs(parts[0]![1] - 1) < 1e-6) return parts[0]![0];
  return parts.map(([name, w]) => `${name}=${Number(w.toFixed(3))}`).join(',');
}

// ------------------------------------------------------------------ translate options

export const MAX_STRIP_STEPS = 16;

export interface StarGanTranslateOptions {
  domain?: string;
  mix?: Record<string, number>;
  from?: string;
  strip: number;
}

/**
 * Translate options for a model whose domains are known (`domains`), or for
 * any StarGAN model (no domains: names are checked when the model loads).
 *
 * - `domain`: the target, a name or a blend "a=0.7,b=0.3" (`--domain`).
 * - `mix`: the same blend as one weight per domain (the Translate view's
 *   sliders); when any weight is set it is the target.
 * - `strip`: 0 gives the translation; N > 0 gives N + 1 images side by
 *   side: the input, then the style moving in even steps from `from` (a name
 *   or blend; unset: an even mix of all domains) to the target.
 */
export function starGanTranslateOptions(domains: readonly string[] = []) {
  const listed = domains.length > 0 ? ` This model's domains: ${domains.join(', ')}.` : '';
  const mixShape = Object.fromEntries(
    domains.map((name) => [name, z.number().min(0).max(1).optional().meta({ title: name, description: `Weight of ${name} in the blend (weights sum to 1).`, widget: 'slider', step: 0.05 })]),
  );
  return z
    .strictObject({
      domain: z.string().max(2000).optional().meta({ title: 'Target style', description: `A domain name, or a blend such as a=0.7,b=0.3 (weights sum to 1).${listed}`, ...(domains.length > 0 ? { suggestions: [...domains] } : {}) }),
      mix: (domains.length > 0 ? z.strictObject(mixShape) : z.record(z.string(), z.number().min(0).max(1)))
        .optional()
        .meta({ title: 'Blend', description: 'One weight per style; when any is set, these weights are the target (they must sum to 1).' }),
      from: z.string().max(2000).optional().meta({ title: 'Strip starts from', description: "For a strip: the style it starts from (a name or a blend); empty: an even mix of all styles." }),
      strip: z.number().int().min(0).max(MAX_STRIP_STEPS).default(0).meta({ title: 'Strip steps', description: 'Above 0: the input and this many images moving in even steps from the start style to the target, side by side.' }),
    })
    .superRefine((options, ctx) => {
      if (domains.length === 0) return;
      const check = (path: string, run: () => unknown) => {
        try {
          run();
        } catch (error) {
          if (!(error instanceof DomainTargetError)) throw error;
          ctx.addIssue({ code: 'custom', path: [path], message: error.message });
        }
      };
      check(Object.values(options.mix ?? {}).some((w) => (w ?? 0) > 0) ? 'mix' : 'domain', () => resolveTarget(options as StarGanTranslateOptions, domains));
      if (options.from !== undefined) check('from', () => parseDomainTarget(options.from!, domains));
    });
}

/** The target weights the options ask for: the mix when any weight is set, else `domain`. */
export function resolveTarget(options: Partial<StarGanTranslateOptions>, domains: readonly string[]): DomainWeights {
  const mix = options.mix ?? {};
  const unknown = Object.keys(mix).filter((name) => !domains.includes(name));
  if (unknown.length > 0) throw new DomainTargetError(`unknown domain ${unknown.map((n) => `'${n}'`).join(', ')} in the blend; this model's domains are ${domains.join(', ')}`);
  const weights = domains.map((name) => mix[name] ?? 0);
  if (weights.some((w) => w > 0)) {
    if (options.domain !== undefined && options.domain.trim() !== '') throw new DomainTargetError('give the target either as a domain or as blend weights, not both');
    return normalisedBlend(weights, domains);
  }
  if (options.domain === undefined) throw new DomainTargetError(`choose a target domain; this model's domains are ${domains.join(', ')}`);
  return parseDomainTarget(options.domain, domains);
}

/** The style a strip starts from: `from`, else an even mix of all domains. */
export function resolveStripStart(options: Partial<StarGanTranslateOptions>, domains: readonly string[]): DomainWeights {
  return options.from !== undefined && options.from.trim() !== '' ? parseDomainTarget(options.from, domains) : domains.map(() => 1 / domains.length);
}
