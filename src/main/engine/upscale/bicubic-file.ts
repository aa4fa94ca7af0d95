/**
 * The "before" of an upscale, made exactly: a file upscaled by bicubic with
 * upscale/bicubic.ts (Keys a = −0.5, pixel-centre alignment, clamped edges),
 * the interpolation `ganvas eval-sr` scores against and SR papers compare
 * with, not whatever smoothing a browser applies when it stretches an
 * <img>. Decoded and tagged as the upscaler does (upright, in its own ICC
 * profile), so the two sides of a comparison differ only by the method.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeImage } from '../image/index.js';
import { keepsIccProfile, readHeader } from '../image/decode.js';
import { bicubicUpscaleImage } from './bicubic.js';
import { carriedMetadata, pngMetadataChunks } from './file-metadata.js';
import { createPngRowWriter } from './png-stream.js';

/** Bicubic results up to this many output pixels (it runs where it is asked, in memory). */
export const maxBicubicPixels = 16_000_000;

export async function bicubicUpscaleFile(input: string | Buffer, scale: number, name?: string): Promise<{ png: Buffer; width: number; height: number }> {
  if (![2, 3, 4].includes(scale)) throw new RangeError(`scale must be 2, 3 or 4, got ${scale}`);
  const image = await decodeImage(input, { keepIccProfile: true, ...(name !== undefined ? { name } : {}) });
  const width = image.width * scale;
  const height = image.height * scale;
  if (width * height > maxBicubicPixels) {
    throw new RangeError(`the bicubic comparison is made up to ${maxBicubicPixels / 1e6} megapixels; ${width}×${height} is larger`);
  }
  const { channels } = image;
  const out = bicubicUpscaleImage(image, scale).data;
  const header = await readHeader(input).catch(() => null);
  const software = `bicubic x${scale} (GANvas upscale/bicubic.ts)`;
  const carried = header ? carriedMetadata(header, keepsIccProfile(header) && image.format !== 'svg', software) : { software };
  // Only the profile matters for showing it; EXIF and XMP stay with the real output.
  const file = path.join(os.tmpdir(), `ganvas-bicubic-${process.pid}-${randomBytes(4).toString('hex')}.png`);
  const writer = createPngRowWriter(file, { width, height, channels }, { compressionLevel: 1, chunks: pngMetadataChunks({ ...(carried.icc ? { icc: carried.icc } : {}), software }) });
  try {
    await writer.writeRows(out);
    await writer.finish();
    return { png: await readFile(file), width, height };
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await rm(file, { force: true });
  }
}
