// Upscales an image of any size tile by tile, without seams and without ever
// holding the full image (or the full output) as one tensor.
//
// Each tile is a window of the input that reaches `context` pixels beyond the
// part it is trusted for (its "useful" span): near a window's edge the network
// sees zero padding instead of the image, so those outputs are dropped. When
// `context` ≥ the model's receptive-field radius the useful part is exactly
// what an untiled pass would produce. Neighbouring useful spans overlap by
// `feather` pixels and are blended with complementary linear ramps, which hides
// what little difference is left (for models whose receptive field is larger
// than the context). The image border is reflect-padded, so edge tiles get
// context too, and gets no ramp.
//
// Tiles run in horizontal bands; output rows are finished, converted to bytes
// and handed to `onRows` as soon as no later band touches them, so memory is
// one band of float accumulators, whatever the image height. The input is
// read a band of rows at a time too (a PixelRows, which for large files is
// read from disk), and a band is made lower for wide images, so that its
// accumulators stay within `maxBandBytes` whatever the image width: memory
// is flat in both directions, at the cost of more context per tile on very
// wide images. The blend weights of a pixel are the product of its column's
// and its row's ramps, so they are summed per axis, not per pixel.
import { rowsOfImage, type PixelRows, type RawImage } from '../image/index.js';

export interface TileLayout {
  /** Window side in input pixels (what the network sees), context included. */
  tile: number;
  /** Input pixels of context on each side of a tile's useful part. */
  context: number;
  /** Input pixels over which neighbouring tiles are cross-faded. */
  feather: number;
}

/** One window along one axis, in input-image coordinates. */
export interface AxisSpan {
  /** First input pixel of the window (negative or past the end: reflect-padded). */
  windowStart: number;
  windowSize: number;
  /** The useful part, [useStart, useEnd), always inside the image. */
  useStart: number;
  useEnd: number;
  /** Ramp widths at each end of the useful part (0 at the image border). */
  rampBefore: number;
  rampAfter: number;
}

/** A block of pixels, interleaved channels, row-major. */
export interface PixelWindow {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** Upscales one window by `scale`; values 0–255; must return (h·scale)×(w·scale)×channels. */
export type UpscaleWindow = (window: PixelWindow) => Promise<Float32Array>;

export interface TiledUpscaleOptions {
  scale: number;
  layout: TileLayout;
  /** Receives finished output rows in order: `count` rows starting at `firstRow`, 8-bit, the image's channels. */
  onRows: (rows: Uint8Array, firstRow: number, count: number) => void | Promise<void>;
  onTile?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Most bytes of float accumulators for one band (default 64 MB); wide images get lower bands. */
  maxBandBytes?: number;
}

export const defaultMaxBandBytes = 64 * 2 ** 20;

export function checkLayout(layout: TileLayout): void {
  const { tile, context, feather } = layout;
  for (const [name, value] of Object.entries(layout)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`tile ${name} must be a whole number ≥ 0, got ${value}`);
  }
  const useful = tile - 2 * context;
  if (useful < 2 * feather + 1) {
    throw new RangeError(
      `tile ${tile} is too small for ${context} px of context and a ${feather} px blend on each side; use a tile of at least ${2 * context + 2 * feather + 1}`,
    );
  }
}

/** The windows covering [0, length) along one axis. */
export function planAxis(length: number, layout: TileLayout): AxisSpan[] {
  checkLayout(layout);
  const { tile, context, feather } = layout;
  const useful = tile - 2 * context;
  if (length <= useful) {
    return [{ windowStart: -context, windowSize: length + 2 * context, useStart: 0, useEnd: length, rampBefore: 0, rampAfter: 0 }];
  }
  const stride = useful - feather;
  const count = Math.ceil((length - useful) / stride) + 1;
  const spans: AxisSpan[] = [];
  for (let k = 0; k < count; k++) {
    const useStart = Math.min(k * stride, length - useful);
    spans.push({
      windowStart: useStart - context,
      windowSize: tile,
      useStart,
      useEnd: useStart + useful,
      rampBefore: k > 0 ? feather : 0,
      rampAfter: k < count - 1 ? feather : 0,
    });
  }
  return spans;
}

