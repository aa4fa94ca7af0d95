/**
 * Writes a tfjs LayersModel as an ONNX graph, from the model's own layer
 * graph and weights: there is no tfjs → ONNX converter in JavaScript, and our
 * networks are built from a small, known set of layers (gans/shared/layers,
 * the families' networks, the UpscalerJS ESRGAN models), each of which maps
 * onto a few ONNX operators (onnx/docs/Operators.md, opset 17).
 *
 * Layout: tfjs works in NHWC, ONNX's convolutions in NCHW. The graph takes
 * and returns NHWC (so callers hand it the same buffers as tfjs) and
 * transposes once at each end; everything between is NCHW. Kernels are
 * permuted while writing: Conv2D [kh, kw, in, out] → [out, in, kh, kw];
 * Conv2DTranspose [kh, kw, out, in] → [in, out, kh, kw] (ONNX ConvTranspose
 * wants [C_in, C_out, kh, kw]).
 *
 * Height and width stay symbolic, so one export serves any image size the
 * network accepts. Only inference is exported: dropout is the identity and
 * batch norm uses its running averages, as tfjs does with training false.
 * A layer the exporter does not know fails the export with its class name,
 * and callers keep the tfjs path (onnx/network.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { INPUT_RESIDUAL_EDGE } from '../gans/shared/layers/input-residual.js';
import { bicubicPhaseTaps } from '../image/keys-cubic.js';
import { OnnxGraph, type Attribute } from './onnx-graph.js';

export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

export interface ExportedOnnxModel {
  /** The ONNX file. */
  bytes: Uint8Array;
  inputNames: string[];
  outputNames: string[];
  /** ONNX operators in the graph, sorted (for tests and logs). */
  ops: string[];
}

type Layer = tf.layers.Layer;
type Config = tf.serialization.ConfigDict;
type SymbolicTensor = tf.SymbolicTensor;

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1] as const;

function weightOf(layer: Layer, suffix: string): { shape: number[]; values: Float32Array } | undefined {
  const variable = layer.weights.find((w) => w.originalName.split('/').pop() === suffix);
  if (!variable) return undefined;
  const value = variable.read();
  return { shape: value.shape, values: value.dataSync() as Float32Array };
}

function requireWeight(layer: Layer, suffix: string): { shape: number[]; values: Float32Array } {
  const weight = weightOf(layer, suffix);
  if (!weight) throw new OnnxExportError(`layer ${layer.name} (${layer.getClassName()}) has no '${suffix}' weight`);
  return weight;
}

/** [kh, kw, a, b] → [b, a, kh, kw]: Conv2D and Conv2DTranspose kernels both move this way. */
function kernelToOnnx(shape: number[], values: Float32Array): { dims: number[]; values: Float32Array } {
  const [kh, kw, a, b] = shape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < a; i++) {
        for (let o = 0; o < b; o++) out[((o * a + i) * kh + y) * kw + x] = values[((y * kw + x) * a + i) * b + o]!;
      }
    }
  }
  return { dims: [b, a, kh, kw], values: out };
}

function pair(value: unknown, what: string, layer: Layer): [number, number] {
  const v = Array.isArray(value) ? value : [value, value];
  if (v.length !== 2 || !v.every((n) => Number.isInteger(n))) throw new OnnxExportError(`layer ${layer.name}: ${what} ${JSON.stringify(value)} is not two whole numbers`);
  return v as [number, number];
}

function checkChannelsLast(layer: Layer, config: Config): void {
  const format = config['dataFormat'];
  if (format !== undefined && format !== 'channelsLast') throw new OnnxExportError(`layer ${layer.name}: data format ${String(format)} is not exported (channelsLast only)`);
}

function activation(g: OnnxGraph, kind: unknown, x: string, base: string, layer: Layer): string {
  switch (kind ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return g.node('Relu', [x], `${base}_relu`);
    case 'tanh':
      return g.node('Tanh', [x], `${base}_tanh`);
    case 'sigmoid':
      return g.node('Sigmoid', [x], `${base}_sigmoid`);
    default:
      throw new OnnxExportError(`layer ${layer.name}: activation '${String(kind)}' is not exported`);
  }
}

