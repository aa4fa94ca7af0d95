// Loads the pretrained models straight from node_modules: model.json and its
// weight shards are read with fs and handed to tfjs as an IOHandler, so nothing
// goes through fetch or the network.
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
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

/** Loads (once per process and backend) the model; later calls share it. */
export function loadUpscaleModel(info: UpscaleModelInfo): Promise<LoadedUpscaleModel> {
  const key = `${tf.getBackend()}:${info.id}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = load(info);
    loaded.set(key, pending);
    pending.catch(() => loaded.delete(key));
  }
  return pending;
}

async function load(info: UpscaleModelInfo): Promise<LoadedUpscaleModel> {
  const folder = modelFolder(info);
  if (!folder) throw new Error(`model ${info.id} is not installed (package ${info.source} is missing); reinstall GANvas`);
  registerUpscaleLayers();
  const model = await tf.loadLayersModel(folderModelHandler(folder));
  return { info, model, receptiveRadius: receptiveRadius(model), largestMapBytesPerInputPixel: largestMapBytesPerInputPixel(model) };
}

/** Frees every loaded model's weights (tests, or switching backends). */
export async function unloadUpscaleModels(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  for (const pending of all) {
    try {
      (await pending).model.dispose();
    } catch {
      // a model that failed to load holds nothing
    }
  }
}
