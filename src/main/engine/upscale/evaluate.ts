// Measures pretrained upscalers against bicubic on the user's own photos:
// each high-resolution crop is shrunk by bicubic (antialiased, as MATLAB's
// imresize that the SR benchmarks use: data/sr-degradation.ts's
// bicubicShrink, not libvips's, which brightens ×4 shrinks by about half a
// level), brought back by every method, and
// compared with the original on Y (see metrics.ts). With `degradations`, the
// shrunk crop is also made blurred or JPEG-compressed (fixed settings below),
// as the photos people upscale usually are, and every method is scored on each.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { makeLowRes, type SrDegradation } from '../data/sr-degradation.js';
import { cropRaw, decodeImage, type RawImage } from '../image/index.js';
import { bicubicUpscaleImage } from './bicubic.js';
import { loadUpscaleModel } from './load-model.js';
import { detailRatioY, gradientEnergyY, psnrY, ssimY } from './metrics.js';
import { chooseUpscaleModel, type UpscaleModelFolders } from './model-catalogue.js';
import { tileLayoutFor } from './tile-layout.js';
import { upscaleImage } from './upscale-image.js';
import { isImageFileName } from './image-files.js';

export const bicubicMethod = 'bicubic';

/**
 * The low-resolution inputs eval-sr can score on, each at one fixed setting:
 * clean (bicubic only), jpeg (then JPEG quality 75, a typical web/phone
 * setting, inside the 30–95 range of BSRGAN and Real-ESRGAN), blur (a Gaussian
 * of σ 0.8 low-resolution pixels before the downscale: 3.2 px of the photo at ×4).
 */
export const evalDegradations = {
  clean: {},
  jpeg: { jpegQuality: 75 },
  blur: { blurSigma: 0.8 },
} as const satisfies Record<string, SrDegradation>;
export type EvalDegradation = keyof typeof evalDegradations;
export const evalDegradationNames = Object.keys(evalDegradations) as EvalDegradation[];

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
  /** Crops per photo (default 1): with 'detailed', the N most textured grid cells; 'center' takes one. */
  crops?: number;
  /** How the low-resolution inputs are made (default ['clean']); every method is scored on each. */
  degradations?: EvalDegradation[];
  onImage?: (done: number, total: number, file: string) => void;
  /** Where SRGAN models are looked for (a user's `user:<name>` needs the data folder). */
  folders?: UpscaleModelFolders;
}

export interface MethodScore {
  method: string;
  /** The low-resolution input the score is on (see evalDegradations). */
  degradation: EvalDegradation;
  psnr: number;
  ssim: number;
  /** Gradient energy of the result over the original's (metrics.ts `detailRatioY`): 1 = as much detail. */
  detail: number;
}

export interface EvaluationReport {
  scale: number;
  cropSize: number;
  /** The degradations scored, in order, with their settings. */
  degradations: ({ name: EvalDegradation } & SrDegradation)[];
  images: { file: string; scores: MethodScore[] }[];
  /** Mean over images, per degradation (in order) and method; bicubic first within each degradation. */
  summary: (MethodScore & { images: number })[];
  failures: { file: string; reason: string }[];
}

function chooseCrops(image: RawImage, size: number, mode: 'center' | 'detailed', count: number): RawImage[] {
  if (mode === 'center') {
    return [cropRaw(image, { left: Math.floor((image.width - size) / 2), top: Math.floor((image.height - size) / 2), width: size, height: size })];
  }
  const cells: { crop: RawImage; energy: number }[] = [];
  for (let top = 0; top + size <= image.height; top += size) {
    for (let left = 0; left + size <= image.width; left += size) {
      const crop = cropRaw(image, { left, top, width: size, height: size });
      cells.push({ crop, energy: gradientEnergyY(crop) });
    }
  }
  return cells
    .sort((a, b) => b.energy - a.energy)
    .slice(0, count)
    .map((cell) => cell.crop);
}

