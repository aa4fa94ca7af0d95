/**
 * Types of tfjs's Layer API that '@tensorflow/tfjs' does not re-export,
 * taken from the class itself so no deep import into tfjs-layers is needed.
 */
import * as tf from '@tensorflow/tfjs';

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
export type LayerKwargs = Parameters<tf.layers.Layer['call']>[1];
export type LayerShape = (number | null)[];

/** The single tensor of a layer call (tfjs passes one input either bare or in a list). */
export function singleInput(inputs: tf.Tensor | tf.Tensor[], layerName: string): tf.Tensor {
  const input = Array.isArray(inputs) ? inputs[0] : inputs;
  if (input === undefined || (Array.isArray(inputs) && inputs.length !== 1)) {
    throw new Error(`${layerName} takes exactly one input`);
  }
  return input;
}

export function singleShape(inputShape: LayerShape | LayerShape[], layerName: string): LayerShape {
  const shape = Array.isArray(inputShape[0]) ? (inputShape as LayerShape[])[0] : (inputShape as LayerShape);
  if (shape === undefined || shape.length !== 4) {
    throw new Error(`${layerName} expects images shaped [batch, height, width, channels], got ${JSON.stringify(inputShape)}`);
  }
  return shape;
}
