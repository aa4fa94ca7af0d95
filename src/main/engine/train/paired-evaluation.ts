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
 */
import * as tf from '@tensorflow/tfjs';
import type { GanModel } from '../gans/family.js';
import { ssimPlanes, type LumaPlane } from '../upscale/metrics.js';

export interface PairedScores {
  /** Mean |output − target| on [0, 1]. */
  l1: number;
  /** 10·log10(1 / MSE) on [0, 1], dB; images identical to their target count as 100 dB. */
  psnr: number;
  ssim: number;
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
export function scoreRgb(output: RgbImage01, target: RgbImage01): Omit<PairedScores, 'images'> {
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
export async function evaluatePaired(model: GanModel, pairs: AsyncIterable<HeldOutPair>): Promise<PairedScores> {
  const total = { l1: 0, psnr: 0, ssim: 0 };
  let images = 0;
  for await (const pair of pairs) {
    try {
      const output = model.translate(pair.a);
      let scores;
      try {
        scores = scoreRgb(await toUnitRgb(output), await toUnitRgb(pair.b));
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
  return { l1: total.l1 / images, psnr: total.psnr / images, ssim: total.ssim / images, images };
}
