/**
 * The settings of a training run: fresh from what the user asked, or, when
 * resuming, the checkpoint's own settings with the user's changes on top
 * (so `--resume --steps 2000` keeps size, ngf, seed… as they were).
 *
 * This is where a run's config is parsed and validated, once: the API (on
 * the main thread, before a job is queued), the job and the CLI call it and
 * pass the parsed config on. Reads the checkpoint manifest without tfjs.
 */
import { parseFamilyConfig, type FamilyConfig, type FamilyDescriptor } from '../gans/family.js';
import { readRunManifest } from './checkpoint/manifest.js';

/** The part of a run folder's checkpoint that decides how it continues. */
export interface StoredRun {
  step: number;
  family: string;
  config: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The newest readable manifest of the run, or null when the folder holds no run. */
export async function readStoredRun(runDir: string): Promise<StoredRun | null> {
  const found = await readRunManifest(runDir);
  return found === null ? null : { step: found.manifest.step, family: found.manifest.family, config: found.manifest.config };
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

function valueText(value: unknown): string {
  return JSON.stringify(value) ?? 'unset';
}

/**
 * The architecture settings on which two configs differ, in words:
 * "it was trained with size 64, ngf 32; these settings ask for size 128, ngf 16".
 */
export function describeArchitectureMismatch<C extends FamilyConfig>(family: FamilyDescriptor<C>, stored: C, wanted: C): string | null {
  const keys = family.architectureKeys.filter((key) => JSON.stringify(stored[key]) !== JSON.stringify(wanted[key]));
  if (keys.length === 0) return null;
  const list = (config: C) => keys.map((key) => `${key} ${valueText(config[key])}`).join(', ');
  return `it was trained with ${list(stored)}; these settings ask for ${list(wanted)}`;
}

export interface RunConfigRequest {
  runDir: string;
  /** What the user set; the rest comes from the checkpoint (resume) or the family defaults. */
  requested: Record<string, unknown>;
  resume: boolean;
  /** Used only for a fresh run, under `requested` (e.g. the CLI's preset). */
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
export async function resolveRunConfig<C extends FamilyConfig>(family: FamilyDescriptor<C>, request: RunConfigRequest): Promise<RunConfig<C>> {
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
  const mismatch = describeArchitectureMismatch(family, storedConfig, config);
  if (mismatch !== null) throw new Error(`Cannot continue ${request.runDir}: ${mismatch}. Start a new run to change them.`);
  if (config.steps <= stored.step) {
    throw new Error(`${request.runDir} is already at step ${stored.step} of ${config.steps}; ask for more steps to continue it`);
  }
  return { config, resumeFrom: stored.step };
}
