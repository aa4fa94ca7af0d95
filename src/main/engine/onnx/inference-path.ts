/**
 * Which runtime a loaded network forwards on: ONNX Runtime or tfjs.
 *
 * The rule, decided once when a model loads:
 *   - GANVAS_INFERENCE=tfjs keeps tfjs; GANVAS_INFERENCE=onnx asks for ONNX whatever the backend.
 *   - Otherwise ONNX when tfjs runs on wasm or cpu: those use one core under Node, and ONNX
 *     Runtime forwarded every network we measured 5–13× faster on this 2-core machine
 *     (`npm run bench`, onnx lines). On tfjs-node, tfjs-node-gpu or webgpu tfjs is native or on a
 *     GPU already, and it stays.
 *   - The export must succeed, ONNX Runtime must open it, and a probe image must come out of both
 *     runtimes the same (within 1e-3 of the output's spread): a network the exporter gets wrong
 *     never reaches a user's pictures.
 * Whenever ONNX is not used the reason is returned (and logged by the caller), and tfjs runs as
 * before.
 */
import * as tf from '@tensorflow/tfjs';
import { OnnxNetwork, OnnxUnavailable, type OnnxNetworkOptions } from './network.js';

export type InferenceRuntime = 'onnx' | 'tfjs';

export interface InferencePath {
  runtime: InferenceRuntime;
  /** Set when runtime is 'onnx'. */
  network: OnnxNetwork | null;
  /** Why this runtime (one line, for logs and `ganvas backend`). */
  reason: string;
  /** ONNX was to be used but could not be (export, runtime or probe failed): worth a log line. */
  fellBack: boolean;
}

/** Relative disagreement (max |Δ| / output spread) above which the export is not trusted. */
export const PROBE_TOLERANCE = 1e-3;

export interface ProbeOptions extends OnnxNetworkOptions {
  /** NHWC shape of the probe input (a small image the network accepts). */
  shape: [number, number, number, number];
  /** Value range of the network's input, e.g. [-1, 1] or [0, 255]. */
  range: [number, number];
  /** Overrides GANVAS_INFERENCE (tests). */
  prefer?: InferenceRuntime | 'auto';
}

function preference(prefer: ProbeOptions['prefer']): InferenceRuntime | 'auto' {
  const raw = prefer ?? process.env['GANVAS_INFERENCE'] ?? 'auto';
  return raw === 'onnx' || raw === 'tfjs' ? raw : 'auto';
}

/** A smooth, deterministic pattern over the input range: no randomness, so the probe is the same every load. */
function probeInput(shape: [number, number, number, number], [low, high]: [number, number]): Float32Array {
  const [n, h, w, c] = shape;
  const data = new Float32Array(n * h * w * c);
  let i = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) data[i++] = low + ((high - low) * (1 + Math.sin(0.7 * x + 1.3 * y + 2.1 * ch + b))) / 2;
      }
    }
  }
  return data;
}

export async function chooseInferencePath(model: tf.LayersModel, options: ProbeOptions): Promise<InferencePath> {
  const wanted = preference(options.prefer);
  if (wanted === 'tfjs') return { runtime: 'tfjs', network: null, reason: 'GANVAS_INFERENCE=tfjs', fellBack: false };
  const backend = tf.getBackend();
  if (wanted === 'auto' && backend !== 'wasm' && backend !== 'cpu') {
    return { runtime: 'tfjs', network: null, reason: `tfjs runs on '${backend}', which is native or a GPU already`, fellBack: false };
  }
  let network: OnnxNetwork;
  try {
    network = await OnnxNetwork.fromLayersModel(model, options);
  } catch (error) {
    if (error instanceof OnnxUnavailable) return { runtime: 'tfjs', network: null, reason: error.message, fellBack: true };
    throw error;
  }
  try {
    const input = probeInput(options.shape, options.range);
    const expected = tf.tidy(() => model.apply(tf.tensor4d(input, options.shape), { training: false }) as tf.Tensor);
    let want: Float32Array;
    try {
      want = (await expected.data()) as Float32Array;
    } finally {
      expected.dispose();
    }
    const got = await network.run(input, options.shape);
    let maxDiff = got.data.length === want.length ? 0 : Infinity;
    let low = Infinity;
    let high = -Infinity;
    for (let i = 0; i < want.length && maxDiff !== Infinity; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(want[i]! - got.data[i]!));
      low = Math.min(low, want[i]!);
      high = Math.max(high, want[i]!);
    }
    const spread = Math.max(high - low, 1e-6);
    if (!(maxDiff / spread <= PROBE_TOLERANCE)) {
      await network.release();
      return { runtime: 'tfjs', network: null, reason: `the ONNX export of ${model.name} disagrees with tfjs on a probe image (max difference ${maxDiff.toPrecision(3)}, output spread ${spread.toPrecision(3)})`, fellBack: true };
    }
    return { runtime: 'onnx', network, reason: `ONNX Runtime on ${network.threads} thread${network.threads === 1 ? '' : 's'} (tfjs backend '${backend}'; probe agrees within ${(maxDiff / spread).toExponential(1)} of the output spread)`, fellBack: false };
  } catch (error) {
    await network.release();
    return { runtime: 'tfjs', network: null, reason: `ONNX Runtime failed on a probe image: ${error instanceof Error ? error.message : String(error)}`, fellBack: true };
  }
}
