/**
 * Checkpoints: everything needed to continue a run or translate with it
 * (the layout and the manifest are in manifest.ts).
 *
 * A checkpoint is written to a temporary directory, fsynced, and renamed into
 * place, so a crash at any moment leaves either the new or the previous
 * checkpoint loadable. Loading checks the family and every weight shape, and
 * says in user terms what differs. A translator loads only the networks
 * inference needs.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  parseFamilyConfig,
  type AnyFamily,
  type FamilyConfig,
  type FamilyModule,
  type GanModel,
  type InferenceModel,
} from '../../gans/family.js';
import { families as builtInFamilies, type FamilyRegistry } from '../../gans/registry.js';
import { LOSS_HISTORY_FILE } from '../loss-history.js';
import { describeArchitectureMismatch } from '../run-config.js';
import {
  CHECKPOINT_DIR,
  CHECKPOINT_FORMAT_VERSION,
  hasCheckpoint,
  MANIFEST_FILE,
  PREVIOUS_CHECKPOINT_DIR,
  readManifestIn,
  WEIGHTS_FILE,
  type CheckpointManifest,
  type StoredTensor,
} from './manifest.js';

export {
  CHECKPOINT_DIR,
  CHECKPOINT_FORMAT_VERSION,
  PREVIOUS_CHECKPOINT_DIR,
  hasCheckpoint,
  readRunManifest,
  type CheckpointManifest,
  type StoredTensor,
} from './manifest.js';
export { LOSS_HISTORY_FILE };

const TEMP_PREFIX = 'checkpoint.tmp-';

// ------------------------------------------------------------------ writing

interface TensorToWrite {
  name: string;
  tensor: tf.Tensor;
}

async function writeFileSynced(file: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    for await (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or new file in `dir` durable; not possible on every platform, so best effort. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, fsConstants.O_RDONLY);
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; NTFS journals the rename itself.
  } finally {
    await handle?.close().catch(() => {});
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

function tensorBytes(values: tf.TypedArray): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

async function optimizerTensors(optimizer: tf.Optimizer): Promise<{ list: TensorToWrite[]; owned: tf.Tensor[] }> {
  const named = await optimizer.getWeights();
  // getWeights() makes a fresh 'iter' scalar but returns the live moment variables.
  const first = named[0];
  const owned = first && first.name === 'iter' ? [first.tensor] : [];
  return { list: named.map(({ name, tensor }) => ({ name, tensor })), owned };
}

function networkTensors(network: tf.LayersModel): TensorToWrite[] {
  return network.weights.map((weight) => ({ name: weight.originalName, tensor: weight.read() }));
}

export interface SaveCheckpointInfo {
  family: string;
  step: number;
}

type GroupKind = 'networks' | 'optimizers' | 'trainingState';

/**
 * Writes the model's networks, optimizer state and training state as
 * `<runDir>/checkpoint/`, replacing the previous checkpoint only once the new
 * one is complete on disk. Returns the checkpoint directory.
 */
