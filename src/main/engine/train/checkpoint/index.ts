/**
 * Checkpoints: everything needed to continue a run or translate with it.
 *
 * Layout, inside a run directory:
 *   checkpoint/checkpoint.json   manifest (format version, family, full config, step, tensor index)
 *   checkpoint/weights.bin       every network weight and optimizer state, back to back
 *   checkpoint.prev/             the previous checkpoint, only while a new one is being put in place
 *
 * A checkpoint is written to a temporary directory, fsynced, and renamed into
 * place, so a crash at any moment leaves either the new or the previous
 * checkpoint loadable. Loading checks the family, the architecture settings
 * and every weight shape, and says in user terms what differs.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { parseFamilyConfig, type AnyGanFamily, type FamilyConfig, type GanModel } from '../gans/family.js';
import { families as builtInFamilies, type FamilyRegistry } from '../gans/registry.js';

export const CHECKPOINT_FORMAT_VERSION = 1;
export const CHECKPOINT_DIR = 'checkpoint';
export const PREVIOUS_CHECKPOINT_DIR = 'checkpoint.prev';
const MANIFEST_FILE = 'checkpoint.json';
const WEIGHTS_FILE = 'weights.bin';
const TEMP_PREFIX = 'checkpoint.tmp-';

const StoredTensor = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
  /** Byte offset and byte length in weights.bin. */
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});
export type StoredTensor = z.infer<typeof StoredTensor>;

const TensorGroup = z.object({ weights: z.array(StoredTensor) });

const Manifest = z.object({
  formatVersion: z.literal(CHECKPOINT_FORMAT_VERSION),
  family: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  /** Completed training steps; training resumes at this step. */
  step: z.number().int().nonnegative(),
  seed: z.number().int().nonnegative(),
  createdAt: z.string(),
  tfjsVersion: z.string(),
  /** Loss history lives in the run directory; entries with step < `step` belong to this checkpoint. */
  lossHistory: z.object({ file: z.string(), steps: z.number().int().nonnegative() }),
  weightsBytes: z.number().int().nonnegative(),
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  networks: z.record(z.string(), TensorGroup),
  optimizers: z.record(z.string(), TensorGroup),
});
export type CheckpointManifest = z.infer<typeof Manifest>;

import { LOSS_HISTORY_FILE } from './loss-history.js';
export { LOSS_HISTORY_FILE };

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

/**
 * Writes the model's networks and optimizer state as `<runDir>/checkpoint/`,
 * replacing the previous checkpoint only once the new one is complete on disk.
 * Returns the checkpoint directory.
 */
