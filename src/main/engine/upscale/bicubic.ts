import { keysCubic, phaseSource } from '../image/keys-cubic.js';
import type { RawImage } from '../image/index.js';

/**
 * Bicubic upscaling by a whole factor of one plane of floats, with the Keys
 * (a = −0.5, "Catmull-Rom") kernel and pixel-centre alignment, edges clamped.
 * Used for alpha: a mask is flat with hard edges, where the photo-trained
 * network has nothing to add and can only invent texture.
 */
export function bicubicUpscalePlane(plane: Float32Array, width: number, height: number, scale: number): Float32Array {
  const outW = width * scale;
  const outH = height * scale;
  const taps = cubicTaps(scale);
  const horizontal = new Float32Array(outW * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < outW; x++) {
      const base = Math.floor(x / scale);
      const t = taps[x % scale]!;
      let v = 0;
      for (let k = 0; k < 4; k++) v += t.weights[k]! * plane[row + clamp(base + t.offsets[k]!, width)]!;
      horizontal[y * outW + x] = v;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const base = Math.floor(y / scale);
    const t = taps[y % scale]!;
    const rows = t.offsets.map((o) => clamp(base + o, height) * outW);
    for (let x = 0; x < outW; x++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += t.weights[k]! * horizontal[rows[k]! + x]!;
      out[y * outW + x] = v;
    }
  }
  return out;
}

function clamp(i: number, length: number): number {
  return i < 0 ? 0 : i >= length ? length - 1 : i;
}

/** For each output phase p (output index mod scale): the 4 source offsets from floor(out/scale) and their weights. */
function cubicTaps(scale: number): { offsets: number[]; weights: number[] }[] {
  const taps: { offsets: number[]; weights: number[] }[] = [];
  for (let p = 0; p < scale; p++) {
    const source = phaseSource(p, scale); // relative to the source pixel floor(out/scale)
    const left = Math.floor(source);
    const offsets = [left - 1, left, left + 1, left + 2];
    taps.push({ offsets, weights: offsets.map((o) => keysCubic(source - o)) });
  }
  return taps;
}

/** A whole 8-bit image upscaled by `scale` with the plane upscaler above, every channel, rounded and clamped to 0–255. */
export function bicubicUpscaleImage(image: RawImage, scale: number): RawImage {
  const { width, height, channels } = image;
  const outW = width * scale;
  const data = new Uint8Array(outW * height * scale * channels);
  const plane = new Float32Array(width * height);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane.length; p++) plane[p] = image.data[p * channels + c]!;
    const big = bicubicUpscalePlane(plane, width, height, scale);
    for (let p = 0; p < big.length; p++) {
      const v = Math.round(big[p]!);
      data[p * channels + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data, width: outW, height: height * scale, channels };
}
