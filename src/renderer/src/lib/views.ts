/**
 * The studio's views, in navigation order (Ctrl/Cmd+1…6 follow it). Views
 * that later issues fill say plainly what they will do; they show no
 * controls that pretend to work.
 */
export const viewIds = ['doodle', 'translate', 'upscale', 'train', 'gallery', 'models'] as const;
export type ViewId = (typeof viewIds)[number];

export interface ViewInfo {
  id: ViewId;
  label: string;
  /** For views not built yet: what is coming and what it will do. */
  planned?: { summary: string; willDo: string[] };
}

export const views: readonly ViewInfo[] = [
  {
    id: 'doodle',
    label: 'Doodle',
    planned: {
      summary: 'A sketch canvas wired to a trained Pix2Pix model, so a rough drawing turns into a finished image as you draw.',
      willDo: [
        'Brush, eraser and fill tools on a canvas sized to the model input',
        'Live translation of the sketch with the selected model',
        'Saving sketch and result together into the Gallery',
      ],
    },
  },
  {
    id: 'translate',
    label: 'Translate',
    planned: {
      summary: 'Image-to-image translation of single images or whole folders with a Pix2Pix, CycleGAN or StarGAN model.',
      willDo: [
        'Pick a model and one image, or a folder for a batch job with progress and cancel',
        'Large images processed in overlapping tiles so seams do not show',
        'Every result stored in the Gallery with its input and settings',
      ],
    },
  },
  {
    id: 'upscale',
    label: 'Upscale',
    planned: {
      summary: 'Super-resolution with bundled ESRGAN models and your own SRGAN checkpoints.',
      willDo: [
        '×2, ×3 and ×4 upscaling, tiled for large images',
        'A before/after view of the result',
        'Batch upscaling of folders as a background job',
      ],
    },
  },
  {
    id: 'train',
    label: 'Train',
    planned: {
      summary: 'Training Pix2Pix, CycleGAN, StarGAN and SRGAN models on your own datasets, on this machine.',
      willDo: [
        'Dataset checks before a run starts (pairing, sizes, formats)',
        'Live loss curves and sample images, with pause, resume and cancel',
        'Checkpoints that record their full configuration',
      ],
    },
  },
  { id: 'gallery', label: 'Gallery' },
  {
    id: 'models',
    label: 'Models',
    planned: {
      summary: 'The models on this machine: bundled presets, downloaded weights and the checkpoints of your training runs.',
      willDo: [
        'A model card for each: family, input size, training data and licence',
        'Importing and exporting checkpoints',
        'Choosing which model the other views use by default',
      ],
    },
  },
];

export const defaultView: ViewId = 'gallery';

export function viewFromHash(hash: string): ViewId {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (viewIds as readonly string[]).includes(name) ? (name as ViewId) : defaultView;
}

export function hashForView(view: ViewId): string {
  return `#/${view}`;
}
