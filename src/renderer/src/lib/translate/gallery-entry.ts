/** What "Save to gallery" stores for a translated image: its input, output, model, options and inference time. */
import type { Request } from '../../../../shared/contract.js';

export interface TranslatedImage {
  name: string;
  inputBase64: string;
  outputBase64: string;
  modelId: string;
  modelTitle: string | undefined;
  options: Record<string, unknown>;
  ms: number;
  note: string | null;
}

export function galleryRequest(image: TranslatedImage): Request<'gallery.add'> {
  return {
    kind: 'translate',
    title: image.name.slice(0, 200),
    input: image.inputBase64,
    output: image.outputBase64,
    modelId: image.modelId,
    settings: { ...image.options, ...(image.modelTitle ? { model: image.modelTitle } : {}), ...(image.note ? { note: image.note } : {}) },
    timings: { inference: Math.max(0, Math.round(image.ms)) },
  };
}
