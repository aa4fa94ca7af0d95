/**
 * Turns bytes someone hands the gallery into an image we can store: checks
 * that sharp can decode all of it, keeps PNG/JPEG/WebP as they are, converts
 * any other readable format to PNG (an animated GIF keeps its first frame),
 * and makes the thumbnail.
 */
import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import type { ImageFormat, ImageRef } from '../../../shared/contract.js';

export const THUMB_MAX_SIDE = 256;
/** sharp's own default decode limit (0x3FFF * 0x3FFF), checked first so the reason says "too large". */
export const MAX_PIXELS = 268_402_689;

/** Formats stored byte for byte; everything else sharp reads becomes PNG. */
const KEPT_FORMATS: ReadonlySet<string> = new Set<ImageFormat>(['png', 'jpeg', 'webp']);

export interface PreparedImage {
  ref: ImageRef;
  data: Buffer;
  thumb: Buffer;
}

/** An image the gallery refuses, with a reason a user can read. */
export class UnreadableImageError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnreadableImageError';
  }
}

export function fileExtension(format: ImageFormat): string {
  return format === 'jpeg' ? 'jpg' : format;
}

export async function prepareImage(bytes: Buffer): Promise<PreparedImage> {
  if (bytes.length === 0) throw new UnreadableImageError('the file is empty');
  let metadata: Metadata;
  try {
    // Only the header is read here; the size limit is checked below so its message can say "too large".
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new UnreadableImageError(`not an image sharp can read (${describe(error)})`);
  }
  if ((metadata.width ?? 0) * (metadata.height ?? 0) > MAX_PIXELS) {
    throw new UnreadableImageError(
      `the image is too large (${metadata.width} × ${metadata.height} pixels; at most ${Math.floor(MAX_PIXELS / 1e6)} megapixels)`,
    );
  }
  let data = bytes;
  let format: ImageFormat;
  if (metadata.format && KEPT_FORMATS.has(metadata.format)) {
    format = metadata.format as ImageFormat;
  } else {
    try {
      data = await sharp(bytes).png().toBuffer();
    } catch (error) {
      throw new UnreadableImageError(`could not convert ${metadata.format ?? 'the'} image to PNG (${describe(error)})`);
    }
    format = 'png';
    metadata = await sharp(data).metadata();
  }
  // The thumbnail decodes every pixel, which is what catches truncated files:
  // their headers (and so metadata) read fine.
  let thumb: Buffer;
  try {
    thumb = await makeThumbnail(data);
  } catch (error) {
    throw new UnreadableImageError(`the ${format.toUpperCase()} data is truncated or corrupt (${describe(error)})`);
  }
  // Width and height as the image is shown: a JPEG with an EXIF rotation is stored as is.
  const width = metadata.autoOrient?.width ?? metadata.width;
  const height = metadata.autoOrient?.height ?? metadata.height;
  if (!width || !height) throw new UnreadableImageError('the image has no size');
  return {
    ref: {
      hash: createHash('sha256').update(data).digest('hex'),
      format,
      width,
      height,
      bytes: data.length,
      hasAlpha: metadata.hasAlpha === true,
    },
    data,
    thumb,
  };
}

export function makeThumbnail(image: Buffer): Promise<Buffer> {
  return sharp(image)
    .rotate()
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Input (buffer|Buffer) (contains )?/, '').trim() || 'unknown error';
}