function channelsOf(tensor: SymbolicTensor, layer: Layer): number {
  const channels = tensor.shape[3];
  if (channels == null) throw new OnnxExportError(`layer ${layer.name} needs a known channel count`);
  return channels;
}

/** Nearest upsampling by r that feeds one convolution: fused into it (see below) when it can be. */
function fusableUpsampleFactor(layer: Layer): number | null {
  if (layer.getClassName() !== 'UpSampling2D') return null;
  const config = layer.getConfig();
  const size = config['size'];
  const [sh, sw] = Array.isArray(size) ? size : [size, size];
  if ((config['interpolation'] ?? 'nearest') !== 'nearest' || sh !== sw || !Number.isInteger(sh) || (sh as number) < 2) return null;
  if (config['dataFormat'] !== undefined && config['dataFormat'] !== 'channelsLast') return null;
  return sh as number;
}

function fusableConv(layer: Layer): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const config = layer.getConfig();
  const kernel = config['kernelSize'];
  const [kh, kw] = Array.isArray(kernel) ? kernel : [kernel, kernel];
  const strides = config['strides'];
  const dilation = config['dilationRate'] ?? 1;
  const ones = (v: unknown) => (Array.isArray(v) ? v : [v, v]).every((n) => n === 1);
  return kh === kw && (kh as number) % 2 === 1 && ones(strides) && ones(dilation) && config['padding'] === 'same' && (config['dataFormat'] === undefined || config['dataFormat'] === 'channelsLast');
}

/**
 * Nearest ×r upsampling then a k×k 'same' convolution, written as one convolution at the low
 * resolution with r² phase outputs per channel, then DepthToSpace: every high-resolution pixel of
 * phase (i, j) sees low-resolution pixels at offsets a = ⌊(i + d)/r⌋ for its kernel offsets d, so
 * phase (i, j)'s low-resolution kernel is the sum of the original taps that land on each a (the
 * sub-pixel view of Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an
 * Efficient Sub-Pixel Convolutional Neural Network", section 2.2). Zero padding agrees at the
 * borders, so the result is the same; ESRGAN-slim's last layer (48 → 3 at the output size) costs
 * about an eighth of the FLOPs this way, and the upsampled map is never built.
 */
function exportUpsampledConv(g: OnnxGraph, layer: Layer, x: string, r: number): string {
  const config = layer.getConfig();
  const base = layer.name;
  const kernel = requireWeight(layer, 'kernel');
  const [k, , cin, cout] = kernel.shape as [number, number, number, number];
  const p = (k - 1) / 2;
  const phaseOffset = (phase: number, d: number) => Math.floor((phase + d) / r);
  const reach = Math.max(-phaseOffset(0, -p), phaseOffset(r - 1, p));
  const lk = 2 * reach + 1;
  const weights = new Float32Array(r * r * cout * cin * lk * lk);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) {
      for (let dy = -p; dy <= p; dy++) {
        const ay = phaseOffset(i, dy) + reach;
        for (let dx = -p; dx <= p; dx++) {
          const ax = phaseOffset(j, dx) + reach;
          for (let ci = 0; ci < cin; ci++) {
            for (let co = 0; co < cout; co++) {
              // DepthToSpace DCR: output channel (i·r + j)·C_out + co holds phase (i, j).
              const o = (i * r + j) * cout + co;
              weights[((o * cin + ci) * lk + ay) * lk + ax]! += kernel.values[(((dy + p) * k + (dx + p)) * cin + ci) * cout + co]!;
            }
          }
        }
      }
    }
  }
  const inputs = [x, g.floatConstant(`${base}.phase_weight`, [r * r * cout, cin, lk, lk], weights)];
  if (config['useBias']) {
    const bias = requireWeight(layer, 'bias').values;
    inputs.push(g.floatConstant(`${base}.phase_bias`, [r * r * cout], Float32Array.from({ length: r * r * cout }, (_, o) => bias[o % cout]!)));
  }
  const phases = g.node('Conv', inputs, `${base}_phases`, { kernel_shape: { ints: [lk, lk] }, pads: { ints: [reach, reach, reach, reach] } });
  const y = g.node('DepthToSpace', [phases], base, { blocksize: { i: r }, mode: { s: 'DCR' } });
  return activation(g, config['activation'], y, base, layer);
}

