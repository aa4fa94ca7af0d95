// Measures pretrained upscalers against bicubic on the user's own photos:
// each high-resolution crop is shrunk by bicubic (antialiased, as MATLAB's
// imresize that the SR benchmarks use), brought back by every method, and
// compared with the original on Y (see metrics.ts).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { cropRaw, decodeImage, resizeImage, type RawImage } from '../image/index.js';
import { loadUpscaleModel } from './load-model.js';
import { lumaBt601, psnrY, ssimY } from './metrics.js';
import { chooseUpscaleModel, type UpscaleModelFolders } from './model-catalogue.js';
import { tileLayoutFor } from './tile-layout.js';
import { upscaleImage } from './upscale-image.js';
import { isImageFileName } from './image-files.js';

export const bicubicMethod = 'bicubic';

export interface EvaluateOptions {
  scale: number;
  /** Model ids; default: every installed model of this scale. */
  models?: string[];
  maxImages?: number;
  /** Side of the square high-resolution crop (rounded down to a multiple of the scale). */
  cropSize?: number;
  /**
   * 'center', or 'detailed': the crop on a grid with the most luma gradient.
   * Flat regions (sky, bokeh) say little about super-resolution and let a
   * model's ±1-level colour bias dominate PSNR.
   */
  crop?: 'center' | 'detailed';
  onImage?: (done: number, total: number, file: string) => void;
  /** Where SRGAN models are looked for (a user's `user:<name>` needs the data folder). */
  folders?: UpscaleModelFolders;
}

export interface MethodScore {
  method: string;
  psnr: number;
  ssim: number;
}

export interface EvaluationReport {
  scale: number;
  cropSize: number;
  images: { file: string; scores: MethodScore[] }[];
  /** Mean over images, per method; bicubic first. */
  summary: (MethodScore & { images: number })[];
  failures: { file: string; reason: string }[];
}

function gradientEnergy(image: RawImage): number {
  const y = lumaBt601(image);
  let total = 0;
  for (let r = 0; r < y.height - 1; r++) {
    for (let c = 0; c < y.width - 1; c++) {
      const i = r * y.width + c;
      total += Math.abs(y.data[i + 1]! - y.data[i]!) + Math.abs(y.data[i + y.width]! - y.data[i]!);
    }
  }
  return total;
}

function chooseCrop(image: RawImage, size: number, mode: 'center' | 'detailed'): RawImage {
  if (mode === 'center') {
    return cropRaw(image, { left: Math.floor((image.width - size) / 2), top: Math.floor((image.height - size) / 2), width: size, height: size });
  }
  let best: RawImage | undefined;
  let bestEnergy = -1;
  for (let top = 0; top + size <= image.height; top += size) {
    for (let left = 0; left + size <= image.width; left += size) {
      const candidate = cropRaw(image, { left, top, width: size, height: size });
      const energy = gradientEnergy(candidate);
      if (energy > bestEnergy) [best, bestEnergy] = [candidate, energy];
    }
  }
  return best!;
}

export async function evaluateUpscalers(dir: string, options: EvaluateOptions): Promise<EvaluationReport> {
  const { scale } = options;
  const modelIds = options.models ?? (await import('./model-catalogue.js')).listUpscaleModels(options.folders).filter((m) => m.scale === scale).map((m) => m.id);
  const models = await Promise.all(modelIds.map((id) => loadUpscaleModel(chooseUpscaleModel({ model: id, scale }, options.folders))));
  const cropSize = Math.floor((options.cropSize ?? 128) / scale) * scale;
  if (cropSize < 16 + 2 * scale) throw new RangeError(`crop size must be at least ${16 + 2 * scale} px at ×${scale}`);
  const files = (await readdir(dir)).filter(isImageFileName).sort().slice(0, options.maxImages ?? Infinity);
  if (files.length === 0) throw new Error(`${dir}: no images found (looked for PNG, JPEG, WebP, TIFF, GIF, AVIF files)`);

  const report: EvaluationReport = { scale, cropSize, images: [], summary: [], failures: [] };
  for (const [index, file] of files.entries()) {
    options.onImage?.(index, files.length, file);
    let hr: RawImage;
    try {
      const image = await decodeImage(path.join(dir, file), { flatten: true });
      if (image.width < cropSize || image.height < cropSize) {
        throw new Error(`${file}: ${image.width}×${image.height} is smaller than the ${cropSize} px crop`);
      }
      hr = chooseCrop(image, cropSize, options.crop ?? 'center');
    } catch (error) {
      report.failures.push({ file, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const lr = await resizeImage(hr, cropSize / scale, cropSize / scale, 'bicubic');
    const score = (method: string, result: RawImage): MethodScore => ({
      method,
      psnr: psnrY(result, hr, scale),
      ssim: ssimY(result, hr, scale),
    });
    const scores = [score(bicubicMethod, await resizeImage(lr, cropSize, cropSize, 'bicubic'))];
    for (const loaded of models) {
      scores.push(score(loaded.info.id, await upscaleImage(lr, loaded, tileLayoutFor(loaded))));
    }
    report.images.push({ file, scores });
  }
  options.onImage?.(files.length, files.length, '');
  const methods = [bicubicMethod, ...models.map((m) => m.info.id)];
  report.summary = methods.map((method) => {
    const all = report.images.map((i) => i.scores.find((s) => s.method === method)!);
    const mean = (pick: (s: MethodScore) => number) => all.reduce((sum, s) => sum + pick(s), 0) / Math.max(1, all.length);
    return { method, psnr: mean((s) => s.psnr), ssim: mean((s) => s.ssim), images: all.length };
  });
  return report;
}