export async function saveCheckpoint<C extends FamilyConfig>(runDir: string, model: GanModel<C, unknown>, info: SaveCheckpointInfo): Promise<string> {
  await fs.mkdir(runDir, { recursive: true });
  await removeStaleTemporaries(runDir);
  const tempDir = path.join(runDir, `${TEMP_PREFIX}${process.pid}-${Date.now()}`);
  await fs.mkdir(tempDir);

  const owned: tf.Tensor[] = [];
  try {
    const groups: { kind: 'networks' | 'optimizers'; name: string; tensors: TensorToWrite[] }[] = [];
    for (const [name, network] of Object.entries(model.networks)) groups.push({ kind: 'networks', name, tensors: networkTensors(network) });
    for (const [name, optimizer] of Object.entries(model.optimizers)) {
      const state = await optimizerTensors(optimizer);
      owned.push(...state.owned);
      groups.push({ kind: 'optimizers', name, tensors: state.list });
    }

    const index: Pick<CheckpointManifest, 'networks' | 'optimizers'> = { networks: {}, optimizers: {} };
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
        index[group.kind][group.name] = { weights: stored };
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

async function readCheckpointDir(dir: string): Promise<Omit<StoredCheckpoint, 'source'>> {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fs.readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new Error(`${manifestPath} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${manifestPath} is not valid JSON (the file is damaged)`);
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > CHECKPOINT_FORMAT_VERSION) {
    throw new Error(`${manifestPath} has format version ${version}; this GANvas reads version ${CHECKPOINT_FORMAT_VERSION}. Update GANvas to load it.`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${manifestPath} is not a GANvas checkpoint (${first ? `${first.path.join('.') || 'file'}: ${first.message}` : 'unknown layout'})`);
  }
  const manifest = parsed.data;
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
  for (const group of [...Object.values(manifest.networks), ...Object.values(manifest.optimizers)]) {
    for (const entry of group.weights) {
      const count = entry.shape.reduce((a, b) => a * b, 1);
      if (entry.length !== count * 4 || entry.offset + entry.length > weights.byteLength) {
        throw new Error(`${manifestPath}: tensor ${entry.name} does not fit its shape or the weights file`);
      }
    }
  }
  return { manifest, dir, weights };
}

/** Whether the run directory holds a checkpoint folder at all (readable or not). */
export async function hasCheckpoint(runDir: string): Promise<boolean> {
  return (await exists(path.join(runDir, CHECKPOINT_DIR))) || (await exists(path.join(runDir, PREVIOUS_CHECKPOINT_DIR)));
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

/** Checks the stored networks against a built model; returns user-facing differences. */
export function describeWeightMismatches(manifest: CheckpointManifest, model: GanModel<FamilyConfig, unknown>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(model.networks)) {
    if (!(name in manifest.networks)) problems.push(`the checkpoint has no network ${name}`);
  }
  for (const [name, group] of Object.entries(manifest.networks)) {
    const network = model.networks[name];
    if (network === undefined) {
      problems.push(`the checkpoint has a network ${name} this model does not have`);
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
  for (const name of Object.keys(manifest.optimizers)) {
    if (!(name in model.optimizers)) problems.push(`the checkpoint has an optimizer ${name} this model does not have`);
  }
  return problems;
}

/**
 * Puts the stored weights and optimizer state into `model` (built from the
 * same architecture). Throws, listing every difference, if shapes disagree.
 */
export async function restoreCheckpoint(model: GanModel<FamilyConfig, unknown>, stored: StoredCheckpoint): Promise<void> {
  const problems = describeWeightMismatches(stored.manifest, model);
  if (problems.length > 0) throw new Error(`The checkpoint in ${stored.dir} does not fit this model: ${problems.join('; ')}`);

  for (const [name, group] of Object.entries(stored.manifest.networks)) {
    const network = model.networks[name];
    if (network === undefined) continue;
    const tensors = group.weights.map((entry) => tensorFrom(entry, stored.weights));
    try {
      network.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  }
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
}

// ------------------------------------------------------------------ loading a model

function valueText(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * The architecture settings on which two configs differ, in words:
 * "checkpoint was trained with size 64, ngf 32; this config asks for size 128, ngf 16".
 */
export function describeArchitectureMismatch(family: AnyGanFamily, stored: FamilyConfig, wanted: FamilyConfig): string | null {
  const keys = family.architectureKeys.filter(
    (key) => JSON.stringify((stored as Record<string, unknown>)[key]) !== JSON.stringify((wanted as Record<string, unknown>)[key]),
  );
  if (keys.length === 0) return null;
  const list = (config: FamilyConfig) => keys.map((key) => `${key} ${valueText((config as Record<string, unknown>)[key])}`).join(', ');
  return `checkpoint was trained with ${list(stored)}; this config asks for ${list(wanted)}`;
}

export interface LoadCheckpointOptions {
  /** The family to load into; by default the one the checkpoint names, looked up in `registry`. */
  family?: AnyGanFamily;
  /** Settings to continue with. Architecture settings must match the checkpoint's; others (steps, lr…) may change. */
  config?: unknown;
  registry?: FamilyRegistry;
}

export interface LoadedCheckpoint<C extends FamilyConfig = FamilyConfig> {
  model: GanModel<C, unknown>;
  family: AnyGanFamily;
  config: C;
  /** Completed steps; training resumes here. */
  step: number;
  manifest: CheckpointManifest;
  source: 'current' | 'previous';
  notice?: string;
}

/**
 * Loads the run's checkpoint into a freshly built model. Validates the format,
 * the family, the architecture settings (against `options.config` when given)
 * and every weight shape, with messages a user can act on.
 */
export async function loadCheckpoint(runDir: string, options: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const stored = await readCheckpoint(runDir);
  const { manifest } = stored;
  const family = options.family ?? (options.registry ?? builtInFamilies).get(manifest.family);
  if (family.id !== manifest.family) {
    throw new Error(`The checkpoint in ${stored.dir} is a ${manifest.family} model; it cannot be loaded as ${family.title} (${family.id})`);
  }
  let storedConfig: FamilyConfig;
  try {
    storedConfig = parseFamilyConfig(family, manifest.config);
  } catch (error) {
    throw new Error(`The checkpoint in ${stored.dir} has settings this version cannot use: ${(error as Error).message}`);
  }
  let config = storedConfig;
  if (options.config !== undefined) {
    config = parseFamilyConfig(family, options.config);
    const mismatch = describeArchitectureMismatch(family, storedConfig, config);
    if (mismatch !== null) throw new Error(`Cannot continue from the checkpoint in ${stored.dir}: ${mismatch}`);
  }
  const model = family.build(config) as GanModel<FamilyConfig, unknown>;
  try {
    await restoreCheckpoint(model, stored);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return {
    model,
    family,
    config,
    step: manifest.step,
    manifest,
    source: stored.source,
    ...(stored.notice !== undefined ? { notice: stored.notice } : {}),
  };
}
