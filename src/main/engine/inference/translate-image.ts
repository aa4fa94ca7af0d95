/**
 * One image through one model: decode, fit to the model's size, translate,
 * and back. The same code serves the Doodle (inference worker), folder jobs
 * and the CLI, so they cannot disagree about how an image is prepared.
 *
 * Memory stays flat however large the input: the image is read a strip of
 * rows at a time and area-averaged down to the model's size as it streams
 * (pixel-rows.ts), and the result is resized back to the input's size by
 * libvips inside the encoder, so the full-size result never exists as raw
 * pixels (`encode`/`save`).
 */
import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import sharp, { type Sharp } from 'sharp';
import { UserFacingError } from '../errors.js';
import {
  encodeImage,
  encoding,
  imageToTensor,
  ImageDecodeError,
  openPixelRows,
  resizeImage,
  shrinkRowsByArea,
  tensorToImage,
  type EncodeFormat,
  type EncodeOptions,
  type PixelRows,
  type RawImage,
} from '../image/index.js';
import type { Translator } from '../models/load-translator.js';
import { familyOptions } from './inference-options.js';
import { upscaleTiled } from '../upscale/tiling.js';

export { familyOptions, type InferenceOptions } from './inference-options.js';

/**
 * A fully convolutional model (CycleGAN, SRGAN) takes an image up to this
 * size as one tensor; a larger one goes through in overlapping tiles
 * (upscale/tiling.ts), because whole-image feature maps would need
 * gigabytes. Tiles see `TILE_CONTEXT` pixels around the part they are used
 * for and are cross-faded over `TILE_FEATHER`, which hides the seams; a
 * model with instance norm (CycleGAN) still normalises each tile by its own
 * statistics, so very large images can show a slight shift from tile to tile.
 */
export const wholeImageMaxPixels = 1_500_000;
const TILE = 512;
const TILE_CONTEXT = 64;
const TILE_FEATHER = 32;
/** The result is built in memory, so a huge output (a ×4 upscale of a large photo) belongs in Upscale, which streams it. */
export const anySizeMaxOutputPixels = 100_000_000;


export interface TranslatedImage {
  input: { width: number; height: number; format: string };
  /** What the network produced, at its own size. */
  network: RawImage;
  /** The result's size: the input's when it was resized for the model and `keepSize` is on, else the network's. */
  width: number;
  height: number;
  /** Set when the input was not the model's size: what it was resized from and to. */
  resized: { from: { width: number; height: number }; to: number; note: string } | null;
  /** Time in the network (not decoding or encoding). */
  ms: number;
  /** The result as an image file's bytes. */
  encode(format: EncodeFormat, options?: EncodeOptions): Promise<Buffer>;
  /** The result written straight to a file (nothing full-size is held in memory). */
  save(file: string, format: EncodeFormat, options?: EncodeOptions): Promise<void>;
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
  const rows = await openPixelRows(source, { flatten: true, ...(name !== undefined ? { name } : {}) });
  try {
    return await translateRows(translator, rows, options, modelOptions, name);
  } finally {
    await rows.close();
  }
}

async function translateRows(translator: Translator, rows: PixelRows, options: Record<string, unknown>, modelOptions: Record<string, unknown>, name?: string): Promise<TranslatedImage> {
  const { size } = translator;
  const input = { width: rows.width, height: rows.height, format: rows.format };
  let fitted: RawImage;
  let resized: TranslatedImage['resized'] = null;
  if (translator.anySize && input.width * input.height > wholeImageMaxPixels) {
    return translateTiled(translator, rows, modelOptions, name);
  }
  if (translator.anySize) {
    fitted = await readAll(rows);
  } else if (input.width === size && input.height === size) {
    fitted = await readAll(rows);
  } else {
    // Area averaging when shrinking avoids the aliasing bicubic gives line art; bicubic when enlarging.
    const shrinking = input.width >= size && input.height >= size;
    fitted = shrinking ? await shrinkRowsByArea(rows, size, size) : await resizeImage(await readAll(rows), size, size, 'bicubic');
    resized = {
      from: { width: input.width, height: input.height },
      to: size,
      note: `${name ?? 'the image'} is ${input.width}×${input.height}; model '${translator.id}' was trained at ${size} px, so it was resized to ${size}×${size} (${shrinking ? 'area average' : 'bicubic'})${options['keepSize'] === false ? '' : ' and the result back (bicubic)'}`,
    };
  }
  const started = performance.now();
  const batch = tf.tidy(() => imageToTensor(fitted).expandDims(0) as tf.Tensor4D);
  let network: RawImage;
  try {
    const result = await translator.translate(batch, modelOptions);
    try {
      network = await tensorToImage(result);
    } finally {
      result.dispose();
    }
  } finally {
    batch.dispose();
  }
  const ms = performance.now() - started;
  const back = resized !== null && options['keepSize'] !== false;
  const width = back ? input.width : network.width;
  const height = back ? input.height : network.height;
  return {
    input,
    network,
    width,
    height,
    resized,
    ms,
    encode: (format, encodeOptions = {}) => (back ? resizedBack(network, width, height, format, encodeOptions).toBuffer() : encodeImage(network, format, encodeOptions)),
    save: async (file, format, encodeOptions = {}) => {
      if (back) await resizedBack(network, width, height, format, encodeOptions).toFile(file);
      else await writeFile(file, await encodeImage(network, format, encodeOptions));
    },
  };
}