/** Reflects an out-of-range index back into [0, length) (like numpy's 'reflect': the edge pixel is not repeated). */
export function reflectIndex(i: number, length: number): number {
  if (length === 1) return 0;
  const period = 2 * (length - 1);
  let r = i % period;
  if (r < 0) r += period;
  return r < length ? r : period - r;
}

/** Blend weights of a span's useful part, per output pixel (scale × longer). */
function spanWeights(span: AxisSpan, scale: number): Float32Array {
  const n = (span.useEnd - span.useStart) * scale;
  const weights = new Float32Array(n).fill(1);
  const before = span.rampBefore * scale;
  const after = span.rampAfter * scale;
  for (let d = 0; d < before; d++) weights[d] = (d + 0.5) / before;
  for (let d = 0; d < after; d++) weights[n - 1 - d] = Math.min(weights[n - 1 - d]!, (d + 0.5) / after);
  return weights;
}

/** Copies a window (reflect-padded where it leaves the image) into floats. */
export function readWindow(image: RawImage, xSpan: AxisSpan, ySpan: AxisSpan): PixelWindow {
  return windowFromRows({ data: image.data, top: 0 }, image.width, image.height, image.channels, xSpan, ySpan);
}

/** As readWindow, from `rows` holding the image's rows from `top` on (all the window's rows, reflected). */
function windowFromRows(rows: { data: Uint8Array; top: number }, imageWidth: number, imageHeight: number, channels: number, xSpan: AxisSpan, ySpan: AxisSpan): PixelWindow {
  const width = xSpan.windowSize;
  const height = ySpan.windowSize;
  const data = new Float32Array(width * height * channels);
  const sourceX = new Int32Array(width);
  for (let x = 0; x < width; x++) sourceX[x] = reflectIndex(xSpan.windowStart + x, imageWidth) * channels;
  for (let y = 0; y < height; y++) {
    const rowStart = (reflectIndex(ySpan.windowStart + y, imageHeight) - rows.top) * imageWidth * channels;
    let o = y * width * channels;
    for (let x = 0; x < width; x++) {
      const from = rowStart + sourceX[x]!;
      for (let c = 0; c < channels; c++) data[o++] = rows.data[from + c]!;
    }
  }
  return { data, width, height, channels };
}

/** The image rows a band's windows read (reflection included): [first, last]. */
function bandRows(band: AxisSpan, height: number): { first: number; last: number } {
  let first = height;
  let last = -1;
  for (let y = 0; y < band.windowSize; y++) {
    const row = reflectIndex(band.windowStart + y, height);
    if (row < first) first = row;
    if (row > last) last = row;
  }
  return { first, last };
}

export interface TilePlan {
  columns: AxisSpan[];
  bands: AxisSpan[];
}

/**
 * Columns as the layout says; bands as high as the layout's tile unless one
 * band of accumulators (output width × channels floats per output row) would
 * pass `maxBandBytes`, then lower, down to a useful height of 16 rows.
 */
export function planTiles(
  width: number,
  height: number,
  layout: TileLayout,
  output: { scale: number; channels: number; maxBandBytes?: number } = { scale: 1, channels: 3, maxBandBytes: Infinity },
): TilePlan {
  const columns = planAxis(width, layout);
  const useful = layout.tile - 2 * layout.context;
  const bytesPerUsefulRow = width * output.scale * output.channels * 4 * output.scale;
  const fitting = Math.floor((output.maxBandBytes ?? defaultMaxBandBytes) / bytesPerUsefulRow);
  const rows = Math.min(useful, Math.max(2 * layout.feather + 1, 16, fitting));
  const bands = planAxis(height, { ...layout, tile: rows + 2 * layout.context });
  return { columns, bands };
}

/** Tiles of the plan; without `output`, of square tiles (the plan for images whose bands fit the budget). */
export function countTiles(width: number, height: number, layout: TileLayout, output?: Parameters<typeof planTiles>[3]): number {
  const { columns, bands } = planTiles(width, height, layout, output);
  return columns.length * bands.length;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('the upscale was cancelled');
  error.name = 'AbortError';
  return error;
}

/**
 * Upscales `image` window by window (see the top of this file). Output is
 * (width·scale)×(height·scale) with the image's channels, delivered to
 * `onRows` top to bottom.
 */
