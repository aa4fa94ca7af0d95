// How a low-resolution training or test image is made from a high-resolution
// one: optionally blurred (a Gaussian, before the downscale), shrunk by
// bicubic, optionally JPEG-compressed (after it). The photos people upscale
// are rarely clean bicubic downscales; training on a share of blurred and
// compressed inputs is the "practical degradation" idea of BSRGAN (Zhang et
// al. 2021, "Designing a Practical Degradation Model for Deep Blind Image
// Super-Resolution") and Real-ESRGAN (Wang et al. 2021, "Training Real-World
// Blind Super-Resolution with Pure Synthetic Data"), reduced to its mildest
// first-order form: one blur, one downscale, one JPEG.
//
// Ranges (our defaults, chosen from those papers):
//   blur σ 0.2–1.0 low-resolution pixels, i.e. 0.8–4 px of the high-resolution
//     image at ×4: Real-ESRGAN's first-order blur draws σ from [0.2, 3] px of the
//     image it blurs at ×4 (its §3.1 and options file); ours is expressed per
//     low-resolution pixel so that it means the same softness at ×2, ×3, ×4.
//   JPEG quality 60–95: the milder end of the [30, 95] both papers use (their
//     inputs are meant to be badly degraded; ours only "as photos usually are").
import sharp from 'sharp';
import type { RawImage } from '../image/index.js';
import { keysCubic } from '../image/keys-cubic.js';
import { Stream, randomAt } from './seeded-random.js';

/** One image's degradation; absent fields: not applied. */
export interface SrDegradation {
  /** Gaussian blur σ in low-resolution pixels (applied to the high-resolution image as σ × scale, before the downscale). */
  blurSigma?: number;
  /** JPEG quality 1–100 of a compression round trip after the downscale. */
  jpegQuality?: number;
}

/** Which share of training samples get which degradation (each drawn independently per sample). */
export interface SrDegradationMix {
  /** Share 0–1 of samples blurred before the downscale (0: none). */
  blurShare: number;
  /** σ range in low-resolution pixels, drawn uniformly. */
  blurSigmaMin: number;
  blurSigmaMax: number;
  /** Share 0–1 of samples JPEG-compressed after the downscale (0: none). */
  jpegShare: number;
  /** Quality range, drawn uniformly among the whole numbers in it. */
  jpegQualityMin: number;
  jpegQualityMax: number;
}

export const defaultDegradationMix: SrDegradationMix = {
  blurShare: 0,
  blurSigmaMin: 0.2,
  blurSigmaMax: 1,
  jpegShare: 0,
  jpegQualityMin: 60,
  jpegQualityMax: 95,
};

/** The most blur the data pipeline accepts, in low-resolution pixels (beyond it nothing is left to recover). */
export const maxBlurSigma = 4;

export class DegradationError extends RangeError {
  override readonly name = 'DegradationError';
}

export function checkDegradationMix(mix: SrDegradationMix): void {
  const { blurShare, blurSigmaMin, blurSigmaMax, jpegShare, jpegQualityMin, jpegQualityMax } = mix;
  for (const [name, share] of [['blurShare', blurShare], ['jpegShare', jpegShare]] as const) {
    if (!(share >= 0 && share <= 1)) throw new DegradationError(`${name} must be a share from 0 to 1, got ${share}`);
  }
  if (!(blurSigmaMin > 0 && blurSigmaMin <= blurSigmaMax && blurSigmaMax <= maxBlurSigma)) {
    throw new DegradationError(`blur σ range must satisfy 0 < min ≤ max ≤ ${maxBlurSigma} (low-resolution pixels), got ${blurSigmaMin}–${blurSigmaMax}`);
  }
  if (!(Number.isInteger(jpegQualityMin) && Number.isInteger(jpegQualityMax) && jpegQualityMin >= 1 && jpegQualityMin <= jpegQualityMax && jpegQualityMax <= 100)) {
    throw new DegradationError(`JPEG quality range must be whole numbers with 1 ≤ min ≤ max ≤ 100, got ${jpegQualityMin}–${jpegQualityMax}`);
  }
}

