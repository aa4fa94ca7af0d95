import { readFile } from 'node:fs/promises';
import { ImageDecodeError, displayName, reasonForDecodeFailure } from './image-decode-error.js';
import { checkPixelLimit, maxPixels } from './pixel-limit.js';
import sharp, { type Metadata } from './sharp-raster.js';
import { isSvg, renderSvg, svgSize } from './svg.js';
import { WHITE, type DecodedImage, type RawImage, type Region, type RGB } from './types.js';

export interface DecodeOptions {
  /** The name used in error messages; defaults to the file's base name. */
  name?: string;
  /** Blend alpha away: `true` onto white, or onto the given colour. Models always want this. */
  flatten?: boolean | RGB;
  /** Long side in pixels at which an SVG is rendered (default 512). */
  svgSize?: number;
  /** Decode only this rectangle of the upright image (saves memory on large photos). */
  region?: Region;
  /**
   * An RGB image with an embedded ICC profile (Display P3, Adobe RGB…) keeps
   * its stored values instead of being converted to sRGB, so a caller that
   * writes the same profile into its output (the upscaler) loses no gamut.
   * Greyscale and CMYK images are still converted. See `keepsIccProfile`.
   */
  keepIccProfile?: boolean;
}

/**
 * Whether decoding with `keepIccProfile` keeps this image's stored RGB values
 * (and its profile applies to them): 8-bit RGB(A) with a profile. 16-bit
 * images are converted (to 8-bit sRGB) as before: libvips only casts to 8 bits
 * on the way to sRGB, and the large-image path stores its pixels unconverted.
 */
export function keepsIccProfile(meta: Metadata): boolean {
  return meta.icc !== undefined && meta.icc.length > 0 && meta.space === 'srgb' && meta.depth === 'uchar' && (meta.channels === 3 || meta.channels === 4);
}

export const defaultSvgSize = 512;

/**
 * Decodes any supported image to 8-bit sRGB, upright (EXIF orientation applied),
 * first frame only. Greyscale, CMYK, palette and 16-bit inputs all come out as
 * 8-bit RGB(A). An alpha channel that is fully opaque is dropped, so `channels`
 * is 4 only when transparency really exists. Images over the pixel limit
 * (pixel-limit.ts) are refused before any pixel is decoded; SVGs are rendered
 * in the isolated renderer process (svg-renderer.ts).
 */
export async function decodeImage(source: string | Buffer, options: DecodeOptions = {}): Promise<DecodedImage> {
  const name = displayName(source, options.name);
  const bytes = await readSource(source, name);
  let decoded: RawImage & { format: string };
  try {
    decoded = isSvg(bytes, name)
      ? await decodeSvg(bytes, name, options.svgSize ?? defaultSvgSize, options.region)
      : await decodeRaster(bytes, name, options.region, options.keepIccProfile ?? false);
  } catch (error) {
    if (error instanceof ImageDecodeError || error instanceof RangeError) throw error;
    throw new ImageDecodeError(name, reasonForDecodeFailure(bytes, error));
  }
  const image = dropOpaqueAlpha(decoded);
  const flattened = options.flatten ? flattenAlpha(image, options.flatten === true ? WHITE : options.flatten) : image;
  return { ...flattened, hasAlpha: flattened.channels === 4, format: decoded.format };
}

export interface ImageHeader {
  /** Upright size (after EXIF orientation); for SVG the intrinsic size. */
  width: number;
  height: number;
  format: string;
  /** SVG: renders sharply at any size, so "too small" does not apply. */
  scalable: boolean;
}

/** Reads only what is needed to know the size and format; pixel data is not checked. */
export async function probeImage(source: string | Buffer, name?: string): Promise<ImageHeader> {
  const fileName = displayName(source, name);
  const bytes = await readSource(source, fileName);
  try {
    if (isSvg(bytes, fileName)) return { ...(await svgSize(bytes, fileName)), format: 'svg', scalable: true };
    const meta = await readHeader(bytes);
    const upright = uprightSize(meta);
    checkPixelLimit(fileName, upright.width, upright.height);
    return { ...upright, format: formatName(meta), scalable: false };
  } catch (error) {
    if (error instanceof ImageDecodeError || error instanceof RangeError) throw error;
    throw new ImageDecodeError(fileName, reasonForDecodeFailure(bytes, error));
  }
}

async function readSource(source: string | Buffer, name: string): Promise<Buffer> {
  let bytes: Buffer;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw unreadableFile(name, error);
    }
  } else {
    bytes = source;
  }
  if (bytes.length === 0) throw new ImageDecodeError(name, 'the file is empty');
  return bytes;
}

