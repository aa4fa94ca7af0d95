import * as tf from '@tensorflow/tfjs';
import type { RawImage } from './types.js';

/** RGB image → float32 [height, width, 3] in [-1, 1], the range the generators use (tanh output). */
export function imageToTensor(image: RawImage): tf.Tensor3D {
  if (image.channels !== 3) {
    throw new Error(
      `imageToTensor needs RGB without alpha (got ${image.channels} channels): decode with { flatten: true } first`,
    );
  }
  return tf.tensor3d(bytesToUnitRange(image.data), [image.height, image.width, 3], 'float32');
}

/** Maps 0–255 bytes to [-1, 1] into a new (or the given, at `offset`) Float32Array. */
export function bytesToUnitRange(bytes: Uint8Array, target?: Float32Array, offset = 0): Float32Array {
  const out = target ?? new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[offset + i] = bytes[i]! / 127.5 - 1;
  return out;
}

/** [h, w, 3] or [1, h, w, 3] in [-1, 1] → 8-bit RGB (clamped, rounded). The input is not disposed. */
export async function tensorToImage(
  t: tf.Tensor3D | tf.Tensor4D,
): Promise<{ data: Uint8Array; width: number; height: number; channels: 3 }> {
  const shape = t.rank === 4 ? t.shape.slice(1) : t.shape;
  if ((t.rank === 4 && t.shape[0] !== 1) || shape.length !== 3 || shape[2] !== 3) {
    throw new Error(`tensorToImage needs shape [h, w, 3] or [1, h, w, 3], got [${t.shape.join(', ')}]`);
  }
  const [height, width] = shape as [number, number, number];
  const bytes = tf.tidy(() => t.reshape([height, width, 3]).clipByValue(-1, 1).add(1).mul(127.5).round().toInt());
  try {
    const values = await bytes.data();
    return { data: Uint8Array.from(values), width, height, channels: 3 };
  } finally {
    bytes.dispose();
  }
}
