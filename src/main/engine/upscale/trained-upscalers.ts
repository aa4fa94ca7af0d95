/**
 * SRGAN models (our own SRResNet family, gans/srgan/) as upscalers beside the
 * pretrained ESRGANs: the exported-model folders GANvas ships in
 * `<install>/models/` (`bundled:<name>`) and those the user put in
 * `<data dir>/models/` (`user:<name>`, e.g. from `ganvas export`).
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
import { packageRoot } from '../install-location.js';
import { MODEL_FILE, MODEL_WEIGHTS_FILE, parseExportedModelManifest, type ExportedModelManifest } from '../models/exported-model.js';

/** Where SRGAN upscalers are looked for; `bundledDir` defaults to `<install>/models`. */
export interface UpscaleModelFolders {
  dataDir?: string;
  bundledDir?: string;
}

export interface TrainedUpscaler {
  /** The model catalogue's id: 'bundled:<name>' or 'user:<name>'. */
  id: string;
  name: string;
  dir: string;
  scale: 2 | 3 | 4;
  sizeBytes: number;
  isDefault: boolean;
  receptiveRadius: number;
  manifest: ExportedModelManifest;
}

const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The SRResNet's receptive-field radius in input pixels, from its settings
 * (what upscale/model-geometry.ts measures on the built network; a test
 * checks they agree): the 9×9 head (4), two 3×3 convolutions per residual
 * block, the body's 3×3, one 3×3 before each pixel shuffle at the resolution
 * it runs at, the 9×9 tail at the output resolution; the bicubic image skip
 * reads 2 pixels either side.
 */
export function srresnetReceptiveRadius(config: { scale: number; blocks: number }): number {
  const factors = config.scale === 4 ? [2, 2] : [config.scale];
  let radius = 4 + 2 * config.blocks + 1;
  let at = 1;
  for (const factor of factors) {
    radius += 1 / at;
    at *= factor;
  }
  radius += 4 / config.scale;
  return Math.ceil(Math.max(radius, 2));
}

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

function upscalersIn(parent: string, prefix: 'bundled' | 'user'): TrainedUpscaler[] {
  let names: string[];
  try {
    names = readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && FOLDER_NAME.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  const found: TrainedUpscaler[] = [];
  for (const name of names) {
    const dir = path.join(parent, name);
    const manifest = readManifestSync(dir);
    if (manifest?.family !== 'srgan') continue;
    const { scale, blocks, channels } = manifest.config as { scale?: unknown; blocks?: unknown; channels?: unknown };
    // The schema's defaults (gans/srgan/config.ts) for settings an older export left out.
    const s = scale ?? 4;
    const b = blocks ?? 16;
    if ((s !== 2 && s !== 3 && s !== 4) || typeof b !== 'number' || (channels ?? 3) !== 3) continue;
    let sizeBytes = 0;
    for (const file of [MODEL_FILE, MODEL_WEIGHTS_FILE]) {
      try {
        sizeBytes += statSync(path.join(dir, file)).size;
      } catch {
        // a missing weights file fails when the model loads, with its own message
      }
    }
    found.push({
      id: `${prefix}:${name}`,
      name,
      dir,
      scale: s,
      sizeBytes,
      isDefault: prefix === 'bundled' && manifest.default === true,
      receptiveRadius: srresnetReceptiveRadius({ scale: s, blocks: b }),
      manifest,
    });
  }
  return found;
}

/** Every SRGAN upscaler in the bundled folder, then the user's. */
export function listTrainedUpscalers(folders: UpscaleModelFolders = {}): TrainedUpscaler[] {
  const bundledDir = folders.bundledDir ?? path.join(packageRoot(), 'models');
  return [...upscalersIn(bundledDir, 'bundled'), ...(folders.dataDir ? upscalersIn(path.join(folders.dataDir, 'models'), 'user') : [])];
}

/** The smallest tile an SRGAN upscaler accepts (shared/upscale-tiles.ts's rule). */
export function smallestTileOf(upscaler: TrainedUpscaler): number {
  return smallestTileFor(upscaler.receptiveRadius);
}
