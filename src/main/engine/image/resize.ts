import sharp from 'sharp';
import type { RawImage } from './types.js';

export type ResizeKernel = 'bicubic' | 'nearest' | 'lanczos3' | 'area';

const sharpKernel = { bicubic: 'cubic', nearest: 'nearest', lanczos3: 'lanczos3' } as const;

/**
 * Resizes to exactly `width`×`height` (aspect ratio is not kept: callers decide
 * about cropping). 'area' averages every source pixel by its covered area, like
 * OpenCV's INTER_AREA; libvips has no such kernel, so it is done here.
 */
export async function resizeImage<T extends RawImage>(
  image: T,
  width: number,
  height: number,
  kernel: ResizeKernel,
): Promise<RawImage> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize target must be whole positive pixels, got ${width}×${height}`);
  }
  if (width === image.width && height === image.height) {
    return { data: image.data, width, height, channels: image.channels };
  }
  if (kernel === 'area') return resizeByArea(image, width, height);
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .resize(width, height, { fit: 'fill', kernel: sharpKernel[kernel] })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
    channels: image.channels,
  };
}

/** Per axis: for each output pixel, the source pixels it covers and by how much. */
function coverage(sourceSize: number, targetSize: number): { index: number; weight: number }[][] {
  const step = sourceSize / targetSize;
  const spans: { index: number; weight: number }[][] = [];
  for (let o = 0; o < targetSize; o++) {
    const start = o * step;
    const end = start + step;
    const span: { index: number; weight: number }[] = [];
    for (let s = Math.floor(start); s < Math.min(sourceSize, Math.ceil(end)); s++) {
      const weight = Math.min(end, s + 1) - Math.max(start, s);
      if (weight > 1e-9) span.push({ index: s, weight: weight / step });
    }
    spans.push(span);
  }
  return spans;
}

function resizeByArea(image: RawImage, width: number, height: number): RawImage {
  const { channels } = image;
  const xs = coverage(image.width, width);
  const ys = coverage(image.height, height);
  // Alpha-weighted, so transparent pixels do not bleed their (meaningless) colour into edges.
  const hasAlpha = channels === 4;
  const data = new Uint8Array(width * height * channels);
  const sum = new Float64Array(channels);
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      sum.fill(0);
      for (const { index: sy, weight: wy } of ys[oy]!) {
        for (const { index: sx, weight: wx } of xs[ox]!) {
          const w = wx * wy;
          const p = (sy * image.width + sx) * channels;
          const alpha = hasAlpha ? image.data[p + 3]! / 255 : 1;
          for (let c = 0; c < 3; c++) sum[c]! += image.data[p + c]! * w * alpha;
          if (hasAlpha) sum[3]! += alpha * w;
        }
      }
      const o = (oy * width + ox) * channels;
      const alphaSum = hasAlpha ? sum[3]! : 1;
      for (let c = 0; c < 3; c++) data[o + c] = alphaSum > 0 ? Math.round(sum[c]! / alphaSum) : 0;
      if (hasAlpha) data[o + 3] = Math.round(alphaSum * 255);
    }
  }
  return { data, width, height, channels };
}
