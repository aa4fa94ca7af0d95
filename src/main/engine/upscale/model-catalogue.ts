// The super-resolution models the Upscale pipeline can run:
//   - the pretrained ESRGANs that install with GANvas from npm: weights by
//     idealo (image-super-resolution, trained on DIV2K), converted to tfjs
//     layers format and published by UpscalerJS (MIT): @upscalerjs/esrgan-*;
//   - our own SRGAN models (SRResNet): bundled, the user's exported ones and
//     the user's training runs (trained-upscalers.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { smallestUpscaleTiles } from '../../../shared/upscale-tiles.js';
import { families } from '../gans/registry.js';
import { listTrainedUpscalers, smallestTileOf, type UpscaleModelFolders } from './trained-upscalers.js';

export type { UpscaleModelFolders } from './trained-upscalers.js';

export type UpscaleScale = 2 | 3 | 4;
export type EsrganVariant = 'slim' | 'medium' | 'thick';
/** 'esrgan' for the npm ESRGANs (no trainable family), else the trained model's family id. */
export type UpscaleFamily = string;

export interface UpscaleModelInfo {
  /** The engine's id: 'esrgan-slim-x4' for the npm ESRGANs; the catalogue id ('bundled:<name>', 'user:<name>', 'run:<name>') for SRGAN models. */
  id: string;
  /** The id `models.list` gives it: 'npm:esrgan-slim-x4', 'bundled:<name>', 'user:<name>', 'run:<name>'. */
  catalogueId: string;
  family: UpscaleFamily;
  /** Short name: 'slim' | 'medium' | 'thick' for ESRGANs, the folder name for SRGAN models. */
  variant: string;
  title: string;
  scale: UpscaleScale;
  /** Weights plus manifest, on disk */
  sizeBytes: number;
  licence: string;
  /** The npm package, or the model folder. */
  source: string;
  /** true for the model used when only a scale is given */
  isDefault: boolean;
  /**
   * The pixel range the network reads and writes, [low, high] for 0 and 255.
   * SRGAN works in [-1, 1] (gans/srgan/generator.ts; its tail is linear, and
   * clamped here). Every ESRGAN variant was trained on 0–1: the weights were
   * trained with idealo's image-super-resolution, whose data handler reads
   * every patch as `imread(...) / 255.0` (ISR/utils/datahandler.py,
   * get_batch) and whose predictor does the same
   * (image_processing.process_array). UpscalerJS's definitions declare 0–255
   * for the RDN ones (slim, medium); a near-linear ReLU network still works
   * fed 0–255, but its biases then count 255× less. Measured (36 photos of
   * /usr/share/backgrounds and its mate nature set, 252-px crops, centre and
   * most detailed, PSNR-Y), 0–1 beats 0–255 at ×4 (medium +0.46/+0.24 dB, on
   * 66 of 72 crops; slim 0.00/+0.10, 47 of 72) and ×3 (slim +0.06/+0.25, 61
   * of 72; medium +0.14/+0.06, 49 of 72), and medium's mean level on a sky
   * crop stops drifting (+0.9 → −0.1 levels, issue 14). At ×2 0–255 scores
   * 0.1–0.2 dB higher, but so it does for thick ×2, whose 0–1 range nobody
   * disputes: that is our test downscale suiting weaker biases, not a sign of
   * the range the weights learnt.
   */
  pixelRange: readonly [number, number];
  /** The smallest tile side it accepts (shared/upscale-tiles.ts), known without loading it. */
  smallestTile: number;
  /** SRGAN: where its weights load from: an exported-model folder, or a training run (its latest checkpoint). */
  folder?: string;
  location?: 'exported' | 'run';
  /** SRGAN: the file whose change means new weights (the loaded model is cached until it changes). */
  versionFile?: string;
  /** From the model card, when it has one. */
}

export const upscaleScales: readonly UpscaleScale[] = [2, 3, 4];
const variants: readonly EsrganVariant[] = ['slim', 'medium', 'thick'];

/**
 * Slim is the default where no bundled SRGAN model is marked: it is the
 * fastest on CPU. It does not beat the SR papers' bicubic on photos (Keys,
 * eval-sr on detailed mate crops ×4: 30.03 against 30.16 dB; it is sharper,
 * SSIM 0.815 against 0.809); medium/thick are opt-in.
 */
const defaultVariant: EsrganVariant = 'slim';

const requireFromHere = createRequire(import.meta.url);

/** The installed package's root folder; its package.json is not exported, so walk up from the entry file. */
export function packageRoot(packageName: string): string | undefined {
  let entry: string;
  try {
    entry = requireFromHere.resolve(packageName);
  } catch {
    return undefined;
  }
  let dir = path.dirname(entry);
  while (dir !== path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'models'))) return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Folder with model.json and its shards, or undefined when the package is missing. */
export function modelFolder(info: Pick<UpscaleModelInfo, 'source' | 'scale'>): string | undefined {
  const root = packageRoot(info.source);
  if (!root) return undefined;
  const folder = path.join(root, 'models', `x${info.scale}`);
  return existsSync(path.join(folder, 'model.json')) ? folder : undefined;
}

