/**
 * Turns a catalogue location into a model ready to translate: only the
 * networks inference needs, no discriminators, no optimizer state.
 * Worker-side (it loads tfjs): the inference worker, the folder job and the
 * CLI use it.
 */
import * as tf from '@tensorflow/tfjs';
import { parseTranslateOptions, type AnyFamily, type FamilyConfig, type InferenceModel, type NetworkForward } from '../gans/family.js';
import { chooseInferencePath, type InferenceRuntime, type OnnxNetwork } from '../onnx/index.js';
import { UserFacingError } from '../errors.js';
import { loadCheckpointForInference } from '../train/index.js';
import type { ModelLocation } from './catalogue.js';
import { loadExportedModel } from './load-exported-model.js';

export interface Translator {
  id: string;
  family: AnyFamily;
  config: FamilyConfig;
  model: InferenceModel<FamilyConfig>;
  /** Side the model was trained at (its inputs are resized to it unless `anySize`). */
  size: number;
  /** A fully convolutional model: images go in as they are (see FamilyDescriptor.inferenceSize). */
  anySize: boolean;
  /** Set when loading had to fall back (e.g. to a run's previous checkpoint). */
  notice?: string;
  /** Checks translate options against this model's family (and config); a UserFacingError 'invalid_request' when they do not fit. */
  options(raw: unknown): Record<string, unknown>;
  /** Which runtime forwards the networks, and why (onnx/inference-path.ts). */
  inference: { runtime: InferenceRuntime; reason: string };
  /**
   * The model's translate (input and output in [-1, 1]; the caller disposes the result), its
   * networks forwarded by ONNX Runtime where `inference` says so, else by tfjs.
   */
  translate(input: tf.Tensor4D, options: Record<string, unknown>): Promise<tf.Tensor4D>;
  dispose(): void;
}

/** Side of the probe image for models that take any size (ONNX export check, see inference-path.ts). */
const ANY_SIZE_PROBE = 16;

export interface LoadTranslatorOptions {
  /** 'auto' (default): GANVAS_INFERENCE, else the rule in onnx/inference-path.ts. */
  inference?: InferenceRuntime | 'auto';
}

/**
 * ONNX Runtime sessions for every inference network, or none: a model runs on one runtime, so
 * a network that cannot be exported keeps the whole model on tfjs.
 */
async function onnxSessions(
  model: InferenceModel<FamilyConfig>,
  probeSide: number,
  prefer: InferenceRuntime | 'auto',
): Promise<{ sessions: Map<string, OnnxNetwork>; runtime: InferenceRuntime; reason: string }> {
  const sessions = new Map<string, OnnxNetwork>();
  if (!model.translateWith) return { sessions, runtime: 'tfjs', reason: 'this family translates with tfjs only' };
  let reason = '';
  for (const [name, network] of Object.entries(model.networks)) {
    const channels = network.inputs[0]?.shape[3] ?? model.config.channels;
    const path = await chooseInferencePath(network, { shape: [1, probeSide, probeSide, channels], range: [-1, 1], prefer });
    if (path.fellBack) console.warn(`[translate] network ${name} runs on tfjs: ${path.reason}`);
    if (!path.network) {
      for (const open of sessions.values()) await open.release();
      sessions.clear();
      return { sessions, runtime: 'tfjs', reason: path.reason };
    }
    sessions.set(name, path.network);
    reason = path.reason;
  }
  return { sessions, runtime: sessions.size > 0 ? 'onnx' : 'tfjs', reason };
}

export async function loadTranslator(location: ModelLocation, options: LoadTranslatorOptions = {}): Promise<Translator> {
  if (location.kind === 'upscaler') {
    throw new UserFacingError('unsupported', `'${location.id}' is an upscaler, not a translation model: use Upscale for it (ganvas upscale, or the Upscale view)`);
  }
  let loaded: { model: InferenceModel<FamilyConfig>; family: AnyFamily; config: FamilyConfig; notice?: string };
  try {
    loaded = location.kind === 'exported' ? await loadExportedModel(location.dir) : await loadCheckpointForInference(location.runDir);
  } catch (error) {
    if (error instanceof UserFacingError) throw error;
    throw new UserFacingError('failed', `Model '${location.id}' cannot be loaded: ${(error as Error).message}`);
  }
  const { model, config, family } = loaded;
  if (config.channels !== 3) {
    model.dispose();
    throw new UserFacingError('unsupported', `Model '${location.id}' works on ${config.channels}-channel images; GANvas translates RGB images with 3-channel models only`);
  }
  const anySize = family.inferenceSize === 'any';
  let onnx: Awaited<ReturnType<typeof onnxSessions>>;
  try {
    onnx = await onnxSessions(model, anySize ? ANY_SIZE_PROBE : config.size, options.inference ?? 'auto');
  } catch (error) {
    model.dispose();
    throw error;
  }
  const { sessions } = onnx;
  const forward: NetworkForward = async (name, input) => {
    const session = sessions.get(name);
    if (!session) throw new Error(`model '${location.id}' has no ONNX session for network ${name}`);
    const { data, shape } = await session.run((await input.data()) as Float32Array, input.shape);
    return tf.tensor4d(data, shape);
  };
  return {
    id: location.id,
    family,
    config,
    model,
    size: config.size,
    anySize,
    ...(loaded.notice !== undefined ? { notice: loaded.notice } : {}),
    options: (raw) => parseTranslateOptions(family, raw, config),
    inference: { runtime: onnx.runtime, reason: onnx.reason },
    translate: async (input, translateOptions) => {
      const viaOnnx = sessions.size > 0 ? model.translateWith?.(input, translateOptions, forward) ?? null : null;
      return viaOnnx ?? model.translate(input, translateOptions);
    },
    dispose: () => {
      model.dispose();
      // Releasing frees native memory only; a failure there has nothing left to undo.
      for (const session of sessions.values()) session.release().catch(() => {});
      sessions.clear();
    },
  };
}
