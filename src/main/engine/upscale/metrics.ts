// Image-quality measures as the super-resolution literature reports them:
// on the luma (Y) channel of ITU-R BT.601 YCbCr (16–235 range, as MATLAB's
// rgb2ycbcr), with `scale` pixels cropped from every border — the protocol of
// SRGAN (Ledig et al., 2017, §3.1) and ESRGAN (Wang et al., 2018), and of
// BasicSR's evaluation (`crop_border = scale`, `test_y_channel`).
// SSIM is Wang et al. (2004): 11×11 Gaussian window, σ = 1.5, K1 = 0.01,
// K2 = 0.03, L = 255, averaged over the positions where the window fits.
import type { RawImage } from '../image/index.js';

export interface LumaPlane {
  data: Float64Array;
  width: number;
  height: number;
}

/** BT.601 luma in 16–235 from 8-bit RGB(A) (alpha ignored), with `crop` pixels removed from each border. */
export function lumaBt601(image: RawImage, crop = 0): LumaPlane {
  const width = image.width - 2 * crop;
  const height = image.height - 2 * crop;
  if (width < 1 || height < 1) throw new RangeError(`a ${image.width}×${image.height} image is too small to crop ${crop} px per border`);
  const data = new Float64Array(width * height);
  const ch = image.channels;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = ((y + crop) * image.width + x + crop) * ch;
      data[y * width + x] = 16 + (65.481 * image.data[i]! + 128.553 * image.data[i + 1]! + 24.966 * image.data[i + 2]!) / 255;
    }
  }
  return { data, width, height };
}

function sameSize(a: RawImage, b: RawImage): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`images differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  }
}

/** PSNR in dB on Y (peak 255); Infinity for identical images. */
export function psnrY(result: RawImage, reference: RawImage, crop = 0): number {
  sameSize(result, reference);
  const a = lumaBt601(result, crop);
  const b = lumaBt601(reference, crop);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += (a.data[i]! - b.data[i]!) ** 2;
  const mse = sum / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/**
 * Sum of absolute horizontal and vertical luma differences of neighbouring
 * pixels: how much edge and texture an image holds.
 */
export function gradientEnergyY(image: RawImage, crop = 0): number {
  const y = lumaBt601(image, crop);
  let total = 0;
  for (let r = 0; r < y.height - 1; r++) {
    for (let c = 0; c < y.width - 1; c++) {
      const i = r * y.width + c;
      total += Math.abs(y.data[i + 1]! - y.data[i]!) + Math.abs(y.data[i + y.width]! - y.data[i]!);
    }
  }
  return total;
}

/**
 * Detail of a result against the original: the ratio of their gradient
 * energies (1: as much edge and texture as the original; bicubic and
 * pixel-loss models stay below 1, GAN-trained ones come closer or overshoot).
 * It says how much detail there is, not whether it is the right detail:
 * read it beside PSNR. Infinity is never returned: a flat original counts as 1.
 */
export function detailRatioY(result: RawImage, reference: RawImage, crop = 0): number {
  sameSize(result, reference);
  const original = gradientEnergyY(reference, crop);
  return original === 0 ? 1 : gradientEnergyY(result, crop) / original;
}

function gaussianWindow(size = 11, sigma = 1.5): Float64Array {
  const w = new Float64Array(size);
  const half = (size - 1) / 2;
  let total = 0;
  for (let i = 0; i < size; i++) total += w[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) w[i]! /= total;
  return w;
}

/** Separable 'valid' filtering of a plane with a 1-D window along x then y. */
function filterValid(plane: Float64Array, width: number, height: number, w: Float64Array): Float64Array {
  const k = w.length;
  const outW = width - k + 1;
  const outH = height - k + 1;
  const rows = new Float64Array(outW * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += w[i]! * plane[y * width + x + i]!;
      rows[y * outW + x] = s;
    }
  }
  const out = new Float64Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += w[i]! * rows[(y + i) * outW + x]!;
      out[y * outW + x] = s;
    }
  }
  return out;
}

/** Mean SSIM on Y; 1 for identical images. Needs at least 11×11 pixels after cropping. */
export function ssimY(result: RawImage, reference: RawImage, crop = 0): number {
  sameSize(result, reference);
  const a = lumaBt601(result, crop);
  const b = lumaBt601(reference, crop);
  return ssimPlanes(a, b);
}

export function ssimPlanes(a: LumaPlane, b: LumaPlane): number {
  const { width, height } = a;
  if (width < 11 || height < 11) throw new RangeError(`SSIM needs at least 11×11 pixels, got ${width}×${height}`);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const w = gaussianWindow();
  const n = a.data.length;
  const aa = new Float64Array(n);
  const bb = new Float64Array(n);
  const ab = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    aa[i] = a.data[i]! * a.data[i]!;
    bb[i] = b.data[i]! * b.data[i]!;
    ab[i] = a.data[i]! * b.data[i]!;
  }
  const muA = filterValid(a.data, width, height, w);
  const muB = filterValid(b.data, width, height, w);
  const sAA = filterValid(aa, width, height, w);
  const sBB = filterValid(bb, width, height, w);
  const sAB = filterValid(ab, width, height, w);
  let total = 0;
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i]!;
    const mb = muB[i]!;
    const varA = sAA[i]! - ma * ma;
    const varB = sBB[i]! - mb * mb;
    const cov = sAB[i]! - ma * mb;
    total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (varA + varB + c2));
  }
  return total / muA.length;
}
