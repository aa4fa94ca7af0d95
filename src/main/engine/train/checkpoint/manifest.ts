/**
 * A checkpoint's manifest (`<run>/checkpoint/checkpoint.json`): its format,
 * and the one reader of it that needs no tfjs. The main thread (checking a
 * training request before queueing it), the model catalogue (listing runs)
 * and the checkpoint loader all read manifests through here, so they agree
 * on what a readable checkpoint is.
 *
 * Layout, inside a run directory:
 *   checkpoint/checkpoint.json   this manifest (format version, family, full config, step, tensor index)
 *   checkpoint/weights.bin       every network weight, optimizer state and training-state tensor, back to back
 *   checkpoint.prev/             the previous checkpoint, only while a new one is being put in place
 */
import { access, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';

export const CHECKPOINT_FORMAT_VERSION = 1;
export const CHECKPOINT_DIR = 'checkpoint';
export const PREVIOUS_CHECKPOINT_DIR = 'checkpoint.prev';
export const MANIFEST_FILE = 'checkpoint.json';
export const WEIGHTS_FILE = 'weights.bin';

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

export const CheckpointManifest = z.object({
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
  /**
   * The family's training state beyond weights and optimizers (GanModel.trainingState):
   * its JSON part, and its tensors in weights.bin. Absent for families without one.
   */
  trainingState: z.object({ json: z.unknown(), tensors: TensorGroup }).optional(),
});
export type CheckpointManifest = z.infer<typeof CheckpointManifest>;

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Whether the run directory holds a checkpoint folder at all (readable or not). */
export async function hasCheckpoint(runDir: string): Promise<boolean> {
  return (await exists(path.join(runDir, CHECKPOINT_DIR))) || (await exists(path.join(runDir, PREVIOUS_CHECKPOINT_DIR)));
}

/** Reads and validates the manifest in a checkpoint folder; throws a message naming the file and what is wrong. */
export async function readManifestIn(dir: string): Promise<CheckpointManifest> {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
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
  const parsed = CheckpointManifest.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${manifestPath} is not a GANvas checkpoint (${first ? `${first.path.join('.') || 'file'}: ${first.message}` : 'unknown layout'})`);
  }
  return parsed.data;
}

export interface ManifestOfRun {
  manifest: CheckpointManifest;
  /** The checkpoint folder it came from. */
  dir: string;
  source: 'current' | 'previous';
}

/**
 * The newest readable manifest of a run: checkpoint/, else checkpoint.prev/
 * (a save was interrupted). Null when the folder holds no checkpoint;
 * throws when it holds one that cannot be read.
 */
export async function readRunManifest(runDir: string): Promise<ManifestOfRun | null> {
  if (!(await hasCheckpoint(runDir))) return null;
  const problems: string[] = [];
  for (const [folder, source] of [[CHECKPOINT_DIR, 'current'], [PREVIOUS_CHECKPOINT_DIR, 'previous']] as const) {
    const dir = path.join(runDir, folder);
    if (!(await exists(dir))) continue;
    try {
      return { manifest: await readManifestIn(dir), dir, source };
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  throw new Error(`${runDir} holds a checkpoint that cannot be read (${problems.join('; ')}); choose another run folder or delete ${path.join(runDir, CHECKPOINT_DIR)}`);
}
