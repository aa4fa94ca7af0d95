import sharp from 'sharp';
import type { PixelRows } from './pixel-rows.js';
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
  const xs = coverage(image.width, width);
  const ys = coverage(image.height, height);
  const data = new Uint8Array(width * height * image.channels);
  const rowBytes = image.width * image.channels;
  for (let oy = 0; oy < height; oy++) areaRow(ys[oy]!, xs, (sy) => [image.data, sy * rowBytes], image.channels, data, oy * width * image.channels);
  return { data, width, height, channels: image.channels };
}

/**
 * resizeByArea for an image read by rows: the same sums in the same order
 * (so the same bytes), holding a strip of source rows at a time.
 */
export async function shrinkRowsByArea(rows: PixelRows, width: number, height: number, stripBytes = 16 * 2 ** 20): Promise<RawImage> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resize target must be whole positive pixels, got ${width}×${height}`);
  }
  const { channels } = rows;
  const xs = coverage(rows.width, width);
  const ys = coverage(rows.height, height);
  const rowBytes = rows.width * channels;
  const stripRows = Math.max(1, Math.floor(stripBytes / rowBytes));
  let strip: Uint8Array = new Uint8Array(0);
  let stripTop = 0;
  let stripCount = 0;
  const data = new Uint8Array(width * height * channels);
  for (let oy = 0; oy < height; oy++) {
    const span = ys[oy]!;
    const first = span[0]!.index;
    const last = span.at(-1)!.index;
    if (first < stripTop || last >= stripTop + stripCount) {
      stripTop = first;
      stripCount = Math.min(rows.height - first, Math.max(stripRows, last - first + 1));
      strip = await rows.read(stripTop, stripCount);
    }
    const held = strip;
    areaRow(span, xs, (sy) => [held, (sy - stripTop) * rowBytes], channels, data, oy * width * channels);
  }
  return { data, width, height, channels };
}

/** One output row of the area average; `row(sy)` gives the buffer holding source row sy and where it starts. */
function areaRow(
  ys: { index: number; weight: number }[],
  xs: { index: number; weight: number }[][],
  row: (sy: number) => [Uint8Array, number],
  channels: 3 | 4,
  out: Uint8Array,
  outStart: number,
): void {
  // Alpha-weighted, so transparent pixels do not bleed their (meaningless) colour into edges.
  const hasAlpha = channels === 4;
  const sum = new Float64Array(channels);
  const sources = ys.map(({ index }) => row(index));
  for (let ox = 0; ox < xs.length; ox++) {
    sum.fill(0);
    const span = xs[ox]!;
    for (let k = 0; k < ys.length; k++) {
      const wy = ys[k]!.weight;
      const [source, start] = sources[k]!;
      for (let j = 0; j < span.length; j++) {
        const w = span[j]!.weight * wy;
        const p = start + span[j]!.index * channels;
        const alpha = hasAlpha ? source[p + 3]! / 255 : 1;
        for (let c = 0; c < 3; c++) sum[c]! += source[p + c]! * w * alpha;
        if (hasAlpha) sum[3]! += alpha * w;
      }
    }
    const o = outStart + ox * channels;
    const alphaSum = hasAlpha ? sum[3]! : 1;
    for (let c = 0; c < 3; c++) out[o + c] = alphaSum > 0 ? Math.round(sum[c]! / alphaSum) : 0;
    if (hasAlpha) out[o + 3] = Math.round(alphaSum * 255);
  }
}
