/**
 * Floating-point operations of a network, so measured speed can be read as
 * a fraction of what the machine can do rather than as a bare time.
 *
 * Counts multiply-adds as 2 FLOPs in convolutions, transposed convolutions
 * and dense layers, which dominate every GAN here; normalisation and
 * activations are elementwise and left out (a few % at most).
 * A training step is taken as 3× the forward pass: the backward pass of a
 * convolution costs one pass for the input gradient and one for the weight
 * gradient (the usual estimate, e.g. Kaplan et al. 2020, "Scaling Laws", §2.1).
 *
 * Our networks are fully convolutional (inputs shaped [null, null, C]), so a
 * layer's recorded shapes carry no sizes. The sizes are worked out here by
 * walking the graph in build order from a given input shape, asking each
 * layer for its `computeOutputShape`.
 */
import type * as tf from '@tensorflow/tfjs';

type Shape = (number | null)[];

function isShapeList(shape: Shape | Shape[]): shape is Shape[] {
  return Array.isArray(shape[0]);
}

function single(shape: Shape | Shape[]): Shape {
  return isShapeList(shape) ? shape[0]! : shape;
}

function product(values: Shape): number {
  return values.reduce<number>((acc, v) => {
    if (v === null) throw new Error('FLOPs need fixed sizes: give the input shape');
    return acc * v;
  }, 1);
}

/**
 * Input and output shape of every layer (by name) for one input shape,
 * e.g. [1, 64, 64, 3]. Only single-input models are supported.
 */
export function layerShapes(model: tf.LayersModel, inputShape: number[]): Map<string, { input: Shape[]; output: Shape[] }> {
  if (model.inputs.length !== 1) throw new Error(`FLOPs: ${model.name} has ${model.inputs.length} inputs; only single-input networks are counted`);
  const shapes = new Map<string, { input: Shape[]; output: Shape[] }>();
  for (const layer of model.layers) {
    // The node that belongs to this model is the one built with it: the first.
    const node = layer.inboundNodes[0];
    if (!node) throw new Error(`FLOPs: layer ${layer.name} is not connected`);
    if (node.inboundLayers.length === 0) {
      shapes.set(layer.name, { input: [inputShape], output: [inputShape] });
      continue;
    }
    const inputs = node.inboundLayers.map((inbound, i) => {
      const known = shapes.get(inbound.name);
      const shape = known?.output[node.tensorIndices[i] ?? 0];
      if (!shape) throw new Error(`FLOPs: ${inbound.name} feeds ${layer.name} but was not visited first`);
      return shape;
    });
    const output = layer.computeOutputShape(inputs.length === 1 ? inputs[0]! : inputs) as Shape | Shape[];
    shapes.set(layer.name, { input: inputs, output: isShapeList(output) ? output : [output] });
  }
  return shapes;
}

/** FLOPs of one forward pass for one example, at the given input height, width and channels. */
export function forwardFlops(model: tf.LayersModel, inputShape: [number, number, number]): number {
  const shapes = layerShapes(model, [1, ...inputShape]);
  let total = 0;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className !== 'Conv2D' && className !== 'Conv2DTranspose' && className !== 'Dense') continue;
    const kernel = layer.getWeights()[0];
    if (!kernel) continue;
    const macsPerPosition = product(kernel.shape); // kh·kw·Cin·Cout (or in·out)
    const { input, output } = shapes.get(layer.name)!;
    // Where the kernel is applied: each output pixel of a conv, each input pixel of a transposed conv,
    // each input row of a dense layer (all but the last axis).
    const positions =
      className === 'Conv2D'
        ? product(single(output).slice(1, -1))
        : product(single(input[0]!).slice(1, -1));
    total += 2 * macsPerPosition * positions;
  }
  return total;
}

/** FLOPs of a training step (forward + backward) of one example. */
export function trainingStepFlops(model: tf.LayersModel, inputShape: [number, number, number]): number {
  return 3 * forwardFlops(model, inputShape);
}
