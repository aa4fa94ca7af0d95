import type { RawImage } from '../image/index.js';
import { Stream, randomAt } from './seeded-random.js';

/**
 * pix2pix and CycleGAN train at 256 px from images resized to 286 px and
 * randomly cropped back to 256, with random horizontal flips (Isola et al.
 * 2017, §6.2 "random jitter"; Zhu et al. 2017, §7; the reference code's
 * `--load_size 286 --crop_size 256`). We keep that ratio for any size.
 */
export function defaultLoadSize(size: number): number {
  return Math.round((size * 286) / 256);
}

export interface CropFlip {
  left: number;
  top: number;
  flip: boolean;
}

/**
 * The crop offset and flip of sample `sample`: a pure function of its keys.
 * `room` is how far the crop can move (source size minus crop size) per axis.
 */
export function cropFlipAt(
  keys: { seed: number; sample: number; list?: number },
  room: { x: number; y: number },
  flip: boolean,
): CropFlip {
  const { seed, sample, list = 0 } = keys;
  return {
    left: Math.floor(randomAt(seed, Stream.cropX, list, sample) * (room.x + 1)),
    top: Math.floor(randomAt(seed, Stream.cropY, list, sample) * (room.y + 1)),
    flip: flip && randomAt(seed, Stream.flip, list, sample) < 0.5,
  };
}

/**
 * Copies a `width`×`height` window of an RGB image into a batch buffer as
 * [-1, 1] floats (NHWC), mirrored left–right when `flip`.
 */
export function writeCrop(
  image: RawImage,
  crop: CropFlip,
  width: number,
  height: number,
  target: Float32Array,
  offset: number,
): void {
  if (image.channels !== 3) throw new Error('writeCrop needs a flattened RGB image');
  if (crop.left + width > image.width || crop.top + height > image.height) {
    throw new RangeError(`crop ${width}×${height} at (${crop.left}, ${crop.top}) exceeds ${image.width}×${image.height}`);
  }
  const src = image.data;
  let out = offset;
  for (let y = 0; y < height; y++) {
    const row = (crop.top + y) * image.width;
    for (let x = 0; x < width; x++) {
      const p = (row + crop.left + (crop.flip ? width - 1 - x : x)) * 3;
      target[out++] = src[p]! / 127.5 - 1;
      target[out++] = src[p + 1]! / 127.5 - 1;
      target[out++] = src[p + 2]! / 127.5 - 1;
    }
  }
}
