/**
 * Shrinks a drawing by a whole factor, each output pixel the mean of the
 * factor×factor block it covers (area sampling). The Doodle canvas is drawn at
 * screen resolution and reduced this way for the model: a box average of an
 * anti-aliased drawing is what a vector renderer gives at the small size, which
 * is how the bundled models' line art was made (OpenMoji rendered by resvg).
 */
import type { Pixels } from './flood-fill.js';

export function reduceByArea(pixels: Pixels, factor: number): { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> } {
  const { width, height, data } = pixels;
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`the reduction factor must be a positive whole number, got ${factor}`);
  if (width % factor !== 0 || height % factor !== 0) throw new RangeError(`${width}×${height} does not divide by ${factor}`);
  if (data.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} bytes for ${width}×${height} RGBA, got ${data.length}`);
  const outWidth = width / factor;
  const outHeight = height / factor;
  const sums = new Float64Array(outWidth * outHeight * 4);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / factor) * outWidth;
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      const to = (row + Math.floor(x / factor)) * 4;
      sums[to]! += data[from]!;
      sums[to + 1]! += data[from + 1]!;
      sums[to + 2]! += data[from + 2]!;
      sums[to + 3]! += data[from + 3]!;
    }
  }
  const area = factor * factor;
  const out = new Uint8ClampedArray(sums.length);
  for (let i = 0; i < sums.length; i++) out[i] = Math.round(sums[i]! / area);
  return { width: outWidth, height: outHeight, data: out };
}

/** Raster pixels per model pixel for a canvas of `size` model pixels: about 512 screen pixels a side (8× at 64 px, 4× at 128, 2× at 256). */
export function detailFor(size: number): number {
  return Math.max(1, Math.round(512 / size));
}
