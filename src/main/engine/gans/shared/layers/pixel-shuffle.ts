/**
 * Sub-pixel upsampling (Shi et al. 2016, "Real-Time Single Image and Video
 * Super-Resolution Using an Efficient Sub-Pixel Convolutional Neural Network"),
 * as SRGAN uses it: [N, H, W, C·r²] → [N, H·r, W·r, C].
 *
 * tfjs's `depthToSpace` does the same but has no gradient on any backend, so
 * this is written as reshape → transpose → reshape, which all differentiate.
 * Channel order matches TensorFlow's DepthToSpace (NHWC): output channel c of
 * sub-pixel (i, j) is input channel (i·r + j)·C + c. (PyTorch's PixelShuffle
 * orders them c·r² + i·r + j, so converted PyTorch weights need permuting.)
 */
import * as tf from '@tensorflow/tfjs';
import { singleInput, singleShape, type LayerArgs, type LayerShape } from './layer-types.js';

export interface PixelShuffleArgs extends LayerArgs {
  scale: number;
}

export function pixelShuffle(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, depth] = x.shape;
    const channels = depth / (scale * scale);
    if (!Number.isInteger(channels)) {
      throw new Error(`PixelShuffle ×${scale} needs a channel count divisible by ${scale * scale}, got ${depth}`);
    }
    const split = tf.reshape(x, [batch, height, width, scale, scale, channels]);
    const interleaved = tf.transpose(split, [0, 1, 3, 2, 4, 5]);
    return tf.reshape(interleaved, [batch, height * scale, width * scale, channels]);
  });
}

export class PixelShuffle extends tf.layers.Layer {
  static readonly className = 'GanvasPixelShuffle';
  readonly scale: number;

  constructor(args: PixelShuffleArgs) {
    super(args);
    if (!Number.isInteger(args.scale) || args.scale < 2) throw new Error(`PixelShuffle scale must be an integer ≥ 2, got ${args.scale}`);
    this.scale = args.scale;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return pixelShuffle(singleInput(inputs, 'PixelShuffle') as tf.Tensor4D, this.scale);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const [batch, height, width, depth] = singleShape(inputShape, 'PixelShuffle');
    const r = this.scale;
    if (depth != null && depth % (r * r) !== 0) {
      throw new Error(`PixelShuffle ×${r} needs a channel count divisible by ${r * r}, got ${depth}`);
    }
    return [
      batch ?? null,
      height == null ? null : height * r,
      width == null ? null : width * r,
      depth == null ? null : depth / (r * r),
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }
}

tf.serialization.registerClass(PixelShuffle);
