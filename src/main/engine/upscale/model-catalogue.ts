// The pretrained super-resolution models that install with GANvas from npm.
// ESRGAN weights by idealo (image-super-resolution, trained on DIV2K), converted
// to tfjs layers format and published by UpscalerJS (MIT): @upscalerjs/esrgan-*.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type UpscaleScale = 2 | 3 | 4;
export type EsrganVariant = 'slim' | 'medium' | 'thick';

export interface UpscaleModelInfo {
  id: string;
  family: 'esrgan';
  variant: EsrganVariant;
  scale: UpscaleScale;
  /** model.json plus weight shards, on disk */
  sizeBytes: number;
  licence: 'MIT';
  source: string;
  /** true for the model used when only a scale is given */
  isDefault: boolean;
  /**
   * The pixel range the network was trained on: 0–1 for every variant. The
   * weights were trained with idealo's image-super-resolution, whose data
   * handler reads every patch as `imread(...) / 255.0` (ISR/utils/datahandler.py,
   * get_batch) and whose predictor does the same (image_processing.process_array).
   * UpscalerJS's definitions declare 0–255 for the RDN ones (slim, medium);
   * a near-linear ReLU network still works fed 0–255, but its biases then count
   * 255× less. Measured (36 photos of /usr/share/backgrounds and its mate
   * nature set, 252-px crops, centre and most detailed, PSNR-Y), 0–1 beats
   * 0–255 at ×4 (medium +0.46/+0.24 dB, on 66 of 72 crops; slim 0.00/+0.10,
   * 47 of 72) and ×3 (slim +0.06/+0.25, 61 of 72; medium +0.14/+0.06, 49 of
   * 72), and medium's mean level on a sky crop stops drifting (+0.9 → −0.1
   * levels, issue 14). At ×2 0–255 scores 0.1–0.2 dB higher, but so it does for
   * thick ×2, whose 0–1 range nobody disputes: that is our test downscale
   * suiting weaker biases, not a sign of the range the weights learnt.
   */
  inputRange: 255 | 1;
}

export const upscaleScales: readonly UpscaleScale[] = [2, 3, 4];
const variants: readonly EsrganVariant[] = ['slim', 'medium', 'thick'];

/**
 * Slim is the default for every scale: it is the fastest on CPU (measured on a
 * 2-core machine, wasm backend, one 128×128 tile at ×4: see the upscale notes),
 * and it already beats bicubic clearly on photos; medium/thick are opt-in.
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

/** Every installed model; a variant whose npm package is missing is simply not listed. */
export function listUpscaleModels(): UpscaleModelInfo[] {
  if (cached) return cached;
  const models: UpscaleModelInfo[] = [];
  for (const variant of variants) {
    for (const scale of upscaleScales) {
      const source = `@upscalerjs/esrgan-${variant}`;
      const folder = modelFolder({ source, scale });
      if (!folder) continue;
      models.push({
        id: `esrgan-${variant}-x${scale}`,
        family: 'esrgan',
        variant,
        scale,
        sizeBytes: folderSize(folder),
        licence: 'MIT',
        source,
        isDefault: variant === defaultVariant,
        inputRange: 1,
      });
    }
  }
  cached = models;
  return models;
}

export class UnknownUpscaleModelError extends Error {
  override readonly name = 'UnknownUpscaleModelError';
}

/**
 * The model for a request: an explicit id (must match the scale when both are given),
 * else the default for the scale. Errors name what does exist.
 */
export function chooseUpscaleModel(request: { scale?: number; model?: string }): UpscaleModelInfo {
  const models = listUpscaleModels();
  const ids = models.map((m) => m.id).join(', ') || 'none (reinstall GANvas: the @upscalerjs/esrgan-* packages are missing)';
  if (request.model !== undefined) {
    // Accept the short form too: "slim" + scale → esrgan-slim-x<scale>.
    const wanted = /^(slim|medium|thick)$/.test(request.model) && request.scale !== undefined
      ? `esrgan-${request.model}-x${request.scale}`
      : request.model;
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
    const scales = [...new Set(models.map((m) => m.scale))].map((s) => `×${s}`).join(', ') || 'none';
    throw new UnknownUpscaleModelError(`no model upscales ×${scale}; available scales: ${scales} (models: ${ids})`);
  }
  return found;
}
