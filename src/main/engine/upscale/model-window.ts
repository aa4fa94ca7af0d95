import * as tf from '@tensorflow/tfjs';
import { bicubicUpscalePlane } from './bicubic.js';
import type { LoadedUpscaleModel } from './load-model.js';
import type { PixelWindow, UpscaleWindow } from './tiling.js';

/**
 * Runs the network on one RGB window (0–255 in and out, whatever range the
 * network itself uses). Checked against UpscalerJS's own pipeline for these
 * weights (issue 14): it too scales in by 1/255 for a 0–1 model, clips the
 * output to the model's range and multiplies back, with RGB channels in
 * NHWC. Where we differ, on purpose: we round to 8 bits (its Node path
 * truncates, Buffer.from on floats: half a level darker on average), and
 * the tiler reflect-pads the image border (UpscalerJS leaves the border to
 * the convolutions' zero padding).
 */
export async function upscaleRgbWindow(loaded: LoadedUpscaleModel, rgb: Float32Array, width: number, height: number): Promise<Float32Array> {
  const [low, high] = loaded.info.pixelRange;
  const identity = low === 0 && high === 255;
  // v ↦ low + v · (high − low) / 255 and back; the output is clamped to 0–255 (SRGAN's linear tail can overshoot).
  const gain = (high - low) / 255;
  const onnx = loaded.inference.network;
  if (onnx) {
    // The same arithmetic as the tfjs path below: scale to the network's range, forward, back to 0–255, clamp.
    const input = identity ? rgb : rgb.map((v) => low + v * gain);
    const { data } = await onnx.run(input, [1, height, width, 3]);
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = identity ? data[i]! : (data[i]! - low) / gain;
      out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return out;
  }
  const output = tf.tidy(() => {
    let input: tf.Tensor4D = tf.tensor4d(rgb, [1, height, width, 3], 'float32');
    if (!identity) input = input.mul(gain).add(low);
    let result = loaded.model.predict(input) as tf.Tensor4D;
    if (!identity) result = result.sub(low).div(gain);
    return result.clipByValue(0, 255);
  });
  try {
    return (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
}

/**
 * The tile upscaler for images: RGB through the network; alpha (when there is
 * one) through bicubic. Bicubic, not the network on alpha replicated to RGB:
 * masks are flat areas and edges, the photo-trained network would add texture
 * to them, and it would double the time per tile.
 */
export function modelWindowUpscaler(loaded: LoadedUpscaleModel): UpscaleWindow {
  const scale = loaded.info.scale;
  return async (window: PixelWindow) => {
    const { width, height, channels, data } = window;
    if (channels === 3) return upscaleRgbWindow(loaded, data, width, height);
    if (channels !== 4) throw new Error(`cannot upscale ${channels}-channel pixels; expected RGB or RGBA`);
    const pixels = width * height;
    const rgb = new Float32Array(pixels * 3);
    const alpha = new Float32Array(pixels);
    for (let p = 0; p < pixels; p++) {
      rgb[p * 3] = data[p * 4]!;
      rgb[p * 3 + 1] = data[p * 4 + 1]!;
      rgb[p * 3 + 2] = data[p * 4 + 2]!;
      alpha[p] = data[p * 4 + 3]!;
    }
    const bigRgb = await upscaleRgbWindow(loaded, rgb, width, height);
    const bigAlpha = bicubicUpscalePlane(alpha, width, height, scale);
    const out = new Float32Array(bigAlpha.length * 4);
    for (let p = 0; p < bigAlpha.length; p++) {
      out[p * 4] = bigRgb[p * 3]!;
      out[p * 4 + 1] = bigRgb[p * 3 + 1]!;
      out[p * 4 + 2] = bigRgb[p * 3 + 2]!;
      out[p * 4 + 3] = bigAlpha[p]!;
    }
    return out;
  };
}
