/**
 * Reflection padding (`tf.mirrorPad` in 'reflect' mode): pads with the image
 * mirrored about its edge pixel, which avoids the dark borders zero padding
 * leaves in generated images (used by the CycleGAN ResNet generator).
 */
import * as tf from '@tensorflow/tfjs';
import { singleInput, singleShape, type LayerArgs, type LayerShape } from './layer-types.js';

/** [[top, bottom], [left, right]] or one number for all four sides. */
export type Padding2D = number | [[number, number], [number, number]];

export interface ReflectionPad2DArgs extends LayerArgs {
  padding: Padding2D;
}

function normalisePadding(padding: Padding2D): [[number, number], [number, number]] {
  const pads: [[number, number], [number, number]] =
    typeof padding === 'number' ? [[padding, padding], [padding, padding]] : padding;
  for (const p of pads.flat()) {
    if (!Number.isInteger(p) || p < 0) throw new Error(`ReflectionPad2D padding must be non-negative integers, got ${JSON.stringify(padding)}`);
  }
  return pads;
}

export class ReflectionPad2D extends tf.layers.Layer {
  static readonly className = 'GanvasReflectionPad2D';
  readonly padding: [[number, number], [number, number]];

  constructor(args: ReflectionPad2DArgs) {
    super(args);
    this.padding = normalisePadding(args.padding);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, 'ReflectionPad2D') as tf.Tensor4D;
      const [[top, bottom], [left, right]] = this.padding;
      // 'reflect' cannot pad by as much as the side length (the edge is not repeated).
      const [, height, width] = x.shape;
      if (Math.max(top, bottom) >= height || Math.max(left, right) >= width) {
        throw new Error(`ReflectionPad2D: padding ${JSON.stringify(this.padding)} is too large for a ${height}×${width} image`);
      }
      return tf.mirrorPad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], 'reflect');
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const [batch, height, width, channels] = singleShape(inputShape, 'ReflectionPad2D');
    const [[top, bottom], [left, right]] = this.padding;
    return [
      batch ?? null,
      height == null ? null : height + top + bottom,
      width == null ? null : width + left + right,
      channels ?? null,
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

tf.serialization.registerClass(ReflectionPad2D);

export function reflectionPad2D(padding: Padding2D, args: LayerArgs = {}): ReflectionPad2D {
  return new ReflectionPad2D({ ...args, padding });
}
