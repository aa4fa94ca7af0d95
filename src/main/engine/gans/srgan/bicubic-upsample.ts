/**
 * Bicubic upscaling by a whole factor as a layer, so the generator can add
 * its output to it (see `imageSkip`). Keys' kernel with a = −0.5
 * (Catmull-Rom), pixel-centre alignment and clamped edges: the same
 * interpolation as `bicubicUpscale` and upscale/bicubic.ts, and as the
 * bicubic baseline SR papers compare against.
 *
 * Separable: per axis, one depthwise convolution whose `scale` output
 * channels are the sub-pixel phases, then the phases are interleaved. Input
 * images have no gradient to receive, so this path costs nothing in training.
 */
import * as tf from '@tensorflow/tfjs';
import { bicubicPhaseTaps } from '../../image/keys-cubic.js';
import { singleInput, singleShape, type LayerArgs, type LayerShape } from '../shared/layers/layer-types.js';

export interface BicubicUpsampleArgs extends LayerArgs {
  scale: number;
}

const PAD = 2;

/** Repeats the edge pixels `PAD` times along `axis` (1 = rows, 2 = columns). */
function clampPad(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  const length = x.shape[axis];
  const first = tf.slice(x, axis === 1 ? [0, 0, 0, 0] : [0, 0, 0, 0], axis === 1 ? [-1, 1, -1, -1] : [-1, -1, 1, -1]);
  const last = tf.slice(x, axis === 1 ? [0, length - 1, 0, 0] : [0, 0, length - 1, 0], axis === 1 ? [-1, 1, -1, -1] : [-1, -1, 1, -1]);
  return tf.concat([first, first, x, last, last], axis);
}

export class BicubicUpsample extends tf.layers.Layer {
  static readonly className = 'GanvasBicubicUpsample';
  readonly scale: number;

  constructor(args: BicubicUpsampleArgs) {
    super(args);
    if (!Number.isInteger(args.scale) || args.scale < 1) throw new Error(`BicubicUpsample scale must be a whole number ≥ 1, got ${args.scale}`);
    this.scale = args.scale;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, 'BicubicUpsample') as tf.Tensor4D;
      const [n, height, width, channels] = x.shape;
      const r = this.scale;
      const taps = bicubicPhaseTaps(r);
      // Depthwise filter [.., channels, r]: output channel c·r + phase.
      const filter = (rows: number, cols: number) =>
        tf.tile(tf.tensor4d(taps[0]!.flatMap((_, k) => taps.map((phase) => phase[k]!)), [rows, cols, 1, r]), [1, 1, channels, 1]);
      const across = tf.depthwiseConv2d(clampPad(x, 2), filter(1, 5) as tf.Tensor4D, 1, 'valid');
      const wide = tf.reshape(tf.transpose(tf.reshape(across, [n, height, width, channels, r]), [0, 1, 2, 4, 3]), [n, height, width * r, channels]);
      const down = tf.depthwiseConv2d(clampPad(wide as tf.Tensor4D, 1), filter(5, 1) as tf.Tensor4D, 1, 'valid');
      return tf.reshape(tf.transpose(tf.reshape(down, [n, height, width * r, channels, r]), [0, 1, 4, 2, 3]), [n, height * r, width * r, channels]);
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const [batch, height, width, channels] = singleShape(inputShape, 'BicubicUpsample');
    return [batch ?? null, height == null ? null : height * this.scale, width == null ? null : width * this.scale, channels ?? null];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }
}

tf.serialization.registerClass(BicubicUpsample);