/** Output pixels per input pixel along one side, found by running the model on a small image. */
function outputScale(translator: Translator, options: Record<string, unknown>): number {
  const probe = 8;
  const side = tf.tidy(() => translator.model.translate(tf.zeros([1, probe, probe, translator.config.channels]) as tf.Tensor4D, options).shape[1]);
  return side / probe;
}

/** A large image through a fully convolutional model, tile by tile, read and assembled a band of rows at a time. */
async function translateTiled(translator: Translator, rows: PixelRows, modelOptions: Record<string, unknown>, name?: string): Promise<TranslatedImage> {
  const scale = outputScale(translator, modelOptions);
  const width = rows.width * scale;
  const height = rows.height * scale;
  if (width * height > anySizeMaxOutputPixels) {
    throw new ImageDecodeError(name ?? 'the image', `the result would be ${width}×${height} (${Math.round((width * height) / 1e6)} MP); for results above ${anySizeMaxOutputPixels / 1e6} MP use Upscale (ganvas upscale), which writes them in strips`);
  }
  const channels = rows.channels;
  const data = new Uint8Array(width * height * channels);
  const started = performance.now();
  await upscaleTiled(rows, async (window) => {
    const input = tf.tidy(() => tf.sub(tf.div(tf.tensor4d(window.data, [1, window.height, window.width, window.channels]), 127.5), 1) as tf.Tensor4D);
    let translated: tf.Tensor4D;
    try {
      translated = await translator.translate(input, modelOptions);
    } finally {
      input.dispose();
    }
    const output = tf.tidy(() => tf.mul(tf.add(translated, 1), 127.5));
    translated.dispose();
    try {
      return (await output.data()) as Float32Array;
    } finally {
      output.dispose();
    }
  }, {
    scale,
    layout: { tile: TILE, context: TILE_CONTEXT, feather: TILE_FEATHER },
    onRows: (chunk, firstRow) => data.set(chunk, firstRow * width * channels),
  });
  const network: RawImage = { data, width, height, channels };
  return {
    input: { width: rows.width, height: rows.height, format: rows.format },
    network,
    width,
    height,
    resized: null,
    ms: performance.now() - started,
    encode: (format, encodeOptions = {}) => encodeImage(network, format, encodeOptions),
    save: async (file, format, encodeOptions = {}) => writeFile(file, await encodeImage(network, format, encodeOptions)),
  };
}

async function readAll(rows: PixelRows): Promise<RawImage> {
  return { data: await rows.read(0, rows.height), width: rows.width, height: rows.height, channels: rows.channels };
}

/**
 * The network's output resized back (bicubic) and encoded in one libvips
 * pipeline, which works in strips: the same pixels as resizeImage followed
 * by encodeImage, without the full-size raw image in between.
 */
function resizedBack(image: RawImage, width: number, height: number, format: EncodeFormat, options: EncodeOptions): Sharp {
  const raw = { width: image.width, height: image.height, channels: image.channels };
  return encoding(sharp(image.data, { raw }).resize(width, height, { fit: 'fill', kernel: 'cubic' }), format, options);
}
