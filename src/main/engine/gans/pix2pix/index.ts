/**
 * Pix2Pix (Isola et al. 2017, "Image-to-Image Translation with Conditional
 * Adversarial Networks"): learns input → output from aligned pairs, with a
 * U-Net generator and a PatchGAN discriminator that sees both. The Doodle
 * view's models are Pix2Pix models (sketch → picture).
 *
 * This is the family's descriptor; the networks and the training step are in
 * model.ts, loaded only where tfjs runs.
 */
import type { FamilyDescriptor, FamilyModule } from '../family.js';
import { Pix2PixConfigSchema, Pix2PixTranslateOptions, type Pix2PixConfig } from './config.js';

export { Pix2PixConfigSchema, Pix2PixTranslateOptions, type Pix2PixConfig } from './config.js';

export const pix2pix: FamilyDescriptor<Pix2PixConfig> = {
  id: 'pix2pix',
  title: 'Pix2Pix',
  description:
    'Learns to turn one kind of image into another from aligned pairs (sketch → picture, map → photo). ' +
    'U-Net generator and PatchGAN discriminator after Isola et al. 2017.',
  dataset: 'paired',
  datasetHelp:
    'Aligned pairs: folders A/ (input) and B/ (target) with the same file names, or side-by-side A|B images exactly twice as wide as high. ' +
    'train/ and test/ sub-folders are used when present.',
  uses: ['doodle', 'translate'],
  inferenceSize: 'training-size',
  configSchema: Pix2PixConfigSchema,
  architectureKeys: ['size', 'channels', 'ngf', 'ndf', 'norm', 'discriminatorLayers', 'hintLayer'],
  translateOptions: () => Pix2PixTranslateOptions,
  inferenceNetworks: ['G'],
  presets: {
    // `ganvas train pix2pix` has trained at 64 px unless told otherwise since its first version.
    cli: { size: 64 },
    // The bundled Doodle model's size: about 0.27 s a step on one core with wasm, so 3,000 steps take about 15 minutes.
    cpu: { size: 64, steps: 3000, ngf: 16, ndf: 32 },
    // The paper's setup.
    gpu: {},
  },
  loadModel: async () => (await import('./model.js')).pix2pixModel as FamilyModule<Pix2PixConfig>,
};