function folderSize(folder: string): number {
  return readdirSync(folder).reduce((sum, name) => sum + statSync(path.join(folder, name)).size, 0);
}

let cached: UpscaleModelInfo[] | undefined;

/** Every installed ESRGAN; a variant whose npm package is missing is simply not listed. */
export function listPackagedUpscaleModels(): UpscaleModelInfo[] {
  if (cached) return cached;
  const models: UpscaleModelInfo[] = [];
  for (const variant of variants) {
    for (const scale of upscaleScales) {
      const source = `@upscalerjs/esrgan-${variant}`;
      const folder = modelFolder({ source, scale });
      if (!folder) continue;
      models.push({
        id: `esrgan-${variant}-x${scale}`,
        catalogueId: `npm:esrgan-${variant}-x${scale}`,
        family: 'esrgan',
        variant,
        title: `ESRGAN ${variant} ×${scale}`,
        scale,
        sizeBytes: folderSize(folder),
        licence: 'MIT',
        source,
        isDefault: variant === defaultVariant,
        pixelRange: [0, 1],
        smallestTile: smallestUpscaleTiles[variant],
      });
    }
  }
  cached = models;
  return models;
}

/**
 * Every upscaler: the SRGAN models (bundled, then the user's models and runs
 * when `folders` has a data folder) first, then the installed ESRGANs. A bundled SRGAN model
 * marked `"default": true` is the default for its scale instead of slim.
 */
export function listUpscaleModels(folders: UpscaleModelFolders = {}): UpscaleModelInfo[] {
  const trained = listTrainedUpscalers(folders).map(
    (m): UpscaleModelInfo => ({
      id: m.id,
      catalogueId: m.id,
      family: m.family,
      variant: m.name,
      title: m.card?.title ?? (m.kind === 'run' ? `${m.name} (training run${m.step !== null ? `, step ${m.step}` : ''})` : `${families.get(m.family).title} ${m.name} ×${m.scale}`),
      scale: m.scale,
      sizeBytes: m.sizeBytes,
      licence: m.card?.licence ?? 'unknown',
      source: m.dir,
      isDefault: m.isDefault,
      // Every family's networks read and write [-1, 1] (gans/family.ts, InferenceModel.translate).
      pixelRange: [-1, 1],
      smallestTile: smallestTileOf(m),
      folder: m.dir,
      location: m.kind,
      versionFile: m.versionFile,
      ...(m.card?.description ? { description: m.card.description } : {}),
    }),
  );
  // One default per scale: the first marked SRGAN (folders sorted by name), else slim.
  const defaultScales = new Set<number>();
  for (const m of trained) {
    if (!m.isDefault) continue;
    if (defaultScales.has(m.scale)) m.isDefault = false;
    defaultScales.add(m.scale);
  }
  const packaged = listPackagedUpscaleModels().map((m) => (m.isDefault && defaultScales.has(m.scale) ? { ...m, isDefault: false } : m));
  return [...trained, ...packaged];
}

export class UnknownUpscaleModelError extends Error {
  override readonly name = 'UnknownUpscaleModelError';
}

/**
 * The model for a request: an explicit id (must match the scale when both are given),
 * else the default for the scale. Errors name what does exist.
 */
export function chooseUpscaleModel(request: { scale?: number; model?: string }, folders: UpscaleModelFolders = {}): UpscaleModelInfo {
  const models = listUpscaleModels(folders);
  const ids = models.map((m) => m.id).join(', ') || 'none (reinstall GANvas: the @upscalerjs/esrgan-* packages are missing)';
  if (request.model !== undefined) {
    // Accept the short form too: "slim" + scale → esrgan-slim-x<scale>; and the catalogue's npm: prefix.
    const model = request.model.replace(/^npm:/, '');
    const wanted = /^(slim|medium|thick)$/.test(model) && request.scale !== undefined
      ? `esrgan-${model}-x${request.scale}`
      : model;
    const found = models.find((m) => m.id === wanted);
    if (!found) throw new UnknownUpscaleModelError(`unknown upscale model "${request.model}"; installed models: ${ids}`);
    if (request.scale !== undefined && found.scale !== request.scale) {
      throw new UnknownUpscaleModelError(
        `model ${found.id} upscales ×${found.scale}, not ×${request.scale}; pick a ×${request.scale} model (${models
          .filter((m) => m.scale === request.scale)
          .map((m) => m.id)
          .join(', ') || 'none installed'})`,
      );
    }
    return found;
  }
  const scale = request.scale ?? 4;
  const found = models.find((m) => m.scale === scale && m.isDefault) ?? models.find((m) => m.scale === scale);
  if (!found) {
    const scales = [...new Set(models.map((m) => m.scale))].sort((a, b) => a - b).map((s) => `×${s}`).join(', ') || 'none';
    throw new UnknownUpscaleModelError(`no model upscales ×${scale}; available scales: ${scales} (models: ${ids})`);
  }
  return found;
}
