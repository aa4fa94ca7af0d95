/**
 * SRGAN (Ledig et al. 2017, "Photo-Realistic Single Image Super-Resolution
 * Using a Generative Adversarial Network"): a residual generator (SRResNet)
 * learns low-resolution → high-resolution from any folder of photos, first
 * with a content loss alone, then against a discriminator. Its models
 * upscale photos of any size in the Upscale view.
 *
 * This is the family's descriptor; the networks and the training step are in
 * model.ts, loaded only where tfjs runs.
 */
import { noTranslateOptions, type FamilyDescriptor, type FamilyModule } from '../family.js';
import { SrganConfigSchema, type SrganConfig } from './config.js';
import { srganUpscaleGeometry } from './geometry.js';

export { SrganConfigSchema, pretrainStepsOf, type SrganConfig } from './config.js';
export { srresnetReceptiveRadius } from './geometry.js';

export const srgan: FamilyDescriptor<SrganConfig> = {
  id: 'srgan',
  title: 'SRGAN',
  description:
    'Upscales photos ×2, ×3 or ×4 with invented-but-plausible detail, learned from any folder of high-resolution images. ' +
    'SRResNet generator and discriminator after Ledig et al. 2017.',
  dataset: 'high-res',
  datasetHelp: 'Any folder of high-resolution photos; the low-resolution inputs are made by bicubic downscaling (for a share of them, blurred before or JPEG-compressed after: blurShare, jpegShare). The size is the high-resolution patch side.',
  uses: ['upscale'],
  // SRResNet is fully convolutional: an upscaler takes photos of any size.
  inferenceSize: 'any',
  configSchema: SrganConfigSchema,
  architectureKeys: ['size', 'channels', 'scale', 'filters', 'blocks', 'norm', 'imageSkip', 'upsampling', 'ndf'],
  translateOptions: noTranslateOptions,
  inferenceNetworks: ['G'],
  presets: {
    cli: {},
    // A small SRResNet with the bicubic skip learns to beat bicubic on one core within minutes.
    cpu: { size: 48, steps: 2000, filters: 32, blocks: 4, imageSkip: 'bicubic', norm: 'none', ndf: 16 },
    gpu: {},
  },
  upscaleGeometry: srganUpscaleGeometry,
  trainFlags: [{ flag: 'scale', key: 'scale', help: 'super-resolution factor: 2, 3 or 4 (default 4)' }],
  loadModel: async () => (await import('./model.js')).srganModel as FamilyModule<SrganConfig>,
};
