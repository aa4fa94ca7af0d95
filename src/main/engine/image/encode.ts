import sharp, { type Sharp } from 'sharp';
import type { RawImage } from './types.js';

export type EncodeFormat = 'png' | 'jpeg' | 'webp';

export interface EncodeOptions {
  /** 1–100 for JPEG and WebP (default 90); PNG is lossless and ignores it. */
  quality?: number;
}

/** JPEG has no alpha, so transparent pixels are flattened onto white; PNG and WebP keep alpha. */
export async function encodeImage(
  image: RawImage,
  format: EncodeFormat,
  options: EncodeOptions = {},
): Promise<Buffer> {
  return encoding(sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }), format, options).toBuffer();
}

/** Ends a sharp pipeline in `format` the way encodeImage does (so a resize can stream into the encoder). */
export function encoding(pipeline: Sharp, format: EncodeFormat, options: EncodeOptions = {}): Sharp {
  const quality = options.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`quality must be a whole number from 1 to 100, got ${quality}`);
  }
  switch (format) {
    case 'png':
      return pipeline.png();
    case 'jpeg':
      return pipeline.flatten({ background: '#ffffff' }).jpeg({ quality });
    case 'webp':
      return pipeline.webp({ quality });
  }
}