export async function upscaleTiled(image: RawImage | PixelRows, upscaleWindow: UpscaleWindow, options: TiledUpscaleOptions): Promise<void> {
  const { scale, layout, onRows, onTile, signal } = options;
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a whole number ≥ 1, got ${scale}`);
  const source = 'read' in image ? image : rowsOfImage(image);
  const { channels, width, height } = source;
  const { columns, bands } = planTiles(width, height, layout, { scale, channels, maxBandBytes: options.maxBandBytes ?? defaultMaxBandBytes });
  const columnWeights = columns.map((span) => spanWeights(span, scale));
  const outWidth = width * scale;
  const total = columns.length * bands.length;

  // A pixel's blend weight is its column ramp times its row ramp, so the weights sum per axis.
  const columnTotals = new Float32Array(outWidth);
  columns.forEach((column, c) => {
    const weights = columnWeights[c]!;
    for (let x = 0; x < weights.length; x++) columnTotals[column.useStart * scale + x]! += weights[x]!;
  });

  // One band of accumulators: the useful height of a band is the most that is ever unfinished.
  const capacity = Math.max(...bands.map((b) => b.useEnd - b.useStart)) * scale;
  const sums = new Float32Array(capacity * outWidth * channels);
  const rowTotals = new Float32Array(capacity);
  let accStart = 0; // output row held at accumulator row 0
  let done = 0;

  for (let b = 0; b < bands.length; b++) {
    const band = bands[b]!;
    const rowWeights = spanWeights(band, scale);
    for (let y = 0; y < rowWeights.length; y++) rowTotals[band.useStart * scale + y - accStart]! += rowWeights[y]!;
    const { first, last } = bandRows(band, height);
    const rows = { data: await source.read(first, last - first + 1), top: first };
    for (let c = 0; c < columns.length; c++) {
      if (signal?.aborted) throw abortError(signal);
      const column = columns[c]!;
      const window = windowFromRows(rows, width, height, channels, column, band);
      const upscaled = await upscaleWindow(window);
      const expected = window.width * scale * window.height * scale * channels;
      if (upscaled.length !== expected) {
        throw new Error(`the tile upscaler returned ${upscaled.length} values, expected ${expected}`);
      }
      const outWindowWidth = window.width * scale;
      const offX = (column.useStart - column.windowStart) * scale;
      const offY = (band.useStart - band.windowStart) * scale;
      const useWidth = (column.useEnd - column.useStart) * scale;
      const useHeight = (band.useEnd - band.useStart) * scale;
      const xWeights = columnWeights[c]!;
      for (let y = 0; y < useHeight; y++) {
        const accRow = band.useStart * scale + y - accStart;
        const wy = rowWeights[y]!;
        let from = ((offY + y) * outWindowWidth + offX) * channels;
        let to = (accRow * outWidth + column.useStart * scale) * channels;
        for (let x = 0; x < useWidth; x++) {
          const w = wy * xWeights[x]!;
          for (let ch = 0; ch < channels; ch++) {
            const v = upscaled[from++]!;
            // Clamp before blending: the networks overshoot (−46…300 seen) and the overshoot must not bleed into neighbours.
            sums[to++]! += w * (v < 0 ? 0 : v > 255 ? 255 : v);
          }
        }
      }
      onTile?.(++done, total);
    }
    // Rows before the next band's useful start are final.
    const finishedUntil = b + 1 < bands.length ? bands[b + 1]!.useStart * scale : height * scale;
    const count = finishedUntil - accStart;
    if (count > 0) {
      const out = new Uint8Array(count * outWidth * channels);
      for (let r = 0; r < count; r++) {
        const rowTotal = rowTotals[r]!;
        for (let x = 0; x < outWidth; x++) {
          const w = rowTotal * columnTotals[x]!;
          const p = (r * outWidth + x) * channels;
          // A weighted mean of clamped values: already 0–255; w > 0 everywhere by construction.
          for (let ch = 0; ch < channels; ch++) out[p + ch] = Math.round(sums[p + ch]! / w);
        }
      }
      await onRows(out, accStart, count);
      // Keep the unfinished rows at the top; clear the rest for the next band.
      sums.copyWithin(0, count * outWidth * channels);
      rowTotals.copyWithin(0, count);
      const kept = band.useEnd * scale - finishedUntil;
      sums.fill(0, Math.max(0, kept) * outWidth * channels);
      rowTotals.fill(0, Math.max(0, kept));
      accStart = finishedUntil;
    }
  }
}