export async function saveCheckpoint<C extends FamilyConfig>(runDir: string, model: GanModel<C, unknown>, info: SaveCheckpointInfo): Promise<string> {
  await fs.mkdir(runDir, { recursive: true });
  await removeStaleTemporaries(runDir);
  const tempDir = path.join(runDir, `${TEMP_PREFIX}${process.pid}-${Date.now()}`);
  await fs.mkdir(tempDir);

  const owned: tf.Tensor[] = [];
  try {
    const groups: { kind: GroupKind; name: string; tensors: TensorToWrite[] }[] = [];
    for (const [name, network] of Object.entries(model.networks)) groups.push({ kind: 'networks', name, tensors: networkTensors(network) });
    for (const [name, optimizer] of Object.entries(model.optimizers)) {
      const state = await optimizerTensors(optimizer);
      owned.push(...state.owned);
      groups.push({ kind: 'optimizers', name, tensors: state.list });
    }
    const trainingState = model.trainingState?.();
    if (trainingState) {
      groups.push({ kind: 'trainingState', name: 'tensors', tensors: Object.entries(trainingState.tensors).map(([name, tensor]) => ({ name, tensor })) });
    }

    const index: Pick<CheckpointManifest, 'networks' | 'optimizers'> = { networks: {}, optimizers: {} };
    let stateIndex: StoredTensor[] = [];
    const hash = createHash('sha256');
    let offset = 0;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (const group of groups) {
        const stored: StoredTensor[] = [];
        for (const { name, tensor } of group.tensors) {
          if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
            throw new Error(`cannot checkpoint ${group.name} tensor ${name} of type ${tensor.dtype}`);
          }
          const bytes = tensorBytes(await tensor.data());
          stored.push({ name, shape: tensor.shape.slice(), dtype: tensor.dtype, offset, length: bytes.byteLength });
          offset += bytes.byteLength;
          hash.update(bytes);
          yield bytes;
        }
        if (group.kind === 'trainingState') stateIndex = stored;
        else index[group.kind][group.name] = { weights: stored };
      }
    }
    await writeFileSynced(path.join(tempDir, WEIGHTS_FILE), chunks());

    const manifest: CheckpointManifest = {
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      family: info.family,
      config: { ...model.config },
      step: info.step,
      seed: model.config.seed,
      createdAt: new Date().toISOString(),
      tfjsVersion: tf.version.tfjs,
      lossHistory: { file: LOSS_HISTORY_FILE, steps: info.step },
      weightsBytes: offset,
      weightsSha256: hash.digest('hex'),
      ...index,
      ...(trainingState ? { trainingState: { json: trainingState.json ?? null, tensors: { weights: stateIndex } } } : {}),
    };
    await writeFileSynced(path.join(tempDir, MANIFEST_FILE), [Buffer.from(JSON.stringify(manifest, null, 1))]);
    await syncDirectory(tempDir);
  } catch (error) {
    await fs.rm(tempDir, { recursive: true, force: true });
    throw error;
  } finally {
    tf.dispose(owned);
  }

  // Order matters: at every instant either checkpoint/ or checkpoint.prev/ is complete.
  const current = path.join(runDir, CHECKPOINT_DIR);
  const previous = path.join(runDir, PREVIOUS_CHECKPOINT_DIR);
  if (await exists(current)) {
    await fs.rm(previous, { recursive: true, force: true });
    await fs.rename(current, previous);
  }
  await fs.rename(tempDir, current);
  await syncDirectory(runDir);
  await fs.rm(previous, { recursive: true, force: true });
  return current;
}

/** Leftovers of a write that crashed; only one process writes a run's checkpoints. */
async function removeStaleTemporaries(runDir: string): Promise<void> {
  const entries = await fs.readdir(runDir).catch(() => [] as string[]);
  await Promise.all(
    entries.filter((name) => name.startsWith(TEMP_PREFIX)).map((name) => fs.rm(path.join(runDir, name), { recursive: true, force: true })),
  );
}

// ------------------------------------------------------------------ reading

export interface StoredCheckpoint {
  manifest: CheckpointManifest;
  /** Directory the checkpoint was read from. */
  dir: string;
  /** 'previous' when checkpoint/ was missing or damaged and checkpoint.prev/ was used. */
  source: 'current' | 'previous';
  /** Set when the previous checkpoint was used, saying why. */
  notice?: string;
  weights: Buffer;
}

function storedGroups(manifest: CheckpointManifest): StoredTensor[][] {
  return [
    ...Object.values(manifest.networks).map((group) => group.weights),
    ...Object.values(manifest.optimizers).map((group) => group.weights),
    ...(manifest.trainingState ? [manifest.trainingState.tensors.weights] : []),
  ];
}

