/**
 * Upscale throughput: megapixels of output per second for each installed
 * ESRGAN model on the active backend, on a fixed crop of a real photo, through
 * the same tiled path the Upscale view uses (tiling, blending, clamping), so
 * the number is what a user gets per image, not a bare forward pass.
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { decodeImage } from '../engine/image/index.js';
import { listUpscaleModels, loadUpscaleModel, tileLayoutFor, upscaleTiled, type UpscaleModelInfo } from '../engine/upscale/index.js';
import { modelWindowUpscaler } from '../engine/upscale/model-window.js';
import { summarise, timeRepeated, type RepeatOptions, type TimingSummary } from './timing.js';

/** A photo every Debian MATE install has; the crop is fixed so runs compare. */
export const benchPhoto = { file: '/usr/share/backgrounds/mate/nature/Wood.jpg', left: 800, top: 600 };

export interface UpscaleThroughputOptions {
  /** Quick mode: the slim models only. */
  quick: boolean;
  /** Side of the square input crop in pixels (default 128). */
  side?: number;
  repeat?: RepeatOptions;
  log?: (message: string) => void;
  /** Which runtime forwards the tiles (default 'tfjs': the active tfjs backend's own number). */
  inference?: 'tfjs' | 'onnx';
  /** ONNX Runtime threads (with inference 'onnx'). */
  threads?: number;
}

export interface UpscaleThroughputLine {
  model: string;
  variant: string;
  scale: number;
  inputPixels: { width: number; height: number };
  outputMegapixels: number;
  tiles: number;
  timing: TimingSummary;
  /** Output megapixels divided by the median time. */
  megapixelsPerSecond: number;
  /** What forwarded the tiles: 'tfjs' or 'onnx'; and on how many threads for ONNX. */
  runtime?: string;
  threads?: number;
}

export interface UpscaleThroughputReport {
  backend: string;
  photo: string;
  lines: UpscaleThroughputLine[];
}

const defaultRepeat: RepeatOptions = { warmup: 1, reps: 5, minReps: 2, budgetMs: 8_000 };

export async function measureUpscaleThroughput(options: UpscaleThroughputOptions): Promise<UpscaleThroughputReport> {
  const side = options.side ?? 128;
  await tf.ready(); // the caller picks the backend (runBench does); this measures whichever is active
  const log = options.log ?? (() => {});
  const crop = await sharp(benchPhoto.file).extract({ left: benchPhoto.left, top: benchPhoto.top, width: side, height: side }).png().toBuffer();
  const image = await decodeImage(crop, { name: `${benchPhoto.file} crop` });
  const models: UpscaleModelInfo[] = listUpscaleModels().filter((m) => !options.quick || m.variant === 'slim');
  const lines: UpscaleThroughputLine[] = [];
  for (const info of models) {
    const inference = options.inference ?? 'tfjs';
    const loaded = await loadUpscaleModel(info, { inference, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
    if (loaded.inference.runtime !== inference) throw new Error(`${info.id} could not run on ${inference}: ${loaded.inference.reason}`);
    const layout = tileLayoutFor(loaded);
    const upscaler = modelWindowUpscaler(loaded);
    let tiles = 0;
    const { samplesMs } = await timeRepeated(async () => {
      tiles = 0;
      await upscaleTiled(image, upscaler, { scale: info.scale, layout, onTile: () => tiles++, onRows: () => {} });
    }, options.repeat ?? defaultRepeat);
    const timing = summarise(samplesMs);
    const outputMegapixels = (image.width * info.scale * image.height * info.scale) / 1e6;
    const line: UpscaleThroughputLine = {
      model: info.id,
      variant: info.variant,
      scale: info.scale,
      inputPixels: { width: image.width, height: image.height },
      outputMegapixels,
      tiles,
      timing,
      megapixelsPerSecond: Math.round((outputMegapixels / (timing.medianMs / 1000)) * 1000) / 1000,
      runtime: inference,
      ...(inference === 'onnx' ? { threads: loaded.inference.network!.threads } : {}),
    };
    log(`${info.id}${inference === 'onnx' ? ` (ONNX, ${line.threads} threads)` : ''}: ${line.megapixelsPerSecond} MP/s of output (${timing.medianMs.toFixed(0)} ms for ${side}×${side} → ×${info.scale}, ${tiles} tiles)`);
    lines.push(line);
  }
  return { backend: tf.getBackend(), photo: `${benchPhoto.file} (${side}×${side} at ${benchPhoto.left},${benchPhoto.top})`, lines };
}
