/**
 * How close a paired (pix2pix-style) model's outputs are to held-out targets:
 * mean absolute error, PSNR and SSIM on RGB in [0, 1], averaged over images.
 *
 * SSIM is Wang et al. 2004 ("Image Quality Assessment: From Error Visibility
 * to Structural Similarity"): 11×11 Gaussian window, σ = 1.5, C1 = (0.01·L)²,
 * C2 = (0.03·L)², mean over the positions where the window fits, here per RGB
 * channel and then averaged. The window arithmetic is the one in
 * upscale/metrics.ts (`ssimPlanes`, written for L = 255), fed each channel on
 * a 0–255 scale, which gives exactly SSIM with L = 1 on [0, 1].
 *
 * Per-pixel scores reward the safe average colour, which is what L1 alone
 * learns, so the report also gives colourfulness (Hasler & Süsstrunk 2003,
 * "Measuring colourfulness in natural images", metric M3 on 0–255 RGB:
 * σ_rgyb + 0.3·μ_rgyb with rg = R − G and yb = (R + G)/2 − B) of the outputs
 * next to that of the targets: how vivid the colours are, whatever their hue.
 * Their table 2 calibrates it: about 15 "slightly", 33 "moderately", 45
 * "averagely", 59 "quite", 82 "highly" colourful.
 */
import * as tf from '@tensorflow/tfjs';
import type { InferenceModel } from '../gans/family.js';
import { ssimPlanes, type LumaPlane } from '../upscale/metrics.js';

export interface PairedScores {
  /** Mean |output − target| on [0, 1]. */
  l1: number;
  /** 10·log10(1 / MSE) on [0, 1], dB; images identical to their target count as 100 dB. */
  psnr: number;
  ssim: number;
  /** Mean colourfulness (Hasler & Süsstrunk M3) of the outputs. */
  colourfulness: number;
  /** Mean colourfulness of the targets, the value a faithful model would match. */
  targetColourfulness: number;
  images: number;
}

/** A held-out pair: [1, h, w, 3] in [-1, 1], as the paired reader gives it. */
export interface HeldOutPair {
  a: tf.Tensor4D;
  b: tf.Tensor4D;
}

export interface RgbImage01 {
  data: Float32Array;
  width: number;
  height: number;
}

const IDENTICAL_PSNR = 100;

function channelPlane(image: RgbImage01, channel: number): LumaPlane {
  const data = new Float64Array(image.width * image.height);
  for (let i = 0; i < data.length; i++) data[i] = image.data[i * 3 + channel]! * 255;
  return { data, width: image.width, height: image.height };
}

/** L1, PSNR and SSIM of one RGB image against its target, both in [0, 1]. */
export function scoreRgb(output: RgbImage01, target: RgbImage01): Pick<PairedScores, 'l1' | 'psnr' | 'ssim'> {
  if (output.width !== target.width || output.height !== target.height) {
    throw new RangeError(`output ${output.width}×${output.height} and target ${target.width}×${target.height} differ in size`);
  }
  let abs = 0;
  let squared = 0;
  for (let i = 0; i < output.data.length; i++) {
    const d = output.data[i]! - target.data[i]!;
    abs += Math.abs(d);
    squared += d * d;
  }
  const mse = squared / output.data.length;
  let ssim = 0;
  for (let c = 0; c < 3; c++) ssim += ssimPlanes(channelPlane(output, c), channelPlane(target, c));
  return { l1: abs / output.data.length, psnr: mse === 0 ? IDENTICAL_PSNR : 10 * Math.log10(1 / mse), ssim: ssim / 3 };
}

/** Hasler & Süsstrunk's colourfulness M3 of an RGB image in [0, 1], on their 0–255 scale. */
export function colourfulness(image: RgbImage01): number {
  const pixels = image.width * image.height;
  if (pixels === 0) return 0;
  let sumRg = 0;
  let sumYb = 0;
  let sumRg2 = 0;
  let sumYb2 = 0;
  for (let i = 0; i < pixels; i++) {
    const r = image.data[i * 3]! * 255;
    const g = image.data[i * 3 + 1]! * 255;
    const b = image.data[i * 3 + 2]! * 255;
    const rg = r - g;
    const yb = (r + g) / 2 - b;
    sumRg += rg;
    sumYb += yb;
    sumRg2 += rg * rg;
    sumYb2 += yb * yb;
  }
  const meanRg = sumRg / pixels;
  const meanYb = sumYb / pixels;
  const varRg = Math.max(0, sumRg2 / pixels - meanRg * meanRg);
  const varYb = Math.max(0, sumYb2 / pixels - meanYb * meanYb);
  return Math.sqrt(varRg + varYb) + 0.3 * Math.sqrt(meanRg * meanRg + meanYb * meanYb);
}

async function toUnitRgb(tensor: tf.Tensor4D): Promise<RgbImage01> {
  const [, height, width] = tensor.shape;
  const unit = tf.tidy(() => tensor.add(1).div(2).clipByValue(0, 1));
  const data = (await unit.data()) as Float32Array;
  unit.dispose();
  return { data, width, height };
}

/**
 * Translates every held-out input with `model` and scores it against its
 * target. `pairs` yields each pair once; this disposes them.
 */
export async function evaluatePaired(model: InferenceModel, pairs: AsyncIterable<HeldOutPair>): Promise<PairedScores> {
  const total = { l1: 0, psnr: 0, ssim: 0, colourfulness: 0, targetColourfulness: 0 };
  let images = 0;
  for await (const pair of pairs) {
    try {
      const output = model.translate(pair.a);
      let scores;
      try {
        const [translated, target] = [await toUnitRgb(output), await toUnitRgb(pair.b)];
        scores = scoreRgb(translated, target);
        total.colourfulness += colourfulness(translated);
        total.targetColourfulness += colourfulness(target);
      } finally {
        output.dispose();
      }
      total.l1 += scores.l1;
      total.psnr += scores.psnr;
      total.ssim += scores.ssim;
      images += 1;
    } finally {
      pair.a.dispose();
      pair.b.dispose();
    }
  }
  if (images === 0) throw new Error('there are no held-out pairs to evaluate on');
  return {
    l1: total.l1 / images,
    psnr: total.psnr / images,
    ssim: total.ssim / images,
    colourfulness: total.colourfulness / images,
    targetColourfulness: total.targetColourfulness / images,
    images,
  };
}
