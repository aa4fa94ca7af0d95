/** An sRGB colour with 0–255 channels (the same shape sharp takes for backgrounds). */
export interface RGB {
  r: number;
  g: number;
  b: number;
}

/** Interleaved 8-bit pixels, row-major, no padding between rows. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface DecodedImage extends RawImage {
  /** True only when the image has an alpha channel with at least one non-opaque pixel. */
  hasAlpha: boolean;
  /** The container the pixels came from: 'png', 'jpeg', 'webp', 'gif', 'tiff', 'heif' (AVIF), 'svg'. */
  format: string;
}

/** A rectangle in pixels of the upright (EXIF-oriented) image. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

export const WHITE: RGB = { r: 255, g: 255, b: 255 };
