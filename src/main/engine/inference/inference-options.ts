/**
 * The translate options the inference layer reads itself, apart from the
 * family's own (pix2pix: noise, seed; CycleGAN: direction), which the
 * family's schema checks. No tfjs: the API checks a folder job's options
 * on the main thread before it is queued.
 */
export interface InferenceOptions {
  /** Requests on the same channel supersede each other (see inference-service.ts). */
  channel?: string;
  /** Give the output the input's size when the input had to be resized to the model's (default true). */
  keepSize?: boolean;
}

const INFERENCE_KEYS = new Set(['channel', 'keepSize']);

/** `options` without the inference layer's own keys: what goes to the family. */
export function familyOptions(options: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !INFERENCE_KEYS.has(key)));
}
