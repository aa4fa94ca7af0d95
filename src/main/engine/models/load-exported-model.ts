/** Builds a runnable model from an exported-model folder (see exported-model.ts for the format). */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseFamilyConfig, type AnyFamily, type FamilyConfig, type InferenceModel } from '../gans/family.js';
import { families as builtInFamilies, type FamilyRegistry } from '../gans/registry.js';
import { fromFloat16 } from './float16.js';
import { MODEL_FILE, MODEL_WEIGHTS_FILE, readExportedModelManifest, type ExportedModelManifest, type ExportedTensor } from './exported-model.js';

export interface LoadedExportedModel {
  model: InferenceModel<FamilyConfig>;
  family: AnyFamily;
  config: FamilyConfig;
  manifest: ExportedModelManifest;
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(',')}]`;

function weightMismatches(manifest: ExportedModelManifest, model: InferenceModel<FamilyConfig>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(model.networks)) {
    if (!(name in manifest.networks)) problems.push(`it has no network ${name}, which a ${manifest.family} model needs to translate`);
  }
  for (const [name, stored] of Object.entries(manifest.networks)) {
    const network = model.networks[name];
    // Networks inference does not use (a D exported alongside G, say) stay unread.
    if (network === undefined) continue;
    if (network.weights.length !== stored.length) {
      problems.push(`network ${name} has ${stored.length} weights in the file, expected ${network.weights.length}`);
      continue;
    }
    stored.forEach((entry, i) => {
      const built = network.weights[i]!;
      if (shapeText(built.shape) !== shapeText(entry.shape)) {
        problems.push(`network ${name} weight ${entry.name} has shape ${shapeText(entry.shape)}, expected ${shapeText(built.shape)}`);
      }
    });
  }
  return problems;
}

function tensorFrom(entry: ExportedTensor, weights: Buffer): tf.Tensor {
  // Copy into a fresh, aligned array: the Buffer may start at any byte offset.
  const bytes = weights.subarray(entry.offset, entry.offset + entry.length);
  if (entry.dtype === 'float16') {
    const half = new Uint16Array(entry.length / 2);
    new Uint8Array(half.buffer).set(bytes);
    return tf.tensor(fromFloat16(half), entry.shape, 'float32');
  }
  const values = new Float32Array(entry.length / 4);
  new Uint8Array(values.buffer).set(bytes);
  return tf.tensor(values, entry.shape, 'float32');
}

/**
 * Loads a model folder: builds the family's inference networks from the
 * stored config and puts in their weights. Every difference is reported in
 * user terms.
 */
export async function loadExportedModel(dir: string, registry: FamilyRegistry = builtInFamilies): Promise<LoadedExportedModel> {
  const manifest = await readExportedModelManifest(dir);
  const file = path.join(dir, MODEL_FILE);
  const weightsPath = path.join(dir, MODEL_WEIGHTS_FILE);
  if (!registry.has(manifest.family)) {
    throw new Error(`${file} is a ${manifest.family} model, which this GANvas cannot run (it knows ${registry.list().map((f) => f.id).join(', ')})`);
  }
  const family = registry.get(manifest.family);
  let weights: Buffer;
  try {
    weights = await fs.readFile(weightsPath);
  } catch (error) {
    throw new Error(`${weightsPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); copy the whole model folder`);
  }
  if (weights.byteLength !== manifest.weightsBytes) {
    throw new Error(`${weightsPath} has ${weights.byteLength} bytes, expected ${manifest.weightsBytes} (the file is incomplete)`);
  }
  if (createHash('sha256').update(weights).digest('hex') !== manifest.weightsSha256) {
    throw new Error(`${weightsPath} does not match its checksum (the file is damaged)`);
  }
  for (const [name, entries] of Object.entries(manifest.networks)) {
    for (const entry of entries) {
      const count = entry.shape.reduce((a, b) => a * b, 1);
      const width = entry.dtype === 'float16' ? 2 : 4;
      if (entry.length !== count * width || entry.offset + entry.length > weights.byteLength) {
        throw new Error(`${file}: network ${name} weight ${entry.name} does not fit its shape or the weights file`);
      }
    }
  }
  let config: FamilyConfig;
  try {
    config = parseFamilyConfig(family, manifest.config);
  } catch (error) {
    throw new Error(`${file} has settings this GANvas cannot use: ${(error as Error).message}`);
  }
  const model = (await family.loadModel()).buildInference(config);
  try {
    const problems = weightMismatches(manifest, model);
    if (problems.length > 0) throw new Error(`${file} does not fit GANvas's ${family.title}: ${problems.join('; ')}`);
    for (const [name, network] of Object.entries(model.networks)) {
      const tensors = manifest.networks[name]!.map((entry) => tensorFrom(entry, weights));
      try {
        network.setWeights(tensors);
      } finally {
        tf.dispose(tensors);
      }
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, family, config, manifest };
}
