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
  /**
   * Enlarge the network's result ×2 or ×4 with the pretrained ESRGAN (slim),
   * for a view that shows a small model's result large: measured on held-out
   * Doodle results (scripts/doodle-crisp-eval.ts) it scores above bicubic
   * and far above the nearest-neighbour blocks.
   */
  enlarge?: 2 | 4;
}

const INFERENCE_KEYS = new Set(['channel', 'keepSize', 'enlarge']);

/** The `enlarge` option checked: undefined, 2 or 4; anything else is the caller's error. */
export function enlargeOption(options: Record<string, unknown> = {}): 2 | 4 | undefined {
  const value = options['enlarge'];
  if (value === undefined) return undefined;
  if (value === 2 || value === 4) return value;
  throw new RangeError(`enlarge must be 2 or 4 (the ESRGAN scales), got ${JSON.stringify(value)}`);
}

/** `options` without the inference layer's own keys: what goes to the family. */
export function familyOptions(options: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !INFERENCE_KEYS.has(key)));
}
