/**
 * The template family: the smallest real conditional GAN, to copy when you
 * add a family. It trains (a 3-level U-Net against a PatchGAN, pix2pix's
 * LSGAN + λ·L1 objective) and the tests train it, so everything it shows
 * works.
 *
 * Adding a family `<id>`:
 *   1. Copy this folder to `gans/<id>/`. This file is the descriptor: what
 *      the rest of the studio knows of the family, with no tfjs import (the
 *      main thread, the CLI's help, the contract and, as JSON Schema, the
 *      Train form and Translate options read it). Change the id, the title,
 *      the dataset kind (paired, unpaired, domains, high-res: the readers in
 *      engine/data/), the config schema (extend FamilyConfigBase; `.meta()`
 *      gives each field the title and help the Train form shows, `group:
 *      'basic'` keeps it out of Advanced), the translate options, and which
 *      networks inference needs.
 *   2. model.ts builds the networks and takes one training step; it exports
 *      a FamilyModule: `build` (training), `buildInference` (only the
 *      networks inference needs) and `exampleBatch`. Use
 *      shared/training-step.ts for the optimizer steps, and draw every
 *      random choice from (seed, step) so a resumed run repeats an unbroken
 *      one; state beyond weights and optimizers goes through
 *      `trainingState`/`restoreTrainingState`.
 *   3. Add one line to `builtInFamilies` in registry.ts.
 * Checkpoints, resume, the dashboard, the CLI (`ganvas train <id>`), the
 * Train form, model export and translation then work without further change.
 * Test it like tests/unit/template-family.test.ts does.
 *
 * Shown to users only when GANVAS_DEV_FAMILIES includes 'template'.
 */
import { z } from 'zod';
import { FamilyConfigBase, learningRatesOf, type FamilyDescriptor, type FamilyModule } from '../family.js';

export const TemplateConfigSchema = FamilyConfigBase.extend({
  size: z.number().int().min(8).max(256).refine((n) => n % 8 === 0, 'must be a multiple of 8: the generator halves it three times').default(32)
    .meta({ title: 'Size', description: 'Side of the square training images (a multiple of 8).', group: 'basic', unit: 'px', choices: [16, 32, 64] }),
  ngf: z.number().int().min(1).max(256).default(8).meta({ title: 'Generator filters (ngf)', description: "Filters of G's first layer." }),
  ndf: z.number().int().min(1).max(256).default(8).meta({ title: 'Discriminator filters (ndf)', description: "Filters of D's first layer." }),
  dropout: z.number().min(0).max(0.9).default(0).meta({ title: 'Dropout', description: "Dropout in G's first decoder layer." }),
  lambdaL1: z.number().min(0).max(10_000).default(100).meta({ title: 'λ L1', description: 'Weight of the L1 distance to the target.' }),
  lr: learningRatesOf({ G: 2e-3, D: 2e-3 }),
});
export type TemplateConfig = z.infer<typeof TemplateConfigSchema>;

export const TemplateTranslateOptions = z.strictObject({
  /** An option to show how translate options reach the Translate view and the CLI: flips the result left to right. */
  mirror: z.boolean().default(false).meta({ title: 'Mirror', description: 'Flip the result left to right.' }),
});

export const template: FamilyDescriptor<TemplateConfig> = {
  id: 'template',
  title: 'Template',
  description: 'A minimal conditional GAN (3-level U-Net, PatchGAN, LSGAN + L1) that shows how a family is built. For developers.',
  dataset: 'paired',
  datasetHelp: 'Aligned pairs: folders A/ (input) and B/ (target) with the same file names, or side-by-side A|B images.',
  uses: ['translate'],
  inferenceSize: 'training-size',
  configSchema: TemplateConfigSchema,
  architectureKeys: ['size', 'channels', 'ngf', 'ndf', 'dropout'],
  translateOptions: () => TemplateTranslateOptions,
  inferenceNetworks: ['G'],
  presets: { cli: {}, cpu: { steps: 200 }, gpu: {} },
  loadModel: async () => (await import('./model.js')).templateModel as FamilyModule<TemplateConfig>,
};
