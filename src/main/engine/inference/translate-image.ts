/**
 * One image through one model: decode, fit to the model's size, translate,
 * and back. The same code serves the Doodle (inference worker), folder jobs
 * and the CLI, so they cannot disagree about how an image is prepared.
 */
import * as tf from '@tensorflow/tfjs';
import { UserFacingError } from '../errors.js';
import { decodeImage, imageToTensor, resizeImage, tensorToImage, type DecodedImage, type RawImage } from '../image/index.js';
import type { Translator } from '../models/load-translator.js';

/**
 * Options the inference layer reads itself; everything else goes to the
 * family (pix2pix: noise, seed), whose translate-options schema rejects what
 * it does not know.
 */
export interface InferenceOptions {
  /** Requests on the same channel supersede each other (see inference-service.ts). */
  channel?: string;
  /** Give the output the input's size when the input had to be resized to the model's (default true). */
  keepSize?: boolean;
}

const INFERENCE_KEYS = new Set(['channel', 'keepSize']);

export function familyOptions(options: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !INFERENCE_KEYS.has(key)));
}

export interface TranslatedImage {
  input: DecodedImage;
  output: RawImage;
  /** Set when the input was not the model's size: what it was resized from and to. */
  resized: { from: { width: number; height: number }; to: number; note: string } | null;
  /** Time in the network (not decoding or encoding). */
  ms: number;
}

/** The family's options for this model, checked before any image is decoded; bad ones name the model. */
export function translatorOptions(translator: Translator, options: Record<string, unknown> = {}): Record<string, unknown> {
  try {
    return translator.options(familyOptions(options));
  } catch (error) {
    if (error instanceof UserFacingError) throw new UserFacingError(error.code, `${error.message} (model '${translator.id}')`);
    throw error;
  }
}

export async function translateImage(
  translator: Translator,
  source: Buffer | string,
  options: Record<string, unknown> = {},
  name?: string,
): Promise<TranslatedImage> {
  const modelOptions = translatorOptions(translator, options);
  const input = await decodeImage(source, { flatten: true, ...(name !== undefined ? { name } : {}) });
  const { size } = translator;
  let fitted: RawImage = input;
  let resized: TranslatedImage['resized'] = null;
  if (!translator.anySize && (input.width !== size || input.height !== size)) {
    // Area averaging when shrinking avoids the aliasing bicubic gives line art; bicubic when enlarging.
    const kernel = input.width >= size && input.height >= size ? 'area' : 'bicubic';
    fitted = await resizeImage(input, size, size, kernel);
    resized = {
      from: { width: input.width, height: input.height },
      to: size,
      note: `${name ?? 'the image'} is ${input.width}×${input.height}; model '${translator.id}' was trained at ${size} px, so it was resized to ${size}×${size} (${kernel === 'area' ? 'area average' : 'bicubic'})${options['keepSize'] === false ? '' : ' and the result back (bicubic)'}`,
    };
  }
  const started = performance.now();
  const result = tf.tidy(() => translator.model.translate(imageToTensor(fitted).expandDims(0) as tf.Tensor4D, modelOptions));
  let output: RawImage;
  try {
    output = await tensorToImage(result);
  } finally {
    result.dispose();
  }
  const ms = performance.now() - started;
  if (resized && options['keepSize'] !== false) output = await resizeImage(output, input.width, input.height, 'bicubic');
  return { input, output, resized, ms };
}
