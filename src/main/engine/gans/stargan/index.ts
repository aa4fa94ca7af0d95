/**
 * StarGAN (Choi et al. 2018, "StarGAN: Unified Generative Adversarial
 * Networks for Multi-Domain Image-to-Image Translation"): one generator
 * learns to move an image into any of several styles (domains), told which
 * by a label, from one folder per style that need not correspond. Its
 * models translate photos or folders into a chosen style, or into a blend
 * of styles, at the images' own size.
 *
 * This is the family's descriptor; the networks and the training step are in
 * networks.ts and model.ts, loaded only where tfjs runs.
 */
import { FamilyConfigError, type DatasetFacts, type FamilyDescriptor, type FamilyModule } from '../family.js';
import { StarGanConfigSchema, starGanTranslateOptions, type StarGanConfig } from './config.js';

export {
  StarGanConfigSchema,
  starGanTranslateOptions,
  parseDomainTarget,
  resolveTarget,
  targetText,
  DomainTargetError,
  type StarGanConfig,
  type DomainWeights,
} from './config.js';

/** The domains of the data become the run's; a run that already has domains must see the same ones. */
function withDataFacts(config: StarGanConfig, facts: DatasetFacts): StarGanConfig {
  const found = [...(facts.domains ?? [])];
  if (found.length < 2) throw new FamilyConfigError(`StarGAN trains on at least 2 domains (one sub-folder each); the data has ${found.length}`);
  if (config.domains.length === 0) return StarGanConfigSchema.parse({ ...config, domains: found });
  if (config.domains.join('\u0000') !== found.join('\u0000')) {
    throw new FamilyConfigError(`this run was trained on the domains ${config.domains.join(', ')}; the data has ${found.join(', ')}. Train on the same sub-folders, or start a new run`);
  }
  return config;
}

export const stargan: FamilyDescriptor<StarGanConfig> = {
  id: 'stargan',
  title: 'StarGAN',
  description:
    'Learns to move images between several styles with one model (photo → any of several painters, one emoji set → another), and to blend styles. ' +
    'One generator told the target style, a PatchGAN critic that also tells the style, after Choi et al. 2018.',
  dataset: 'domains',
  datasetHelp:
    'One sub-folder per style (domain), at least two, named as the styles should be shown: e.g. photo/, monet/, ukiyoe/. ' +
    'Optionally train/ and test/ that each hold those sub-folders; test/ is used for the sample grids.',
  uses: ['translate'],
  // The generator is fully convolutional: photos are translated at their own size.
  inferenceSize: 'any',
  configSchema: StarGanConfigSchema,
  architectureKeys: ['size', 'channels', 'domains', 'ngf', 'ndf', 'blocks', 'discriminatorLayers', 'inputSkip'],
  translateOptions: (config?: StarGanConfig) => starGanTranslateOptions(Array.isArray(config?.domains) ? config.domains : []),
  inferenceNetworks: ['G'],
  presets: {
    cli: {},
    // A small model for one core: the batch the paper uses is too slow here.
    cpu: { size: 64, steps: 4000, batchSize: 4, ngf: 16, ndf: 16, blocks: 3 },
    gpu: {},
  },
  translateFlags: [
    { flag: 'domain', key: 'domain', help: 'the target style: a domain name, or a blend such as a=0.7,b=0.3 (weights sum to 1)' },
    { flag: 'strip', key: 'strip', help: 'N > 0: the input and N images moving in even steps to the target, side by side' },
  ],
  withDataFacts,
  translateToDomain: (domain: string) => ({ domain, strip: 0 }),
  loadModel: async () => (await import('./model.js')).starganModel as FamilyModule<StarGanConfig>,
};
