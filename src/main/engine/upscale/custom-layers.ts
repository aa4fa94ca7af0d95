// Two layers the "thick" ESRGAN models (the RRDN architecture of idealo's
// image-super-resolution, packaged by UpscalerJS) reference by class name.
// Their meaning, taken from the model configs and UpscalerJS's model docs:
//   MultiplyBeta   — residual scaling: output = input × beta (beta = 0.2 in every config)
//   PixelShuffleNx — sub-pixel upsampling by N, TensorFlow's DepthToSpace (NHWC)
// Only inference runs through them, so tf.depthToSpace (no gradient) is fine.
import * as tf from '@tensorflow/tfjs';

type LayerArgs = ConstructorParameters<typeof tf.layers.Layer>[0] & Record<string, unknown>;

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  const first = Array.isArray(inputs) ? inputs[0] : inputs;
  if (!first) throw new Error('layer called without an input');
  return first;
}

class MultiplyBeta extends tf.layers.Layer {
  static readonly className = 'MultiplyBeta';
  private readonly beta: number;

  constructor(args: LayerArgs) {
    const { beta, ...base } = args;
    super(base);
    this.beta = typeof beta === 'number' ? beta : 0.2;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.mul(single(inputs), this.beta);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), beta: this.beta };
  }
}

function pixelShuffleLayer(factor: number): tf.serialization.SerializableConstructor<tf.layers.Layer> {
  return class PixelShuffle extends tf.layers.Layer {
    static readonly className = `PixelShuffle${factor}x`;

    constructor(args: LayerArgs) {
      const { scale: _scale, ...base } = args;
      super(base);
    }

    override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
      const [batch, h, w, c] = shape;
      const grow = (n: number | null | undefined) => (n == null ? null : n * factor);
      return [batch ?? null, grow(h), grow(w), c == null ? null : c / (factor * factor)];
    }

    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return tf.depthToSpace(single(inputs) as tf.Tensor4D, factor, 'NHWC');
    }

    override getConfig(): tf.serialization.ConfigDict {
      return { ...super.getConfig(), scale: factor };
    }
  };
}

let registered = false;

/** Registers the custom layers once per process (tfjs keeps a global class registry). */
export function registerUpscaleLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(MultiplyBeta);
  for (const factor of [2, 3, 4, 8]) tf.serialization.registerClass(pixelShuffleLayer(factor));
  registered = true;
}