/** One layer call: NCHW value names in, NCHW value names out. */
function exportLayer(g: OnnxGraph, layer: Layer, inputs: string[], inputTensors: SymbolicTensor[]): string {
  const config = layer.getConfig();
  const base = layer.name;
  const className = layer.getClassName();
  const x = inputs[0]!;
  switch (className) {
    case 'Conv2D': {
      checkChannelsLast(layer, config);
      const [sh, sw] = pair(config['strides'], 'strides', layer);
      const dilations = pair(config['dilationRate'] ?? 1, 'dilation', layer);
      const kernel = requireWeight(layer, 'kernel');
      const onnxKernel = kernelToOnnx(kernel.shape, kernel.values);
      const w = g.floatConstant(`${base}.weight`, onnxKernel.dims, onnxKernel.values);
      const bias = config['useBias'] ? requireWeight(layer, 'bias') : undefined;
      const convInputs = bias ? [x, w, g.floatConstant(`${base}.bias`, bias.shape, bias.values)] : [x, w];
      const padding = config['padding'];
      if (padding !== 'same' && padding !== 'valid') throw new OnnxExportError(`layer ${base}: padding '${String(padding)}' is not exported`);
      // TensorFlow's 'same' puts the odd pixel of padding after the image: ONNX's SAME_UPPER.
      const y = g.node('Conv', convInputs, base, {
        kernel_shape: { ints: onnxKernel.dims.slice(2) },
        strides: { ints: [sh, sw] },
        dilations: { ints: dilations },
        auto_pad: { s: padding === 'same' ? 'SAME_UPPER' : 'VALID' },
      });
      return activation(g, config['activation'], y, base, layer);
    }
    case 'Conv2DTranspose': {
      checkChannelsLast(layer, config);
      const [sh, sw] = pair(config['strides'], 'strides', layer);
      const kernel = requireWeight(layer, 'kernel');
      const [kh, kw] = kernel.shape as [number, number];
      const onnxKernel = kernelToOnnx(kernel.shape, kernel.values);
      const w = g.floatConstant(`${base}.weight`, onnxKernel.dims, onnxKernel.values);
      const bias = config['useBias'] ? requireWeight(layer, 'bias') : undefined;
      const convInputs = bias ? [x, w, g.floatConstant(`${base}.bias`, bias.shape, bias.values)] : [x, w];
      if (pair(config['dilationRate'] ?? 1, 'dilation', layer).some((d) => d !== 1)) throw new OnnxExportError(`layer ${base}: dilated transposed convolutions are not exported`);
      // 'same' crops the full transposed output ((H−1)·s + k) to H·s: k − s pixels, the odd one after,
      // the transpose of the forward convolution's SAME_UPPER padding. Written out, because runtimes
      // have disagreed on what auto_pad means for ConvTranspose.
      const crop = (k: number, s: number) => {
        const total = Math.max(k - s, 0);
        return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
      };
      let pads = [0, 0, 0, 0];
      if (config['padding'] === 'same') {
        const [top, bottom] = crop(kh, sh);
        const [left, right] = crop(kw, sw);
        pads = [top, left, bottom, right];
      } else if (config['padding'] !== 'valid') {
        throw new OnnxExportError(`layer ${base}: padding '${String(config['padding'])}' is not exported`);
      } else if (kh < sh || kw < sw) {
        throw new OnnxExportError(`layer ${base}: 'valid' transposed convolutions with a kernel smaller than the stride are not exported`);
      }
      const y = g.node('ConvTranspose', convInputs, base, {
        kernel_shape: { ints: [kh, kw] },
        strides: { ints: [sh, sw] },
        pads: { ints: pads },
      });
      return activation(g, config['activation'], y, base, layer);
    }
    case 'BatchNormalization': {
      const axis = config['axis'];
      if (axis !== -1 && axis !== 3) throw new OnnxExportError(`layer ${base}: batch norm over axis ${String(axis)} is not exported (channels only)`);
      const mean = requireWeight(layer, 'moving_mean');
      const variance = requireWeight(layer, 'moving_variance');
      const c = mean.values.length;
      const gamma = weightOf(layer, 'gamma')?.values ?? new Float32Array(c).fill(1);
      const beta = weightOf(layer, 'beta')?.values ?? new Float32Array(c);
      return g.node('BatchNormalization', [
        x,
        g.floatConstant(`${base}.scale`, [c], gamma),
        g.floatConstant(`${base}.bias`, [c], beta),
        g.floatConstant(`${base}.mean`, [c], mean.values),
        g.floatConstant(`${base}.var`, [c], variance.values),
      ], base, { epsilon: { f: Number(config['epsilon']) } });
    }
    case 'GanvasInstanceNorm': {
      const c = channelsOf(inputTensors[0]!, layer);
      const gamma = config['affine'] ? requireWeight(layer, 'gamma').values : new Float32Array(c).fill(1);
      const beta = config['affine'] ? requireWeight(layer, 'beta').values : new Float32Array(c);
      return g.node('InstanceNormalization', [x, g.floatConstant(`${base}.scale`, [c], gamma), g.floatConstant(`${base}.bias`, [c], beta)], base, {
        epsilon: { f: Number(config['epsilon']) },
      });
    }
    case 'ReLU': {
      if (config['maxValue'] != null) {
        return g.node('Clip', [x, g.scalar(`${base}.min`, 0), g.scalar(`${base}.max`, Number(config['maxValue']))], base);
      }
      return g.node('Relu', [x], base);
    }
    case 'LeakyReLU':
      return g.node('LeakyRelu', [x], base, { alpha: { f: Number(config['alpha']) } });
    case 'PReLU': {
      const alpha = requireWeight(layer, 'alpha');
      // Shared over height and width: tfjs stores [1, 1, C]; NCHW broadcasting wants [C, 1, 1].
      const [h, w, c] = alpha.shape as [number, number, number];
      if (h !== 1 || w !== 1) throw new OnnxExportError(`layer ${base}: PReLU slopes per pixel (not shared over height and width) are not exported`);
      return g.node('PRelu', [x, g.floatConstant(`${base}.slope`, [c, 1, 1], alpha.values)], base);
    }
    case 'Activation':
      return activation(g, config['activation'], x, base, layer);
    case 'Add':
    case 'Multiply': {
      const op = className === 'Add' ? 'Add' : 'Mul';
      let sum = x;
      for (let i = 1; i < inputs.length; i++) sum = g.node(op, [sum, inputs[i]!], base);
      return sum;
    }
    case 'Concatenate': {
      const axis = Number(config['axis'] ?? -1);
      const nhwc = axis < 0 ? axis + 4 : axis;
      const onnxAxis = NCHW_AXIS[nhwc as 0 | 1 | 2 | 3];
      if (onnxAxis === undefined) throw new OnnxExportError(`layer ${base}: concatenation over axis ${axis} of a 4-D tensor`);
      return g.node('Concat', inputs, base, { axis: { i: onnxAxis } });
    }
    case 'UpSampling2D': {
      checkChannelsLast(layer, config);
      const [sh, sw] = pair(config['size'], 'size', layer);
      const interpolation = config['interpolation'] ?? 'nearest';
      // tfjs resizes with alignCorners and halfPixelCenters off: ONNX's 'asymmetric' coordinates.
      const attributes: Record<string, Attribute> =
        interpolation === 'nearest'
          ? { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } }
          : interpolation === 'bilinear'
            ? { mode: { s: 'linear' }, coordinate_transformation_mode: { s: 'asymmetric' } }
            : (() => {
                throw new OnnxExportError(`layer ${base}: ${String(interpolation)} upsampling is not exported`);
              })();
      return g.node('Resize', [x, '', g.floatConstant(`${base}.scales`, [4], Float32Array.of(1, 1, sh, sw))], base, attributes);
    }
    case 'GanvasReflectionPad2D': {
      const [[top, bottom], [left, right]] = config['padding'] as [[number, number], [number, number]];
      return g.node('Pad', [x, g.int64Constant(`${base}.pads`, [0, 0, top, left, 0, 0, bottom, right])], base, { mode: { s: 'reflect' } });
    }
    case 'ZeroPadding2D': {
      checkChannelsLast(layer, config);
      const padding = config['padding'];
      const [[top, bottom], [left, right]] = (typeof padding === 'number' ? [[padding, padding], [padding, padding]] : padding) as [[number, number], [number, number]];
      return g.node('Pad', [x, g.int64Constant(`${base}.pads`, [0, 0, top, left, 0, 0, bottom, right])], base, { mode: { s: 'constant' } });
    }
    case 'GanvasPixelShuffle':
      // TensorFlow's DepthToSpace channel order (see layers/pixel-shuffle.ts) is ONNX's DCR mode.
      return g.node('DepthToSpace', [x], base, { blocksize: { i: Number(config['scale']) }, mode: { s: 'DCR' } });
    case 'GanvasSeededDropout':
    case 'Dropout':
      if (className === 'GanvasSeededDropout' && config['atInference'] === true && Number(config['rate']) > 0) {
        throw new OnnxExportError(`layer ${base} drops at inference too (random noise), which the exported graph does not do`);
      }
      return x;
    case 'GanvasInputResidual': {
      const image = inputs[1];
      if (image === undefined) throw new OnnxExportError(`layer ${base} takes [network output, input image]`);
      const clipped = g.node('Clip', [image, g.scalar(`${base}.min`, -INPUT_RESIDUAL_EDGE), g.scalar(`${base}.max`, INPUT_RESIDUAL_EDGE)], `${base}_clip`);
      const atanh = g.node('Atanh', [clipped], `${base}_atanh`);
      return g.node('Tanh', [g.node('Add', [x, atanh], `${base}_sum`)], base);
    }
    case 'GanvasBicubicUpsample': {
      // Separable Keys bicubic as one 5×5 depthwise convolution whose r² outputs per channel are the
      // sub-pixel phases (weight = row tap × column tap), over edge-clamped input; grouped outputs
      // come per input channel (c·r² + phase), which is DepthToSpace's CRD order.
      const r = Number(config['scale']);
      const c = channelsOf(inputTensors[0]!, layer);
      const taps = bicubicPhaseTaps(r);
      const weights = new Float32Array(c * r * r * 25);
      for (let ch = 0; ch < c; ch++) {
        for (let py = 0; py < r; py++) {
          for (let px = 0; px < r; px++) {
            for (let ky = 0; ky < 5; ky++) {
              for (let kx = 0; kx < 5; kx++) weights[(((ch * r + py) * r + px) * 5 + ky) * 5 + kx] = taps[py]![ky]! * taps[px]![kx]!;
            }
          }
        }
      }
      const padded = g.node('Pad', [x, g.int64Constant(`${base}.pads`, [0, 0, 2, 2, 0, 0, 2, 2])], `${base}_pad`, { mode: { s: 'edge' } });
      const phases = g.node('Conv', [padded, g.floatConstant(`${base}.taps`, [c * r * r, 1, 5, 5], weights)], `${base}_phases`, {
        kernel_shape: { ints: [5, 5] },
        group: { i: c },
      });
      return g.node('DepthToSpace', [phases], base, { blocksize: { i: r }, mode: { s: 'CRD' } });
    }
    case 'MultiplyBeta':
      return g.node('Mul', [x, g.scalar(`${base}.beta`, Number(config['beta']))], base);
    default: {
      const shuffle = /^PixelShuffle(\d+)x$/.exec(className);
      if (shuffle) return g.node('DepthToSpace', [x], base, { blocksize: { i: Number(shuffle[1]) }, mode: { s: 'DCR' } });
      throw new OnnxExportError(`layer ${base}: ${className} layers are not exported to ONNX`);
    }
  }
}

