/**
 * Our own trained models as upscalers beside the pretrained ESRGANs: those
 * of every family whose descriptor upscales (`uses` has 'upscale' and it has
 * `upscaleGeometry`; today SRGAN, gans/srgan/): the exported-model folders GANvas ships in
 * `<install>/models/` (`bundled:<name>`), those the user put in
 * `<data dir>/models/` (`user:<name>`, e.g. from `ganvas export-model`), and
 * the user's training runs in `<data dir>/runs/` (`run:<name>`, their latest
 * checkpoint), so a model trained in the studio upscales without an export.
 *
 * Read synchronously and from the small model.json only (no weights, no
 * tfjs): the main thread checks an upscale request with it before anything
 * is queued, and the job's params schema is synchronous.
 *
 * A bundled model becomes the default for its scale when its model.json says
 * `"default": true` (see exported-model.ts). Only bundled models count: a
 * model a user copied in keeps whatever flag it had, and the default must not
 * depend on whose data folder a worker sees.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { smallestTileFor } from '../../../shared/upscale-tiles.js';
import type { UpscaleGeometry } from '../gans/family.js';
import { families } from '../gans/registry.js';
import { packageRoot } from '../install-location.js';
import { MODEL_FILE, MODEL_WEIGHTS_FILE, parseExportedModelManifest, type ExportedModelManifest } from '../models/exported-model.js';
import { CHECKPOINT_DIR, MANIFEST_FILE, PREVIOUS_CHECKPOINT_DIR, WEIGHTS_FILE } from '../train/checkpoint/manifest.js';

/** Where trained upscalers are looked for; `bundledDir` defaults to `<install>/models`. */
export interface UpscaleModelFolders {
  dataDir?: string;
  bundledDir?: string;
}

export interface TrainedUpscaler {
  /** The family id from its model.json or checkpoint manifest (one whose descriptor upscales). */
  family: string;
  /** The model catalogue's id: 'bundled:<name>', 'user:<name>' or 'run:<name>'. */
  id: string;
  name: string;
  /** An exported model's folder, or a run's folder. */
  dir: string;
  kind: 'exported' | 'run';
  /** The file whose change means new weights (model.json, or the checkpoint's manifest). */
  versionFile: string;
  /** Training steps behind the weights, when known. */
  step: number | null;
  scale: 2 | 3 | 4;
  sizeBytes: number;
  isDefault: boolean;
  receptiveRadius: number;
  /** The card, for exported models. */
  card?: ExportedModelManifest['card'];
}

const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function readManifestSync(dir: string): ExportedModelManifest | null {
  let text: string;
  try {
    text = readFileSync(path.join(dir, MODEL_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    return parseExportedModelManifest(JSON.parse(text), path.join(dir, MODEL_FILE));
  } catch {
    // A damaged folder is the models catalogue's to report (models.list's problems); it is no upscaler.
    return null;
  }
}

function subfolders(parent: string): string[] {
  try {
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && FOLDER_NAME.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

function sizeOf(files: string[]): number {
  let bytes = 0;
  for (const file of files) {
    try {
      bytes += statSync(file).size;
    } catch {
      // a missing weights file fails when the model loads, with its own message
    }
  }
  return bytes;
}

/**
 * Scale and radius of a model of family `familyId` from its config, or null
 * when that family does not upscale (its descriptor has no `upscaleGeometry`)
 * or this config cannot upscale RGB photos.
 */
function geometryOf(familyId: unknown, config: unknown): UpscaleGeometry | null {
  if (typeof familyId !== 'string' || !families.has(familyId) || typeof config !== 'object' || config === null) return null;
  const family = families.get(familyId);
  if (!family.uses.includes('upscale') || !family.upscaleGeometry) return null;
  return family.upscaleGeometry(config as Record<string, unknown>);
}

function exportedUpscalersIn(parent: string, prefix: 'bundled' | 'user'): TrainedUpscaler[] {
  const found: TrainedUpscaler[] = [];
  for (const name of subfolders(parent)) {
    const dir = path.join(parent, name);
    const manifest = readManifestSync(dir);
    const geometry = manifest ? geometryOf(manifest.family, manifest.config) : null;
    if (!manifest || !geometry) continue;
    found.push({
      family: manifest.family,
      id: `${prefix}:${name}`,
      name,
      dir,
      kind: 'exported',
      versionFile: path.join(dir, MODEL_FILE),
      step: manifest.step,
      ...geometry,
      sizeBytes: sizeOf([path.join(dir, MODEL_FILE), path.join(dir, MODEL_WEIGHTS_FILE)]),
      isDefault: prefix === 'bundled' && manifest.default === true,
      ...(manifest.card ? { card: manifest.card } : {}),
    });
  }
  return found;
}

/**
 * Training runs of an upscaling family with a checkpoint (the current one, or the previous
 * one while a new one is being put in place: train/checkpoint/manifest.ts).
 * Only the manifest's family and config are read here; the loader checks the rest.
 */
function runUpscalersIn(runsDir: string): TrainedUpscaler[] {
  const found: TrainedUpscaler[] = [];
  for (const name of subfolders(runsDir)) {
    const runDir = path.join(runsDir, name);
    for (const checkpoint of [CHECKPOINT_DIR, PREVIOUS_CHECKPOINT_DIR]) {
      const file = path.join(runDir, checkpoint, MANIFEST_FILE);
      let manifest: { family?: unknown; config?: unknown; step?: unknown };
      try {
        manifest = JSON.parse(readFileSync(file, 'utf8')) as typeof manifest;
      } catch {
        continue;
      }
      const geometry = geometryOf(manifest.family, manifest.config);
      if (!geometry) break;
      found.push({
        family: manifest.family as string,
        id: `run:${name}`,
        name,
        dir: runDir,
        kind: 'run',
        versionFile: file,
        step: typeof manifest.step === 'number' ? manifest.step : null,
        ...geometry,
        sizeBytes: sizeOf([file, path.join(runDir, checkpoint, WEIGHTS_FILE)]),
        isDefault: false,
      });
      break;
    }
  }
  return found;
}

/** Every trained upscaler: the bundled folder's, then the user's exported models and training runs. */
export function listTrainedUpscalers(folders: UpscaleModelFolders = {}): TrainedUpscaler[] {
  const bundledDir = folders.bundledDir ?? path.join(packageRoot(), 'models');
  return [
    ...exportedUpscalersIn(bundledDir, 'bundled'),
    ...(folders.dataDir ? exportedUpscalersIn(path.join(folders.dataDir, 'models'), 'user') : []),
    ...(folders.dataDir ? runUpscalersIn(path.join(folders.dataDir, 'runs')) : []),
  ];
}

/** The smallest tile a trained upscaler accepts (shared/upscale-tiles.ts's rule). */
export function smallestTileOf(upscaler: TrainedUpscaler): number {
  return smallestTileFor(upscaler.receptiveRadius);
}