export async function evaluateUpscalers(dir: string, options: EvaluateOptions): Promise<EvaluationReport> {
  const { scale } = options;
  const degradations = options.degradations ?? ['clean'];
  if (degradations.length === 0) throw new RangeError('give at least one degradation');
  for (const name of degradations) {
    if (!Object.hasOwn(evalDegradations, name)) throw new RangeError(`unknown degradation "${name}"; use ${evalDegradationNames.join(', ')}`);
  }
  const modelIds = options.models ?? (await import('./model-catalogue.js')).listUpscaleModels(options.folders).filter((m) => m.scale === scale).map((m) => m.id);
  const models = await Promise.all(modelIds.map((id) => loadUpscaleModel(chooseUpscaleModel({ model: id, scale }, options.folders))));
  const cropSize = Math.floor((options.cropSize ?? 128) / scale) * scale;
  const crops = options.crops ?? 1;
  if (!Number.isInteger(crops) || crops < 1) throw new RangeError(`crops must be a whole number ≥ 1, got ${crops}`);
  if (crops > 1 && options.crop !== 'detailed') throw new RangeError('several crops per photo are taken in detailed mode only (the centre is one crop)');
  if (cropSize < 16 + 2 * scale) throw new RangeError(`crop size must be at least ${16 + 2 * scale} px at ×${scale}`);
  const files = (await readdir(dir)).filter(isImageFileName).sort().slice(0, options.maxImages ?? Infinity);
  if (files.length === 0) throw new Error(`${dir}: no images found (looked for PNG, JPEG, WebP, TIFF, GIF, AVIF files)`);

  const report: EvaluationReport = {
    scale,
    cropSize,
    degradations: degradations.map((name) => ({ name, ...evalDegradations[name] })),
    images: [],
    summary: [],
    failures: [],
  };
  for (const [index, file] of files.entries()) {
    options.onImage?.(index, files.length, file);
    let taken: RawImage[];
    try {
      const image = await decodeImage(path.join(dir, file), { flatten: true });
      if (image.width < cropSize || image.height < cropSize) {
        throw new Error(`${file}: ${image.width}×${image.height} is smaller than the ${cropSize} px crop`);
      }
      taken = chooseCrops(image, cropSize, options.crop ?? 'center', crops);
    } catch (error) {
      report.failures.push({ file, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    for (const [k, hr] of taken.entries()) {
      const scores: MethodScore[] = [];
      for (const degradation of degradations) {
        const lr = await makeLowRes(hr, scale, evalDegradations[degradation]);
        const score = (method: string, result: RawImage): MethodScore => ({
          method,
          degradation,
          psnr: psnrY(result, hr, scale),
          ssim: ssimY(result, hr, scale),
          detail: detailRatioY(result, hr, scale),
        });
        // The SR papers' bicubic (Keys a = −0.5, pixel centres; MATLAB's imresize), not libvips's enlargement:
        // on these photos libvips's 'cubic' upscale scores about 1 dB lower (issue 14's first table used it).
        scores.push(score(bicubicMethod, bicubicUpscaleImage(lr, scale)));
        for (const loaded of models) {
          scores.push(score(loaded.info.id, await upscaleImage(lr, loaded, tileLayoutFor(loaded))));
        }
      }
      report.images.push({ file: taken.length === 1 ? file : `${file}#${k + 1}`, scores });
    }
  }
  options.onImage?.(files.length, files.length, '');
  const methods = [bicubicMethod, ...models.map((m) => m.info.id)];
  report.summary = degradations.flatMap((degradation) =>
    methods.map((method) => {
      const all = report.images.map((i) => i.scores.find((s) => s.method === method && s.degradation === degradation)!);
      const mean = (pick: (s: MethodScore) => number) => all.reduce((sum, s) => sum + pick(s), 0) / Math.max(1, all.length);
      return { method, degradation, psnr: mean((s) => s.psnr), ssim: mean((s) => s.ssim), detail: mean((s) => s.detail), images: all.length };
    }),
  );
  return report;
}
