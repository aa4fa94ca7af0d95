import { cropRaw, decodeImage, probeImage, resizeImage, type ImageHeader, type RawImage } from '../image/index.js';
import { ImageDecodeError } from '../image/index.js';
import { defaultLoadSize } from './augment.js';

/** How images become training samples: resize to `loadSize`², random-crop `size`², maybe flip. */
export interface TrainingCropOptions {
  /** Side of the square training crop, in pixels. */
  size: number;
  /** Side images are resized to before cropping (default size·286/256). Equal to `size` means no crop jitter. */
  loadSize?: number;
  /** Random horizontal flips (default true). */
  flip?: boolean;
  /** Seed of the sample order and augmentation (default 1). */
  seed?: number;
  /** Batches decoded ahead by `batches()` (default 2). */
  prefetch?: number;
}

export type ResolvedCrop = Required<TrainingCropOptions>;

export function resolveCrop(options: TrainingCropOptions): ResolvedCrop {
  const { size } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a whole number of pixels ≥ 1, got ${size}`);
  const loadSize = options.loadSize ?? defaultLoadSize(size);
  if (!Number.isInteger(loadSize) || loadSize < size) {
    throw new RangeError(`loadSize must be a whole number ≥ size (${size}), got ${loadSize}`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a whole number ≥ 0, got ${seed}`);
  return { size, loadSize, flip: options.flip ?? true, seed, prefetch: options.prefetch ?? 2 };
}

/**
 * Decodes onto white (models take RGB) and resizes to loadSize×loadSize with a
 * bicubic kernel, as the pix2pix reference code does; aspect ratio is not kept.
 */
export async function loadSquare(file: string, name: string, loadSize: number): Promise<RawImage> {
  const image = await decodeImage(file, { name, flatten: true, svgSize: loadSize });
  return resizeImage(image, loadSize, loadSize, 'bicubic');
}

/** The left and right halves of a side-by-side A|B image, each as a loadSize square. */
export async function loadSideBySide(file: string, name: string, loadSize: number): Promise<[RawImage, RawImage]> {
  const image = await decodeImage(file, { name, flatten: true, svgSize: loadSize * 2 });
  const half = Math.floor(image.width / 2);
  if (half < 1) throw new ImageDecodeError(name, `${image.width} px is too narrow to split into A|B halves`);
  // An odd width leaves the middle column out, so both halves are the same size.
  const left = cropRaw(image, { left: 0, top: 0, width: half, height: image.height });
  const right = cropRaw(image, { left: image.width - half, top: 0, width: half, height: image.height });
  return Promise.all([
    resizeImage(left, loadSize, loadSize, 'bicubic'),
    resizeImage(right, loadSize, loadSize, 'bicubic'),
  ]);
}

/** Header of every file, a few at a time; unreadable ones come back as their error. */
export async function probeAll(
  files: readonly { file: string; name: string }[],
  concurrency = 8,
): Promise<(ImageHeader | ImageDecodeError)[]> {
  const results: (ImageHeader | ImageDecodeError)[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const { file, name } = files[i]!;
      results[i] = await probeImage(file, name).catch((error: unknown) => {
        if (error instanceof ImageDecodeError) return error;
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return results;
}
