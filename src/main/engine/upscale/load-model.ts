// Loads the pretrained models straight from node_modules: model.json and its
// weight shards are read with fs and handed to tfjs as an IOHandler, so nothing
// goes through fetch or the network. SRGAN models load from their exported
// folder (models/load-exported-model.ts), and their generator is the network.
import * as tf from '@tensorflow/tfjs';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadExportedModel } from '../models/load-exported-model.js';
import { loadCheckpointForInference } from '../train/checkpoint/index.js';
import { chooseInferencePath, type InferencePath, type InferenceRuntime } from '../onnx/index.js';
import { registerUpscaleLayers } from './custom-layers.js';
import { modelFolder, type UpscaleModelInfo } from './model-catalogue.js';
import { largestMapBytesPerInputPixel, receptiveRadius } from './model-geometry.js';

export interface LoadedUpscaleModel {
  info: UpscaleModelInfo;
  model: tf.LayersModel;
  /**
   * How far (in input pixels) a pixel's value depends on its neighbours, from
   * the layer graph; a tile needs this much real context on each side to
   * match the untiled result.
   */
  receptiveRadius: number;
  /** Bytes per input pixel of the model's largest feature map (sizes tiles to memory). */
  largestMapBytesPerInputPixel: number;
  /**
   * Where tiles are forwarded: ONNX Runtime on every core when the export and its probe succeed
   * (onnx/inference-path.ts says when), else the tfjs model; `reason` says why.
   */
  inference: InferencePath;
}

export interface LoadUpscaleOptions {
  /** 'auto' (default): GANVAS_INFERENCE, else the rule in onnx/inference-path.ts. */
  inference?: InferenceRuntime | 'auto';
  /** ONNX Runtime threads (default: every core). */
  threads?: number;
}

/** A tfjs IOHandler that reads a layers model (model.json + shards) from a folder on disk. */
export function folderModelHandler(folder: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.join(folder, 'model.json');
      const json = JSON.parse(await readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const shard of group.paths) buffers.push(await readFile(path.join(folder, shard)));
      }
      const joined = Buffer.concat(buffers);
      const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData,
      };
    },
  };
}

const loaded = new Map<string, Promise<LoadedUpscaleModel>>();

/** Loads (once per process, backend and runtime choice) the model; later calls share it. */
export function loadUpscaleModel(info: UpscaleModelInfo, options: LoadUpscaleOptions = {}): Promise<LoadedUpscaleModel> {
  const prefer = options.inference ?? 'auto';
  // A model folder replaced while the process runs (a new export) loads again.
  const version = info.versionFile ? `@${fileVersion(info.versionFile)}` : '';
  const key = `${tf.getBackend()}:${prefer}:${options.threads ?? ''}:${process.env['GANVAS_INFERENCE'] ?? ''}:${info.id}${version}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = load(info, prefer, options.threads);
    loaded.set(key, pending);
    pending.catch(() => loaded.delete(key));
  }
  return pending;
}

/** Side of the probe image the ONNX export is checked on. */
const PROBE_SIDE = 16;

function fileVersion(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * The network that upscales: an ESRGAN's layers model, or the one network a
 * trained model's family says inference needs (its descriptor's `inferenceNetworks`).
 */
async function loadNetwork(info: UpscaleModelInfo): Promise<tf.LayersModel> {
  if (info.location !== undefined) {
    if (!info.folder) throw new Error(`model ${info.id} has no folder to load from`);
    const { model, family } = info.location === 'run' ? await loadCheckpointForInference(info.folder) : await loadExportedModel(info.folder);
    const [name, ...more] = family.inferenceNetworks;
    const network = name === undefined || more.length > 0 ? undefined : model.networks[name];
    if (!network) {
      model.dispose();
      throw new Error(`${info.folder} is a ${family.title} model, whose inference needs ${family.inferenceNetworks.join(', ') || 'no network'}; the upscaler runs exactly one network, and this folder does not hold it alone`);
    }
    return network;
  }
  const folder = modelFolder(info);
  if (!folder) throw new Error(`model ${info.id} is not installed (package ${info.source} is missing); reinstall GANvas`);
  registerUpscaleLayers();
  return tf.loadLayersModel(folderModelHandler(folder));
}

async function load(info: UpscaleModelInfo, prefer: InferenceRuntime | 'auto', threads: number | undefined): Promise<LoadedUpscaleModel> {
  const model = await loadNetwork(info);
  const inference = await chooseInferencePath(model, { shape: [1, PROBE_SIDE, PROBE_SIDE, 3], range: [...info.pixelRange], prefer, ...(threads !== undefined ? { threads } : {}) });
  if (inference.fellBack) {
    console.warn(`[upscale] ${info.id} runs on tfjs: ${inference.reason}`);
  }
  return { info, model, receptiveRadius: receptiveRadius(model), largestMapBytesPerInputPixel: largestMapBytesPerInputPixel(model), inference };
}

/** Frees every loaded model's weights (tests, or switching backends). */
export async function unloadUpscaleModels(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  for (const pending of all) {
    try {
      const model = await pending;
      model.model.dispose();
      await model.inference.network?.release();
    } catch {
      // a model that failed to load holds nothing
    }
  }
}