/**
 * The model as an ONNX file whose inputs and outputs are NHWC float32 with
 * symbolic batch, height and width (and the model's channel counts).
 */
export function exportLayersModel(model: tf.LayersModel, options: { producerVersion?: string } = {}): ExportedOnnxModel {
  const g = new OnnxGraph(model.name);
  const names = new Map<number, string>(); // SymbolicTensor id → NCHW value name
  const inputNames: string[] = [];
  const inputInfos = model.inputs.map((input, i) => {
    const name = g.reserve(model.inputNames[i] ?? `input_${i}`);
    inputNames.push(name);
    names.set(input.id, g.node('Transpose', [name], `${name}_nchw`, { perm: { ints: [0, 3, 1, 2] } }));
    const channels = input.shape[3];
    if (input.shape.length !== 4 || channels == null) throw new OnnxExportError(`input ${name} is not an image batch with known channels: ${JSON.stringify(input.shape)}`);
    return { name, dims: ['batch', 'height', 'width', channels] };
  });

  // Layers come in topological order; a call whose inputs are not (yet) known belongs to another
  // model that shares the layer and is skipped. Loop until nothing more can be added.
  const pending = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer').flatMap((layer) => layer.inboundNodes.map((node) => ({ layer, node })));

  // Upsampling whose only consumer is a convolution it can be fused into (exportUpsampledConv).
  const consumers = new Map<number, { layer: Layer }[]>();
  for (const entry of pending) for (const t of entry.node.inputTensors) consumers.set(t.id, [...(consumers.get(t.id) ?? []), entry]);
  const outputIds = new Set(model.outputs.map((o) => o.id));
  const fusedUpsampling = new Map<number, number>(); // upsampled tensor id → factor
  for (const { layer, node } of pending) {
    const factor = fusableUpsampleFactor(layer);
    const out = node.outputTensors[0];
    if (factor === null || !out || outputIds.has(out.id)) continue;
    const users = consumers.get(out.id) ?? [];
    if (users.length === 1 && fusableConv(users[0]!.layer)) fusedUpsampling.set(out.id, factor);
  }

  let progressed = true;
  while (progressed) {
    progressed = false;
    for (let i = 0; i < pending.length; i++) {
      const { layer, node } = pending[i]!;
      const inputs = node.inputTensors.map((t) => names.get(t.id));
      if (inputs.some((n) => n === undefined)) continue;
      if (layer instanceof tf.LayersModel) throw new OnnxExportError(`layer ${layer.name} is a nested model, which is not exported`);
      if (node.outputTensors.length !== 1) throw new OnnxExportError(`layer ${layer.name} has ${node.outputTensors.length} outputs; only single-output layers are exported`);
      const out = node.outputTensors[0]!;
      const upsampled = node.inputTensors.length === 1 ? fusedUpsampling.get(node.inputTensors[0]!.id) : undefined;
      if (fusedUpsampling.has(out.id)) names.set(out.id, inputs[0]!); // the low-resolution map: its convolution upsamples
      else if (upsampled !== undefined) names.set(out.id, exportUpsampledConv(g, layer, inputs[0]!, upsampled));
      else names.set(out.id, exportLayer(g, layer, inputs as string[], node.inputTensors));
      pending.splice(i--, 1);
      progressed = true;
    }
  }

  const outputNames: string[] = [];
  const outputInfos = model.outputs.map((output, i) => {
    const inner = names.get(output.id);
    if (inner === undefined) throw new OnnxExportError(`output ${output.name} of ${model.name} could not be traced back to its inputs`);
    const channels = output.shape[3];
    if (output.shape.length !== 4 || channels == null) throw new OnnxExportError(`output ${output.name} is not an image batch with known channels`);
    const name = g.node('Transpose', [inner], model.outputNames[i] ?? `output_${i}`, { perm: { ints: [0, 2, 3, 1] } });
    outputNames.push(name);
    return { name, dims: ['batch', 'out_height', 'out_width', channels] };
  });

  const bytes = g.toModel({ inputs: inputInfos, outputs: outputInfos }, { name: 'ganvas', version: options.producerVersion ?? '0', doc: `exported from the tfjs model ${model.name}` });
  return { bytes, inputNames, outputNames, ops: [...g.opsUsed].sort() };
}
