/**
 * Exports a training run's checkpoint as a model folder (see exported-model.ts
 * for the format): the networks the family's descriptor says inference needs.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { families } from '../gans/registry.js';
import { readCheckpoint, type StoredCheckpoint } from '../train/index.js';
import { FLOAT16_MAX, toFloat16 } from './float16.js';
import {
  EXPORTED_MODEL_FORMAT,
  EXPORTED_MODEL_FORMAT_VERSION,
  ModelCard,
  MODEL_FILE,
  MODEL_WEIGHTS_FILE,
  type ExportedModelManifest,
  type ExportedTensor,
} from './exported-model.js';

/** The networks a family needs to translate, from its descriptor; unknown families must name them. */
function inferenceNetworks(family: string): readonly string[] | undefined {
  return families.has(family) ? families.get(family).inferenceNetworks : undefined;
}

export interface ExportOptions {
  /** Networks to include; default: the family's inference networks. */
  networks?: string[];
  /** Store weights as IEEE half floats (half the size; relative error under 1e-3). */
  float16?: boolean;
  card?: ModelCard;
  /** Mark the model the default for what it does (bundled SRGAN models: the upscaler for their scale; see exported-model.ts). */
  default?: boolean;
  /** Replace a model already in `outDir`. */
  overwrite?: boolean;
}

export interface ExportResult {
  dir: string;
  manifest: ExportedModelManifest;
  bytes: number;
}

/** A run folder, or its `checkpoint` folder (what users tend to pick in a file dialog). */
async function checkpointFrom(source: string | StoredCheckpoint): Promise<StoredCheckpoint> {
  if (typeof source !== 'string') return source;
  const runDir = path.basename(source) === 'checkpoint' && (await fileExists(path.join(source, 'checkpoint.json'))) ? path.dirname(source) : source;
  return readCheckpoint(runDir);
}

async function fileExists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Exports a training run's checkpoint (or an already read one) as a model folder. */
export async function exportModel(source: string | StoredCheckpoint, outDir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const stored = await checkpointFrom(source);
  const { manifest } = stored;
  const wanted = options.networks ?? inferenceNetworks(manifest.family);
  if (!wanted || wanted.length === 0) {
    throw new Error(`GANvas does not know which networks a ${manifest.family} model needs to translate; name them (networks: ${Object.keys(manifest.networks).join(', ')})`);
  }
  const missing = wanted.filter((name) => !(name in manifest.networks));
  if (missing.length > 0) {
    throw new Error(`The checkpoint in ${stored.dir} has no network ${missing.join(', ')} (it has ${Object.keys(manifest.networks).join(', ')})`);
  }
  if (!options.overwrite && (await fileExists(path.join(outDir, MODEL_FILE)))) {
    throw new Error(`${outDir} already holds a model; choose another folder or allow overwriting`);
  }

  const chunks: Uint8Array[] = [];
  const networks: ExportedModelManifest['networks'] = {};
  let offset = 0;
  for (const name of wanted) {
    networks[name] = manifest.networks[name]!.weights.map((entry) => {
      if (entry.dtype !== 'float32') throw new Error(`network ${name} weight ${entry.name} is ${entry.dtype}; only float32 weights can be exported`);
      const values = new Float32Array(entry.length / 4);
      new Uint8Array(values.buffer).set(stored.weights.subarray(entry.offset, entry.offset + entry.length));
      let bytes: Uint8Array;
      if (options.float16) {
        const tooLarge = values.find((v) => !Number.isFinite(v) || Math.abs(v) > FLOAT16_MAX);
        if (tooLarge !== undefined) {
          throw new Error(`network ${name} weight ${entry.name} holds ${tooLarge}, which half precision cannot store; export without float16`);
        }
        const half = toFloat16(values);
        bytes = new Uint8Array(half.buffer);
      } else {
        bytes = new Uint8Array(values.buffer);
      }
      const exported: ExportedTensor = { name: entry.name, shape: entry.shape, dtype: options.float16 ? 'float16' : 'float32', offset, length: bytes.byteLength };
      chunks.push(bytes);
      offset += bytes.byteLength;
      return exported;
    });
  }
  const weights = Buffer.concat(chunks);
  const card = options.card ? ModelCard.parse(options.card) : undefined;
  const out: ExportedModelManifest = {
    format: EXPORTED_MODEL_FORMAT,
    formatVersion: EXPORTED_MODEL_FORMAT_VERSION,
    family: manifest.family,
    config: { ...manifest.config },
    networks,
    step: manifest.step,
    createdAt: new Date().toISOString(),
    weightsBytes: weights.byteLength,
    weightsSha256: createHash('sha256').update(weights).digest('hex'),
    ...(card ? { card } : {}),
    ...(options.default ? { default: true } : {}),
  };
  await fs.mkdir(outDir, { recursive: true });
  // model.json goes last and by rename: a reader never sees a model.json whose weights are not there yet.
  await fs.rm(path.join(outDir, MODEL_FILE), { force: true });
  await fs.writeFile(path.join(outDir, MODEL_WEIGHTS_FILE), weights);
  const temp = path.join(outDir, `${MODEL_FILE}.tmp-${process.pid}`);
  await fs.writeFile(temp, JSON.stringify(out, null, 1));
  await fs.rename(temp, path.join(outDir, MODEL_FILE));
  return { dir: outDir, manifest: out, bytes: weights.byteLength + Buffer.byteLength(JSON.stringify(out, null, 1)) };
}

