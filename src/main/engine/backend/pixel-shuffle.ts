// A trainable pixel shuffle (sub-pixel upsampling, as used by SRGAN's
// upsampling blocks). tf.depthToSpace computes the same thing but has no
// gradient on any backend, so it cannot sit inside a generator we train.
import * as tf from '@tensorflow/tfjs';

/**
 * [b, h, w, c·r·r] → [b, h·r, w·r, c], with TensorFlow's DepthToSpace channel
 * order: input channel (i·r + j)·c + k lands at offset (i, j), channel k.
 * (PyTorch's nn.PixelShuffle orders channels k·r·r + i·r + j instead; weights
 * converted from PyTorch need their channels permuted.)
 */
export function pixelShuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  if (!Number.isInteger(r) || r < 1) throw new Error(`pixelShuffle: the factor must be a positive integer, got ${r}.`);
  const [b, h, w, depth] = x.shape;
  if (depth % (r * r) !== 0) {
    throw new Error(`pixelShuffle: ${depth} channels cannot be shuffled by ${r}; channels must be a multiple of ${r * r}.`);
  }
  const c = depth / (r * r);
  if (r === 1) return x.clone();
  return tf.tidy(() => {
    // Rows first, then columns: two rank-5 transposes, which every backend supports.
    const rowsSplit = x.reshape([b, h, w, r, r * c]).transpose([0, 1, 3, 2, 4]); // [b, h, r, w, r·c]
    return rowsSplit.reshape([b, h * r, w, r, c]).reshape([b, h * r, w * r, c]);
  });
}