async function readCheckpointDir(dir: string): Promise<Omit<StoredCheckpoint, 'source'>> {
  const manifest = await readManifestIn(dir);
  const manifestPath = path.join(dir, MANIFEST_FILE);
  const weightsPath = path.join(dir, WEIGHTS_FILE);
  let weights: Buffer;
  try {
    weights = await fs.readFile(weightsPath);
  } catch (error) {
    throw new Error(`${weightsPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (weights.byteLength !== manifest.weightsBytes) {
    throw new Error(`${weightsPath} has ${weights.byteLength} bytes, expected ${manifest.weightsBytes} (the file is incomplete)`);
  }
  if (createHash('sha256').update(weights).digest('hex') !== manifest.weightsSha256) {
    throw new Error(`${weightsPath} does not match its checksum (the file is damaged)`);
  }
  for (const group of storedGroups(manifest)) {
    for (const entry of group) {
      const count = entry.shape.reduce((a, b) => a * b, 1);
      if (entry.length !== count * 4 || entry.offset + entry.length > weights.byteLength) {
        throw new Error(`${manifestPath}: tensor ${entry.name} does not fit its shape or the weights file`);
      }
    }
  }
  return { manifest, dir, weights };
}

/**
 * Reads and verifies `<runDir>/checkpoint/`, falling back to
 * `checkpoint.prev/` when a crash left the current one missing or damaged.
 */
export async function readCheckpoint(runDir: string): Promise<StoredCheckpoint> {
  const currentDir = path.join(runDir, CHECKPOINT_DIR);
  const previousDir = path.join(runDir, PREVIOUS_CHECKPOINT_DIR);
  let currentError: Error;
  try {
    return { ...(await readCheckpointDir(currentDir)), source: 'current' };
  } catch (error) {
    currentError = error as Error;
  }
  if (await exists(previousDir)) {
    try {
      const stored = await readCheckpointDir(previousDir);
      const why = (await exists(currentDir)) ? `was unreadable: ${currentError.message}` : 'was missing (an earlier save was interrupted)';
      return { ...stored, source: 'previous', notice: `${currentDir} ${why}; loaded the previous checkpoint (step ${stored.manifest.step}) instead.` };
    } catch (previousError) {
      throw new Error(`No usable checkpoint in ${runDir}: ${currentError.message}; the previous one too: ${(previousError as Error).message}`);
    }
  }
  if (!(await exists(currentDir))) throw new Error(`No checkpoint in ${runDir} (expected a '${CHECKPOINT_DIR}' folder)`);
  throw new Error(`Cannot load the checkpoint in ${runDir}: ${currentError.message}`);
}

function tensorFrom(entry: StoredTensor, weights: Buffer): tf.Tensor {
  // Copy into a fresh, aligned array: the Buffer may start at any byte offset.
  const bytes = weights.subarray(entry.offset, entry.offset + entry.length);
  const count = entry.length / 4;
  const values = entry.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
  new Uint8Array(values.buffer).set(bytes);
  return tf.tensor(values, entry.shape, entry.dtype);
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(',')}]`;

/**
 * Checks the stored networks against a built model; returns user-facing
 * differences. A translator has only some of the stored networks: those it
 * lacks are not a mismatch, those it has must all be stored.
 */
export function describeWeightMismatches(manifest: CheckpointManifest, model: InferenceModel<FamilyConfig>, options: { partial?: boolean } = {}): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(model.networks)) {
    if (!(name in manifest.networks)) problems.push(`the checkpoint has no network ${name}`);
  }
  for (const [name, group] of Object.entries(manifest.networks)) {
    const network = model.networks[name];
    if (network === undefined) {
      if (!options.partial) problems.push(`the checkpoint has a network ${name} this model does not have`);
      continue;
    }
    const expected = network.weights;
    if (expected.length !== group.weights.length) {
      problems.push(`network ${name} has ${group.weights.length} weights in the checkpoint, expected ${expected.length}`);
      continue;
    }
    group.weights.forEach((stored, i) => {
      const built = expected[i];
      if (built && shapeText(built.shape) !== shapeText(stored.shape)) {
        problems.push(`network ${name} weight ${stored.name} has shape ${shapeText(stored.shape)}, expected ${shapeText(built.shape)}`);
      }
    });
  }
  if ('optimizers' in model) {
    const optimizers = (model as GanModel).optimizers;
    for (const name of Object.keys(manifest.optimizers)) {
      if (!(name in optimizers)) problems.push(`the checkpoint has an optimizer ${name} this model does not have`);
    }
  }
  return problems;
}

function restoreNetworks(model: InferenceModel<FamilyConfig>, stored: StoredCheckpoint): void {
  for (const [name, network] of Object.entries(model.networks)) {
    const group = stored.manifest.networks[name]!;
    const tensors = group.weights.map((entry) => tensorFrom(entry, stored.weights));
    try {
      network.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
}

/**
 * Puts the stored weights, optimizer state and training state into `model`
 * (built from the same architecture). Throws, listing every difference, if
 * shapes disagree.
 */
export async function restoreCheckpoint(model: GanModel<FamilyConfig, unknown>, stored: StoredCheckpoint): Promise<void> {
  const problems = describeWeightMismatches(stored.manifest, model);
  if (problems.length > 0) throw new Error(`The checkpoint in ${stored.dir} does not fit this model: ${problems.join('; ')}`);
  restoreNetworks(model, stored);
  for (const [name, group] of Object.entries(stored.manifest.optimizers)) {
    const optimizer = model.optimizers[name];
    if (optimizer === undefined) continue;
    // setWeights replaces the moment variables without freeing the old ones.
    const old = await optimizer.getWeights();
    tf.dispose(old.map(({ tensor }) => tensor));
    const tensors = group.weights.map((entry) => ({ name: entry.name, tensor: tensorFrom(entry, stored.weights) }));
    try {
      await optimizer.setWeights(tensors);
    } finally {
      // The optimizer's variables hold their own references to this data.
      tf.dispose(tensors.map(({ tensor }) => tensor));
    }
  }
  const state = stored.manifest.trainingState;
  if (state && model.restoreTrainingState) {
    const tensors = Object.fromEntries(state.tensors.weights.map((entry) => [entry.name, tensorFrom(entry, stored.weights)]));
    model.restoreTrainingState({ json: state.json, tensors });
  }
}

// ------------------------------------------------------------------ loading a model

export interface LoadCheckpointOptions<C extends FamilyConfig = FamilyConfig> {
  /** The family to load into; by default the one the checkpoint names, looked up in `registry`. */
  family?: AnyFamily;
  /** Its model module, when the caller has it loaded already. */
  module?: FamilyModule<C>;
  /**
   * Settings to continue with, already parsed (see train/run-config.ts, which
   * also checks the architecture settings against the checkpoint's). Unset:
   * the checkpoint's own settings.
   */
  config?: C;
  registry?: FamilyRegistry;
}

export interface LoadedCheckpoint<C extends FamilyConfig = FamilyConfig> {
  model: GanModel<C, unknown>;
  family: AnyFamily;
  config: C;
  /** Completed steps; training resumes here. */
  step: number;
  manifest: CheckpointManifest;
  source: 'current' | 'previous';
  notice?: string;
}

async function familyOf(stored: StoredCheckpoint, options: { family?: AnyFamily; registry?: FamilyRegistry }): Promise<AnyFamily> {
  const { manifest } = stored;
  const registry = options.registry ?? builtInFamilies;
  if (options.family === undefined && !registry.has(manifest.family)) {
    throw new Error(`The checkpoint in ${stored.dir} is a ${manifest.family} model, which this GANvas cannot run (it knows ${registry.list().map((f) => f.id).join(', ')})`);
  }
  const family = options.family ?? registry.get(manifest.family);
  if (family.id !== manifest.family) {
    throw new Error(`The checkpoint in ${stored.dir} is a ${manifest.family} model; it cannot be loaded as ${family.title} (${family.id})`);
  }
  return family;
}

function storedConfigOf<C extends FamilyConfig>(family: AnyFamily, stored: StoredCheckpoint): C {
  try {
    return parseFamilyConfig(family, stored.manifest.config) as C;
  } catch (error) {
    throw new Error(`The checkpoint in ${stored.dir} has settings this version cannot use: ${(error as Error).message}`);
  }
}

/**
 * Loads the run's checkpoint into a freshly built, trainable model. Validates
 * the format, the family and every weight shape, with messages a user can act on.
 */
export async function loadCheckpoint<C extends FamilyConfig = FamilyConfig>(runDir: string, options: LoadCheckpointOptions<C> = {}): Promise<LoadedCheckpoint<C>> {
  const stored = await readCheckpoint(runDir);
  const family = await familyOf(stored, options);
  const storedConfig = storedConfigOf<C>(family, stored);
  const config = options.config ?? storedConfig;
  if (options.config !== undefined) {
    const mismatch = describeArchitectureMismatch(family, storedConfig, options.config);
    if (mismatch !== null) throw new Error(`Cannot continue from the checkpoint in ${stored.dir}: ${mismatch}`);
  }
  const module = options.module ?? ((await family.loadModel()) as FamilyModule<C>);
  const model = module.build(config);
  try {
    await restoreCheckpoint(model as GanModel<FamilyConfig, unknown>, stored);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return {
    model: model as GanModel<C, unknown>,
    family,
    config,
    step: stored.manifest.step,
    manifest: stored.manifest,
    source: stored.source,
    ...(stored.notice !== undefined ? { notice: stored.notice } : {}),
  };
}

export interface LoadedInferenceCheckpoint {
  model: InferenceModel<FamilyConfig>;
  family: AnyFamily;
  config: FamilyConfig;
  step: number;
  notice?: string;
}

/** Loads only the networks inference needs (no discriminators, no optimizer state) from a run's checkpoint. */
export async function loadCheckpointForInference(runDir: string, options: { registry?: FamilyRegistry } = {}): Promise<LoadedInferenceCheckpoint> {
  const stored = await readCheckpoint(runDir);
  const family = await familyOf(stored, options);
  const config = storedConfigOf<FamilyConfig>(family, stored);
  const model = (await family.loadModel()).buildInference(config);
  try {
    const problems = describeWeightMismatches(stored.manifest, model, { partial: true });
    if (problems.length > 0) throw new Error(`The checkpoint in ${stored.dir} does not fit this model: ${problems.join('; ')}`);
    restoreNetworks(model, stored);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, family, config, step: stored.manifest.step, ...(stored.notice !== undefined ? { notice: stored.notice } : {}) };
}