/** Why a file could not even be opened, in the user's words. */
export function unreadableFile(name: string, error: unknown): ImageDecodeError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ImageDecodeError(name, 'the file does not exist');
  if (code === 'EISDIR') return new ImageDecodeError(name, 'this is a folder, not an image file');
  if (code === 'EACCES' || code === 'EPERM') return new ImageDecodeError(name, 'no permission to read the file');
  return new ImageDecodeError(name, `the file cannot be read (${(error as Error).message})`);
}

/** The header only: no pixel is decoded, so no size limit applies yet (callers check it, to say "too large"). */
export function readHeader(input: Buffer | string): Promise<Metadata> {
  return sharp(input, { limitInputPixels: false, pages: 1 }).metadata();
}

export function uprightSize(meta: Metadata): { width: number; height: number } {
  return meta.autoOrient ?? { width: meta.width, height: meta.height };
}

/**
 * The sharp pipeline every raster decode starts from. failOn 'error'
 * tolerates the harmless warnings many cameras' JPEGs carry but still
 * rejects truncation; the pixel limit backs up the header check.
 */
export function rasterPipeline(input: Buffer | string, options: { sequentialRead?: boolean } = {}) {
  return sharp(input, { autoOrient: true, failOn: 'error', pages: 1, limitInputPixels: maxPixels(), ...options });
}

async function decodeRaster(bytes: Buffer, name: string, region: Region | undefined, keepProfile: boolean): Promise<RawImage & { format: string }> {
  const meta = await readHeader(bytes);
  const upright = uprightSize(meta);
  checkPixelLimit(name, upright.width, upright.height);
  const pipeline = rasterPipeline(bytes);
  if (region) {
    checkRegion(region, upright.width, upright.height);
    pipeline.extract(region);
  }
  if (keepProfile && keepsIccProfile(meta)) pipeline.keepIccProfile();
  else pipeline.toColourspace('srgb');
  const { data, info } = await pipeline
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) {
    throw new Error(`unexpected ${info.channels} channels after conversion to sRGB`);
  }
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: info.channels,
    format: formatName(meta),
  };
}

async function decodeSvg(bytes: Buffer, name: string, longSide: number, region?: Region): Promise<RawImage & { format: string }> {
  const rendered = await renderSvg(bytes, name, longSide);
  if (!region) return { ...rendered, format: 'svg' };
  checkRegion(region, rendered.width, rendered.height);
  return { ...cropRaw(rendered, region), format: 'svg' };
}

function checkRegion(region: Region, width: number, height: number): void {
  const { left, top, width: w, height: h } = region;
  if (left < 0 || top < 0 || w < 1 || h < 1 || left + w > width || top + h > height) {
    throw new RangeError(`region ${w}×${h} at (${left}, ${top}) is outside the ${width}×${height} image`);
  }
}

export function formatName(meta: Metadata): string {
  if (meta.format === 'heif' && meta.compression === 'av1') return 'avif';
  return meta.format ?? 'unknown';
}

export function cropRaw(image: RawImage, region: Region): RawImage {
  const { channels } = image;
  const data = new Uint8Array(region.width * region.height * channels);
  const rowBytes = region.width * channels;
  for (let y = 0; y < region.height; y++) {
    const from = ((region.top + y) * image.width + region.left) * channels;
    data.set(image.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { data, width: region.width, height: region.height, channels };
}

function dropOpaqueAlpha(image: RawImage): RawImage {
  if (image.channels === 3) return image;
  const { data } = image;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return image;
  return removeAlpha(image);
}

export function removeAlpha(image: RawImage): RawImage {
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    data[p * 3] = image.data[p * 4]!;
    data[p * 3 + 1] = image.data[p * 4 + 1]!;
    data[p * 3 + 2] = image.data[p * 4 + 2]!;
  }
  return { data, width: image.width, height: image.height, channels: 3 };
}

/** Alpha-blends straight (unpremultiplied) RGBA onto a solid colour. */
export function flattenAlpha(image: RawImage, background: RGB): RawImage {
  if (image.channels === 3) return image;
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * 3);
  const bg = [background.r, background.g, background.b];
  for (let p = 0; p < pixels; p++) {
    const alpha = image.data[p * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) {
      data[p * 3 + c] = Math.round(image.data[p * 4 + c]! * alpha + bg[c]! * (1 - alpha));
    }
  }
  return { data, width: image.width, height: image.height, channels: 3 };
}
