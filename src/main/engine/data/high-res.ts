import { relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ImageDecodeError, cropRaw, decodeImage, defaultSvgSize, type ImageHeader, type RawImage } from '../image/index.js';
import { cropFlipAt, writeCrop } from './augment.js';
import { checkStepAndBatch, prefetchBatches, type BatchSource } from './batch-stream.js';
import { DatasetError, nameList, plural } from './dataset-error.js';
import { listImages, noImagesError } from './image-files.js';
import { checkDegradationMix, defaultDegradationMix, degradationAt, makeLowRes, type SrDegradationMix } from './sr-degradation.js';
import { EpochOrder } from './sample-order.js';
import { probeAll } from './training-crop.js';
import { UnreadableItems } from './unreadable-items.js';

export interface HighResOptions {
  /** Upscaling factor the model learns (2, 3, 4…). */
  scale: number;
  /** Side of the high-resolution training patch in pixels; a multiple of `scale` (SRGAN: 96 at ×4). */
  patchSize: number;
  /** Random horizontal flips (default true). */
  flip?: boolean;
  /** Seed of the sample order and crops (default 1). */
  seed?: number;
  /** Batches decoded ahead by `batches()` (default 2). */
  prefetch?: number;
  /**
   * Shares of samples whose low-resolution patch is blurred before and/or
   * JPEG-compressed after the downscale (sr-degradation.ts); default: none,
   * every patch a clean bicubic downscale. Drawn per sample from the seed.
   */
  degradation?: Partial<SrDegradationMix>;
}

/**
 * `hr` is a random patchSize² crop at the image's own resolution; `lr` is that
 * crop shrunk by `scale` with a bicubic kernel (the usual SR degradation, e.g.
 * SRGAN, Ledig et al. 2017, §3.1), for a share of samples blurred before or
 * JPEG-compressed after (HighResOptions.degradation). NHWC in [-1, 1]; the
 * caller disposes both.
 */
export interface HighResBatch {
  step: number;
  lr: tf.Tensor4D;
  hr: tf.Tensor4D;
}

export interface HighResDataset extends BatchSource<HighResBatch> {
  readonly kind: 'highres';
  readonly size: number;
  readonly warnings: string[];
  readonly scale: number;
  readonly patchSize: number;
  readonly files: readonly string[];
}

/**
 * Any folder of images (sub-folders included) for super-resolution. Images
 * smaller than the patch are skipped with a warning: upscaling them would teach
 * the model blur. SVGs are rendered large enough for the patch.
 */
export async function openHighResDataset(dir: string, options: HighResOptions): Promise<HighResDataset> {
  const { scale, patchSize } = options;
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a whole number ≥ 1, got ${scale}`);
  if (!Number.isInteger(patchSize) || patchSize < scale || patchSize % scale !== 0) {
    throw new RangeError(`patchSize must be a multiple of the scale (${scale}), got ${patchSize}`);
  }
  const seed = options.seed ?? 1;
  const flip = options.flip ?? true;
  const lowSize = patchSize / scale;
  const mix: SrDegradationMix = { ...defaultDegradationMix, ...options.degradation };
  checkDegradationMix(mix);

  const listing = await listImages(dir);
  const warnings = [...listing.warnings];
  if (listing.files.length === 0) throw noImagesError(dir);
  const headers = await probeAll(listing.files.map((file) => ({ file, name: relative(dir, file) })));
  const items: { file: string; header: ImageHeader }[] = [];
  const small: string[] = [];
  listing.files.forEach((file, i) => {
    const header = headers[i]!;
    if (header instanceof ImageDecodeError) warnings.push(`${header.message}; skipped`);
    else if (!header.scalable && (header.width < patchSize || header.height < patchSize)) {
      small.push(`${relative(dir, file)} (${header.width}×${header.height})`);
    } else items.push({ file, header });
  });
  if (small.length > 0) {
    warnings.push(`${plural(small.length, 'image')} smaller than the ${patchSize} px patch skipped: ${nameList(small)}`);
  }
  if (items.length === 0) {
    throw new DatasetError(`${dir}: no image is at least ${patchSize}×${patchSize} px; see the warnings`, dir);
  }

  const order = new EpochOrder(items.length, seed);
  const unreadable = new UnreadableItems(warnings, dir);

  const loadPatch = (sample: number) => async (index: number): Promise<RawImage> => {
    const { file, header } = items[index]!;
    const name = relative(dir, file);
    let patch: RawImage;
    if (header.scalable) {
      const short = Math.min(header.width, header.height);
      const long = Math.max(header.width, header.height);
      const svgSize = Math.max(defaultSvgSize, Math.ceil((patchSize * long) / short) + 1);
      const image = await decodeImage(file, { name, flatten: true, svgSize });
      const at = cropFlipAt({ seed, sample }, { x: image.width - patchSize, y: image.height - patchSize }, flip);
      patch = cropRaw(image, { left: at.left, top: at.top, width: patchSize, height: patchSize });
      return at.flip ? mirrored(patch) : patch;
    }
    // Decoding only the patch keeps memory flat however large the photos are.
    const at = cropFlipAt({ seed, sample }, { x: header.width - patchSize, y: header.height - patchSize }, flip);
    patch = await decodeImage(file, { name, flatten: true, region: { left: at.left, top: at.top, width: patchSize, height: patchSize } });
    return at.flip ? mirrored(patch) : patch;
  };

  const batchAt = async (step: number, batchSize: number): Promise<HighResBatch> => {
    checkStepAndBatch(step, batchSize);
    const hrData = new Float32Array(batchSize * patchSize * patchSize * 3);
    const lrData = new Float32Array(batchSize * lowSize * lowSize * 3);
    const origin = { left: 0, top: 0, flip: false };
    await Promise.all(
      Array.from({ length: batchSize }, async (_, i) => {
        const sample = step * batchSize + i;
        const hr = await unreadable.load(order, sample, loadPatch(sample));
        const lr = await makeLowRes(hr, scale, degradationAt(mix, seed, sample));
        writeCrop(hr, origin, patchSize, patchSize, hrData, i * patchSize * patchSize * 3);
        writeCrop(lr, origin, lowSize, lowSize, lrData, i * lowSize * lowSize * 3);
      }),
    );
    return {
      step,
      lr: tf.tensor4d(lrData, [batchSize, lowSize, lowSize, 3]),
      hr: tf.tensor4d(hrData, [batchSize, patchSize, patchSize, 3]),
    };
  };

  return {
    kind: 'highres',
    size: items.length,
    warnings,
    scale,
    patchSize,
    files: items.map((item) => item.file),
    batchAt,
    batches: (fromStep, batchSize, opts) => {
      checkStepAndBatch(fromStep, batchSize);
      return prefetchBatches((step) => batchAt(step, batchSize), fromStep, opts?.prefetch ?? options.prefetch ?? 2, (b) => {
        b.lr.dispose();
        b.hr.dispose();
      });
    },
  };
}

function mirrored(image: RawImage): RawImage {
  const { width, height, channels } = image;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      data.set(image.data.subarray(from, from + channels), (y * width + (width - 1 - x)) * channels);
    }
  }
  return { data, width, height, channels };
}