const mixKeys = Object.keys(defaultDegradationMix) as (keyof SrDegradationMix)[];

/** The degradation keys a family's settings carry (SRGAN's blurShare, jpegQualityMin, …); others are ignored. */
export function degradationMixOf(settings: object): Partial<SrDegradationMix> {
  const mix: Partial<SrDegradationMix> = {};
  for (const key of mixKeys) {
    const value = (settings as Record<string, unknown>)[key];
    if (typeof value === 'number') mix[key] = value;
  }
  return mix;
}

/** True when the mix degrades some samples. */
export function degradesAny(mix: Pick<SrDegradationMix, 'blurShare' | 'jpegShare'>): boolean {
  return mix.blurShare > 0 || mix.jpegShare > 0;
}

/**
 * The degradation of training sample `sample`: a pure function of the seed,
 * the sample and the mix (counter-based draws, see seeded-random.ts), so the
 * same step always gets the same inputs and a resumed run sees what the first
 * run would have.
 */
export function degradationAt(mix: SrDegradationMix, seed: number, sample: number): SrDegradation {
  const degradation: SrDegradation = {};
  if (mix.blurShare > 0 && randomAt(seed, Stream.blurPick, sample) < mix.blurShare) {
    degradation.blurSigma = mix.blurSigmaMin + randomAt(seed, Stream.blurSigma, sample) * (mix.blurSigmaMax - mix.blurSigmaMin);
  }
  if (mix.jpegShare > 0 && randomAt(seed, Stream.jpegPick, sample) < mix.jpegShare) {
    const span = mix.jpegQualityMax - mix.jpegQualityMin + 1;
    degradation.jpegQuality = mix.jpegQualityMin + Math.floor(randomAt(seed, Stream.jpegQuality, sample) * span);
  }
  return degradation;
}

/** A normalised 1-D Gaussian of radius ⌈3σ⌉. */
function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= total;
  return kernel;
}

/** Mirror index without repeating the edge pixel (as the tiler's reflect padding). */
function reflect(i: number, length: number): number {
  if (length === 1) return 0;
  const period = 2 * (length - 1);
  let r = i % period;
  if (r < 0) r += period;
  return r < length ? r : period - r;
}

/** Separable Gaussian blur (σ in pixels of this image), reflected borders, rounded back to 8 bits. */
export function gaussianBlur(image: RawImage, sigma: number): RawImage {
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new DegradationError(`blur σ must be a positive number, got ${sigma}`);
  const { width, height, channels, data } = image;
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) / 2;
  const rows = new Float64Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) sum += kernel[k + radius]! * data[(y * width + reflect(x + k, width)) * channels + c]!;
        rows[(y * width + x) * channels + c] = sum;
      }
    }
  }
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = -radius; k <= radius; k++) sum += kernel[k + radius]! * rows[(reflect(y + k, height) * width + x) * channels + c]!;
        out[(y * width + x) * channels + c] = Math.min(255, Math.max(0, Math.round(sum)));
      }
    }
  }
  return { data: out, width, height, channels };
}

