/**
 * Instance normalisation (Ulyanov et al. 2016, "Instance Normalization: The
 * Missing Ingredient for Fast Stylization"): every image in a batch is
 * normalised per channel by its own spatial mean and variance, so results do
 * not depend on what else is in the batch (pix2pix/CycleGAN use it at batch 1).
 * Defaults follow PyTorch's InstanceNorm2d: epsilon 1e-5, no affine parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { singleInput, singleShape, type LayerArgs, type LayerShape } from './layer-types.js';

export interface InstanceNormArgs extends LayerArgs {
  /** Learn a per-channel scale and shift after normalising. */
  affine?: boolean;
  epsilon?: number;
}

export class InstanceNorm extends tf.layers.Layer {
  static readonly className = 'GanvasInstanceNorm';
  readonly affine: boolean;
  readonly epsilon: number;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  constructor(args: InstanceNormArgs = {}) {
    super(args);
    this.affine = args.affine ?? false;
    this.epsilon = args.epsilon ?? 1e-5;
    if (!(this.epsilon > 0)) throw new Error(`InstanceNorm epsilon must be positive, got ${this.epsilon}`);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const channels = singleShape(inputShape, 'InstanceNorm')[3];
    if (channels == null) throw new Error('InstanceNorm needs a known channel count');
    if (this.affine) {
      this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
      this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, 'InstanceNorm');
      const { mean, variance } = tf.moments(x, [1, 2], true);
      const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      if (this.gamma === null || this.beta === null) return normalised;
      return tf.add(tf.mul(normalised, this.gamma.read()), this.beta.read());
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return singleShape(inputShape, 'InstanceNorm');
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), affine: this.affine, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(InstanceNorm);

export function instanceNorm(args: InstanceNormArgs = {}): InstanceNorm {
  return new InstanceNorm(args);
}
