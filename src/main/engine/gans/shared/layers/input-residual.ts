/**
 * Adds a generator's output to its own input, inside the tanh:
 * out = tanh(h + atanh(x)), with x the input image in [-1, 1] (clamped just
 * inside it). With h = 0 the network is the identity, so it starts from the
 * input image and learns only what the target style changes, the global
 * residual of VDSR (Kim et al. 2016, section 3.1) applied before the output
 * nonlinearity so results stay in [-1, 1]. For style pairs that share their
 * drawings (flat ↔ shaded emoji) this is most of the work done; the papers'
 * CycleGAN has no such skip, so it is a setting (`inputSkip`), off by default.
 *
 * atanh is written with log and division, kernels every backend has.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerArgs, LayerShape } from './layer-types.js';

/** How far inside ±1 the input is clamped before atanh (the ONNX export uses the same). */
export const INPUT_RESIDUAL_EDGE = 0.999;
const EDGE = INPUT_RESIDUAL_EDGE;

export class InputResidual extends tf.layers.Layer {
  static readonly className = 'GanvasInputResidual';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error('InputResidual takes [network output, input image]');
      const [h, image] = inputs as [tf.Tensor, tf.Tensor];
      const x = tf.clipByValue(image, -EDGE, EDGE);
      const atanh = tf.mul(0.5, tf.log(tf.div(tf.add(1, x), tf.sub(1, x))));
      return tf.tanh(tf.add(h, atanh));
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
  }
}
tf.serialization.registerClass(InputResidual);