/** A JPEG encode–decode round trip at `quality` (libjpeg via sharp, 4:2:0 chroma as cameras and most encoders write). */
export async function jpegRoundTrip(image: RawImage, quality: number): Promise<RawImage> {
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new DegradationError(`JPEG quality must be a whole number from 1 to 100, got ${quality}`);
  }
  if (image.channels !== 3) throw new DegradationError(`JPEG degradation needs RGB pixels, got ${image.channels} channels`);
  const { width, height } = image;
  const jpeg = await sharp(image.data, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer();
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 3) {
    throw new Error(`JPEG round trip returned ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
  }
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, channels: 3 };
}

/** Mirror index with the edge pixel repeated (MATLAB's 'symmetric' padding, as imresize pads). */
function symmetric(i: number, length: number): number {
  const period = 2 * length;
  let r = i % period;
  if (r < 0) r += period;
  return r < length ? r : period - 1 - r;
}

/** Per output pixel along one axis: the source indices and normalised weights of an antialiased cubic shrink by `factor`. */
function shrinkTaps(length: number, factor: number): { index: Int32Array; weight: Float64Array; taps: number } {
  const out = length / factor;
  const taps = 4 * factor;
  const index = new Int32Array(out * taps);
  const weight = new Float64Array(out * taps);
  for (let o = 0; o < out; o++) {
    // The output pixel's centre in input coordinates; the kernel is stretched by the factor (antialiasing).
    const centre = (o + 0.5) * factor - 0.5;
    const first = Math.floor(centre - 2 * factor) + 1;
    let total = 0;
    for (let k = 0; k < taps; k++) {
      const w = keysCubic((centre - (first + k)) / factor);
      index[o * taps + k] = symmetric(first + k, length);
      weight[o * taps + k] = w;
      total += w;
    }
    for (let k = 0; k < taps; k++) weight[o * taps + k]! /= total;
  }
  return { index, weight, taps };
}

/**
 * Shrinks by a whole factor with the antialiased bicubic of MATLAB's imresize
 * (the kernel the SR benchmarks make their inputs with: SRGAN, Ledig et al.
 * 2017, §3.1; EDSR; BasicSR's matlab_functions), separable, rounded once at
 * the end. Not libvips's: sharp's cubic shrink by 4 brightens every image by
 * about half a level (+0.48 on a smooth test image, +0.08 at ×2), which a
 * network trained on its pairs learns to undo, darkening real photos.
 */
export function bicubicShrink(image: RawImage, factor: number): RawImage {
  if (!Number.isInteger(factor) || factor < 1) throw new DegradationError(`shrink factor must be a whole number ≥ 1, got ${factor}`);
  const { width, height, channels, data } = image;
  if (width % factor !== 0 || height % factor !== 0) {
    throw new DegradationError(`a ${width}×${height} image does not divide by the scale ${factor}`);
  }
  if (factor === 1) return { data: Uint8Array.from(data), width, height, channels };
  const outW = width / factor;
  const outH = height / factor;
  const xs = shrinkTaps(width, factor);
  const ys = shrinkTaps(height, factor);
  const taps = xs.taps;
  const rows = new Float64Array(outW * height * channels);
  for (let y = 0; y < height; y++) {
    for (let o = 0; o < outW; o++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) sum += xs.weight[o * taps + k]! * data[(y * width + xs.index[o * taps + k]!) * channels + c]!;
        rows[(y * outW + o) * channels + c] = sum;
      }
    }
  }
  const out = new Uint8Array(outW * outH * channels);
  for (let o = 0; o < outH; o++) {
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < taps; k++) sum += ys.weight[o * taps + k]! * rows[(ys.index[o * taps + k]! * outW + x) * channels + c]!;
        out[(o * outW + x) * channels + c] = Math.min(255, Math.max(0, Math.round(sum)));
      }
    }
  }
  return { data: out, width: outW, height: outH, channels };
}

/**
 * The low-resolution image of `hr` at `scale`: blurred (σ × scale pixels of
 * `hr`) when asked, shrunk by bicubicShrink, JPEG round-tripped when asked.
 */
export async function makeLowRes(hr: RawImage, scale: number, degradation: SrDegradation = {}): Promise<RawImage> {
  if (!Number.isInteger(scale) || scale < 1) throw new DegradationError(`scale must be a whole number ≥ 1, got ${scale}`);
  if (hr.width % scale !== 0 || hr.height % scale !== 0) {
    throw new DegradationError(`a ${hr.width}×${hr.height} image does not divide by the scale ${scale}`);
  }
  const blurred = degradation.blurSigma !== undefined ? gaussianBlur(hr, degradation.blurSigma * scale) : hr;
  const lr = bicubicShrink(blurred, scale);
  return degradation.jpegQuality !== undefined ? jpegRoundTrip(lr, degradation.jpegQuality) : lr;
}
