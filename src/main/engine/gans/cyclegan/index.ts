/**
 * CycleGAN (Zhu et al. 2017, "Unpaired Image-to-Image Translation using
 * Cycle-Consistent Adversarial Networks"): two generators learn to move
 * images between two styles (summer ↔ winter, horse ↔ zebra) from folders
 * of each that need not correspond, kept honest by two discriminators and
 * the requirement that a round trip returns the input. Its models translate
 * whole folders, in either direction, at the images' own size.
 *
 * This is the family's descriptor; the networks and the training step are in
 * model.ts, loaded only where tfjs runs.
 */
import type { FamilyDescriptor, FamilyModule } from '../family.js';
import { CycleGanConfigSchema, CycleGanTranslateOptions, type CycleGanConfig } from './config.js';

export { CycleGanConfigSchema, CycleGanTranslateOptions, residualBlocks, type CycleGanConfig } from './config.js';

export const cyclegan: FamilyDescriptor<CycleGanConfig> = {
  id: 'cyclegan',
  title: 'CycleGAN',
  description:
    'Learns to move images between two styles (summer ↔ winter, photo ↔ painting) from two folders that need not correspond. ' +
    'ResNet generators and PatchGAN discriminators with cycle-consistency, after Zhu et al. 2017.',
  dataset: 'unpaired',
  datasetHelp:
    'Two styles, unpaired: trainA/ and trainB/ with any images of each (testA/ and testB/ are used for the sample grids when present). ' +
    "The paper's sets (horse2zebra, summer2winter_yosemite) come in this layout.",
  uses: ['translate'],
  // The ResNet generator is fully convolutional: photos are translated at their own size.
  inferenceSize: 'any',
  configSchema: CycleGanConfigSchema,
  architectureKeys: ['size', 'channels', 'ngf', 'ndf', 'blocks', 'discriminatorLayers', 'inputSkip'],
  translateOptions: () => CycleGanTranslateOptions,
  inferenceNetworks: ['G_A', 'G_B'],
  presets: {
    cli: {},
    // A small model that learns a style in minutes on one core: about 0.4 s a step at 64 px.
    cpu: { size: 64, steps: 3000, ngf: 16, ndf: 32, blocks: 6 },
    gpu: {},
  },
  translateFlags: [{ flag: 'direction', key: 'direction', help: 'AtoB (default) or BtoA: which way to translate' }],
  loadModel: async () => (await import('./model.js')).cycleganModel as FamilyModule<CycleGanConfig>,
};
