/**
 * The settings of a training run: fresh from what the user asked, or, when
 * resuming, the checkpoint's own settings with the user's changes on top
 * (so `--resume --steps 2000` keeps size, ngf, seed… as they were).
 *
 * Reads the checkpoint manifest as plain JSON, without tfjs, so the API can
 * check a request on the main thread before a job is queued.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFamilyConfig, type FamilyConfig, type GanFamily } from '../gans/family.js';

/** The part of a run folder's checkpoint that decides how it continues. */
export interface StoredRun {
  step: number;
  family: string;
  config: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Whether the folder already holds a run (a checkpoint, even a damaged one). */
export async function holdsRun(runDir: string): Promise<boolean> {
  return (await exists(join(runDir, 'checkpoint'))) || (await exists(join(runDir, 'checkpoint.prev')));
}

/** The newest readable manifest of the run, or null when the folder holds no run. */
export async function readStoredRun(runDir: string): Promise<StoredRun | null> {
  if (!(await holdsRun(runDir))) return null;
  for (const dir of ['checkpoint', 'checkpoint.prev']) {
    try {
      const manifest = JSON.parse(await readFile(join(runDir, dir, 'checkpoint.json'), 'utf8')) as unknown;
      if (isObject(manifest) && typeof manifest.step === 'number' && typeof manifest.family === 'string' && isObject(manifest.config)) {
        return { step: manifest.step, family: manifest.family, config: manifest.config };
      }
    } catch {
      // Try the previous checkpoint; the trainer reports damage in detail when it loads.
    }
  }
  throw new Error(`${runDir} holds a checkpoint that cannot be read; choose another run folder or delete ${join(runDir, 'checkpoint')}`);
}

/** Merges `changes` into `base`, one level deep for nested settings such as lr: { G, D }. */
function withChanges(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    const old = merged[key];
    merged[key] = isObject(old) && isObject(value) ? { ...old, ...value } : value;
  }
  return merged;
}

export interface RunConfigRequest {
  runDir: string;
  /** What the user set; the rest comes from the checkpoint (resume) or the family defaults. */
  requested: Record<string, unknown>;
  resume: boolean;
  /** Used only for a fresh run, under `requested` (e.g. the CLI's --size 64 default). */
  freshDefaults?: Record<string, unknown>;
}

export interface RunConfig<C> {
  config: C;
  /** The checkpoint's step when the run continues, else null. */
  resumeFrom: number | null;
}

/**
 * Checks a run request the way the trainer will, with messages for the user:
 * invalid settings, a folder that already holds a run (without `resume`),
 * a run of another family, or changed architecture settings.
 */
export async function resolveRunConfig<C extends FamilyConfig>(family: GanFamily<C, unknown>, request: RunConfigRequest): Promise<RunConfig<C>> {
  const stored = await readStoredRun(request.runDir);
  if (stored === null) {
    return { config: parseFamilyConfig(family, withChanges(request.freshDefaults ?? {}, request.requested)), resumeFrom: null };
  }
  if (!request.resume) {
    throw new Error(
      `${request.runDir} already holds a training run (checkpoint at step ${stored.step}). Resume it, or choose another run name.`,
    );
  }
  if (stored.family !== family.id) {
    throw new Error(`${request.runDir} holds a ${stored.family} run; it cannot be continued as ${family.title}`);
  }
  const config = parseFamilyConfig(family, withChanges(stored.config, request.requested));
  const storedConfig = parseFamilyConfig(family, stored.config);
  const changed = family.architectureKeys.filter((key) => JSON.stringify(storedConfig[key]) !== JSON.stringify(config[key]));
  if (changed.length > 0) {
    const list = (c: C) => changed.map((key) => `${key} ${JSON.stringify(c[key]) ?? 'unset'}`).join(', ');
    throw new Error(
      `Cannot continue ${request.runDir}: it was trained with ${list(storedConfig)}; these settings ask for ${list(config)}. Start a new run to change them.`,
    );
  }
  if (config.steps <= stored.step) {
    throw new Error(`${request.runDir} is already at step ${stored.step} of ${config.steps}; ask for more steps to continue it`);
  }
  return { config, resumeFrom: stored.step };
}
