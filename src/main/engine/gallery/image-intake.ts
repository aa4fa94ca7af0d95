/**
 * Turns bytes someone hands the gallery into an image we can store: checks
 * that sharp can decode all of it, keeps PNG/JPEG/WebP as they are, converts
 * any other readable format to PNG (an animated GIF keeps its first frame),
 * and makes the thumbnail. An SVG (or SVGZ) is rendered at its own size by
 * the isolated SVG renderer and stored as that PNG: libvips never sees it.
 * Sizes over the pixel limit are refused from the header, before decoding.
 */
import { createHash } from 'node:crypto';
import type { ImageFormat, ImageRef } from '../../../shared/contract.js';
import { formatName, readHeader, uprightSize } from '../image/decode.js';
import { ImageDecodeError, reasonForDecodeFailure } from '../image/image-decode-error.js';
import { maxPixels, tooLargeReason } from '../image/pixel-limit.js';
import sharp, { type Metadata } from '../image/sharp-raster.js';
import { isSvg, renderSvg } from '../image/svg.js';

export const THUMB_MAX_SIDE = 256;

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
  const limit = maxPixels();
  if (isSvg(bytes, '')) return prepared(await renderedSvg(bytes, limit), 'png');
  let metadata: Metadata;
  try {
    metadata = await readHeader(bytes);
  } catch (error) {
    throw new UnreadableImageError(reasonForDecodeFailure(bytes, error));
  }
  const header = uprightSize(metadata);
  if (header.width * header.height > limit) throw new UnreadableImageError(tooLargeReason(header.width, header.height, limit));
  const format = formatName(metadata);
  if (KEPT_FORMATS.has(format)) return prepared(bytes, format as ImageFormat);
  try {
    return prepared(await sharp(bytes, { limitInputPixels: limit }).png().toBuffer(), 'png');
  } catch (error) {
    throw new UnreadableImageError(reasonForDecodeFailure(bytes, error));
  }
}

/** An SVG drawn at its own size, as PNG. */
async function renderedSvg(bytes: Buffer, limit: number): Promise<Buffer> {
  try {
    const image = await renderSvg(bytes, 'image');
    if (image.width * image.height > limit) throw new UnreadableImageError(tooLargeReason(image.width, image.height, limit));
    return await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } }).png().toBuffer();
  } catch (error) {
    if (error instanceof ImageDecodeError) throw new UnreadableImageError(error.reason);
    throw error;
  }
}

async function prepared(data: Buffer, format: ImageFormat): Promise<PreparedImage> {
  // The thumbnail decodes every pixel, which is what catches truncated files:
  // their headers (and so metadata) read fine.
  let thumb: Buffer;
  let metadata: Metadata;
  try {
    thumb = await makeThumbnail(data);
    metadata = await readHeader(data);
  } catch (error) {
    throw new UnreadableImageError(reasonForDecodeFailure(data, error));
  }
  // Width and height as the image is shown: a JPEG with an EXIF rotation is stored as is.
  const { width, height } = uprightSize(metadata);
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
  return sharp(image, { limitInputPixels: maxPixels() })
    .rotate()
    .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}
