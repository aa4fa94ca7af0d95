/**
 * The most pixels GANvas decodes or renders from one image. A file's header
 * can claim any size (a 1 MB PNG or SVGZ can say 100 000 × 100 000), so every
 * decode path checks the claimed size against this limit before it allocates
 * anything, and tells the user how to raise it.
 *
 * The default, 300 MP, admits a 16 384 × 16 384 scan (sharp's own default
 * limit is 16 383², 268 MP) while refusing decompression bombs; the decoders
 * stream large images through disk, so the limit guards time and disk more
 * than memory.
 */
import { ImageDecodeError } from './image-decode-error.js';

export const defaultMaxMegapixels = 300;
export const maxMegapixelsVariable = 'GANVAS_MAX_MEGAPIXELS';

/** The limit in pixels: GANVAS_MAX_MEGAPIXELS (a positive number of megapixels), else 300 MP. */
export function maxPixels(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[maxMegapixelsVariable]?.trim();
  if (!text) return defaultMaxMegapixels * 1e6;
  const megapixels = Number(text);
  if (!Number.isFinite(megapixels) || megapixels <= 0) {
    throw new RangeError(`${maxMegapixelsVariable} must be a positive number of megapixels (e.g. 300), got "${text}"`);
  }
  return Math.max(1, Math.round(megapixels * 1e6));
}

function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  if (mp >= 10) return String(Math.round(mp));
  return mp >= 0.1 ? String(Math.round(mp * 10) / 10) : String(Number(mp.toPrecision(2)));
}

/** The user-facing reason for an image over the limit. */
export function tooLargeReason(width: number, height: number, limit: number = maxPixels()): string {
  return `too large: ${width}×${height} (${megapixels(width * height)} MP); the limit is ${megapixels(limit)} MP, set with ${maxMegapixelsVariable}`;
}

/** Throws an ImageDecodeError naming the file when width × height is over the limit. */
export function checkPixelLimit(name: string, width: number, height: number, limit: number = maxPixels()): void {
  if (width * height > limit) throw new ImageDecodeError(name, tooLargeReason(width, height, limit));
}
