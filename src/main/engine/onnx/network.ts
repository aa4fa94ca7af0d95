/**
 * A tfjs network run by ONNX Runtime (onnxruntime-node) on every CPU core.
 *
 * tfjs's wasm backend runs one thread under Node; ONNX Runtime's CPU provider
 * is native and multi-threaded and ships inside its npm package, so the same
 * weights forward several times faster (`npm run bench`: onnx lines). It is
 * inference only; training stays on tfjs. The network is exported from the
 * loaded LayersModel (export-layers-model.ts), so there is no second copy of
 * any weights on disk.
 *
 * Anything that goes wrong here (the package missing, a layer the exporter
 * does not know, the runtime refusing the graph) is an `OnnxUnavailable`
 * whose message says why; callers log it and keep the tfjs path.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import type * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import { exportLayersModel, OnnxExportError } from './export-layers-model.js';

export class OnnxUnavailable extends Error {
  override readonly name = 'OnnxUnavailable';
}

const requireFromHere = createRequire(import.meta.url);
let runtime: typeof Ort | null | undefined;
let runtimeError = '';

/** onnxruntime-node, or null with the reason in `onnxRuntimeProblem()` (it is an optional speed-up). */
export function onnxRuntime(): typeof Ort | null {
  if (runtime === undefined) {
    try {
      // ONNX Runtime 1.29+ sends usage telemetry to Microsoft from Linux and macOS too, and keeps a device id
      // in ~/.cache/Microsoft/DeveloperTools/.onnxruntime (the studio's fuzz test caught it reading and writing
      // there, and /etc/machine-id). The library reads this variable when its environment is created, which
      // is when the package loads: the studio reads only its own folders and sends nothing anywhere.
      process.env['ORT_DISABLE_TELEMETRY'] = '1';
      runtime = requireFromHere('onnxruntime-node') as typeof Ort;
    } catch (error) {
      runtime = null;
      runtimeError = `onnxruntime-node does not load: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return runtime;
}

export function onnxRuntimeProblem(): string {
  return runtimeError;
}

/** Threads for one session: every logical core unless told otherwise (GANVAS_ONNX_THREADS). */
export function defaultOnnxThreads(): number {
  const fromEnv = Number(process.env['GANVAS_ONNX_THREADS']);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** What `ganvas backend` says about inference: whether ONNX Runtime loads, its version and threads, and the setting. */
export function onnxStatus(): { onnxRuntime: string | null; problem?: string; threads: number; setting: string } {
  const ort = onnxRuntime();
  const setting = process.env['GANVAS_INFERENCE'] ?? 'auto';
  return ort
    ? { onnxRuntime: `onnxruntime-node ${ort.env.versions.common}`, threads: defaultOnnxThreads(), setting }
    : { onnxRuntime: null, problem: onnxRuntimeProblem(), threads: 0, setting };
}

export interface OnnxNetworkOptions {
  /** Intra-op threads (default: every logical core). */
  threads?: number;
}

/** NHWC float32 in, NHWC float32 out, as tfjs takes and gives them. */
export interface NetworkOutput {
  data: Float32Array;
  shape: [number, number, number, number];
}

export class OnnxNetwork {
  private released = false;

  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    readonly inputName: string,
    readonly outputName: string,
    readonly threads: number,
    /** The exported graph's operators (for logs and tests). */
    readonly ops: string[],
    /** Size of the ONNX file in bytes. */
    readonly bytes: number,
  ) {}

  /** Exports `model` (one input, one output) and opens an ONNX Runtime session on it. */
  static async fromLayersModel(model: tf.LayersModel, options: OnnxNetworkOptions = {}): Promise<OnnxNetwork> {
    const ort = onnxRuntime();
    if (!ort) throw new OnnxUnavailable(onnxRuntimeProblem());
    if (model.inputs.length !== 1 || model.outputs.length !== 1) {
      throw new OnnxUnavailable(`${model.name} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; the ONNX path runs single-input, single-output networks`);
    }
    let exported;
    try {
      exported = exportLayersModel(model, { producerVersion: ort.env.versions.common });
    } catch (error) {
      if (error instanceof OnnxExportError) throw new OnnxUnavailable(`${model.name} cannot be exported to ONNX: ${error.message}`);
      throw error;
    }
    const threads = options.threads ?? defaultOnnxThreads();
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(exported.bytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // Spinning workers would take cores from a training job between calls.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
    } catch (error) {
      throw new OnnxUnavailable(`ONNX Runtime refused the exported ${model.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new OnnxNetwork(ort, session, exported.inputNames[0]!, exported.outputNames[0]!, threads, exported.ops, exported.bytes.byteLength);
  }

  /** One forward pass on an NHWC batch. */
  async run(data: Float32Array, shape: readonly [number, number, number, number]): Promise<NetworkOutput> {
    if (this.released) throw new Error('this ONNX network was released');
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new RangeError(`input has ${data.length} values, its shape [${shape.join(', ')}] needs ${count}`);
    const input = new this.ort.Tensor('float32', data, [...shape]);
    const results = await this.session.run({ [this.inputName]: input });
    const output = results[this.outputName];
    if (!output) throw new Error(`ONNX Runtime returned no '${this.outputName}'`);
    try {
      const dims = output.dims as readonly number[];
      if (dims.length !== 4) throw new Error(`the exported network returned a ${dims.length}-D result`);
      return { data: output.data as Float32Array, shape: [dims[0]!, dims[1]!, dims[2]!, dims[3]!] };
    } finally {
      input.dispose();
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
