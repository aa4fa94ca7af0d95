/**
 * Job kind `upscale`: a batch of image files through a pretrained ESRGAN, in
 * the job worker (which owns tfjs).
 *
 * Progress counts tiles across the whole batch, so one big photo among small
 * ones moves the bar in proportion to the work. Every file's tile count is
 * known before the first tile runs (a header probe, no decoding), and is
 * corrected when the engine lays out the real tiles. A file that cannot be
 * read fails alone: its planned tiles count as done, its name and reason go
 * into the result and the job log.
 *
 * Cancelling stops between tiles (the engine checks the signal, and every
 * tile report reads the worker's synchronous cancel flag); files finished
 * before that stay finished and in the gallery. Results are added to the
 * gallery from here (see translate-folder.ts for why the worker opens it), and
 * their ids are returned so the main thread can announce them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { UpscaleJobParams } from './upscale-params.js';
import { defineJobKind, JobCancelledError, type JobContext } from '../job-kind.js';
import { initBackend } from '../../backend/index.js';
import { openGallery, type Gallery } from '../../gallery/index.js';
import { probeImage } from '../../image/index.js';
import {
  chooseUpscaleModel,
  countTiles,
  defaultOutputName,
  isAbort,
  loadUpscaleModel,
  tileLayoutFor,
  upscaleFile,
  type LoadedUpscaleModel,
  type UpscaleFormat,
} from '../../upscale/index.js';

// The params live in a module without tfjs, so the main thread checks requests with the same schema.
export { UpscaleJobParams } from './upscale-params.js';

export interface UpscaledFile {
  name: string;
  output: string;
  width: number;
  height: number;
  ms: number;
  /** The gallery item, when the job adds results to the gallery. */
  itemId: number | null;
}

export interface UpscaleJobResult {
  /** The model's catalogue id, as `models.list` names it. */
  modelId: string;
  scale: number;
  done: UpscaledFile[];
  failed: { name: string; reason: string }[];
  /** Files not started because the job was cancelled. */
  cancelled: string[];
  galleryItemIds: number[];
}

/** The model catalogue (`models.list`) names package models `npm:<engine id>`; SRGAN models have their catalogue id already. */
export function catalogueIdForUpscaleModel(engineId: string): string {
  return /^(bundled|user|run):/.test(engineId) ? engineId : `npm:${engineId}`;
}

const upscaleFormats: readonly string[] = ['png', 'jpeg', 'webp'];

/** Engine messages start with the file's base name; make sure they name the file as the user knows it. */
function namingFile(name: string, reason: string): string {
  return reason.startsWith(`${name}: `) ? reason : `${name}: ${reason.replace(/^[^:\n]*\.[A-Za-z0-9]{2,5}: /, '')}`;
}

interface PlannedFile {
  path: string;
  name: string;
  tiles: number;
  format: UpscaleFormat;
  /** Why the file cannot be upscaled, found before any tile runs. */
  problem?: string;
}

async function planFiles(files: { path: string; name: string }[], loaded: LoadedUpscaleModel, tile: number | undefined): Promise<PlannedFile[]> {
  const layout = tileLayoutFor(loaded, tile);
  const planned: PlannedFile[] = [];
  for (const file of files) {
    try {
      const header = await probeImage(file.path, file.name);
      // Outputs keep the input's format; others (GIF, TIFF, AVIF, SVG) become PNG.
      const format = (upscaleFormats.includes(header.format) ? header.format : 'png') as UpscaleFormat;
      planned.push({ ...file, format, tiles: countTiles(header.width, header.height, layout) });
    } catch (error) {
      planned.push({ ...file, format: 'png', tiles: 0, problem: namingFile(file.name, error instanceof Error ? error.message : String(error)) });
    }
  }
  return planned;
}

function uniqueOutputName(wanted: string, taken: Set<string>): string {
  const ext = path.extname(wanted);
  const stem = wanted.slice(0, wanted.length - ext.length);
  let name = wanted;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem}-${n}${ext}`;
  taken.add(name.toLowerCase());
  return name;
}

export async function runUpscaleJob(params: z.output<typeof UpscaleJobParams>, ctx: JobContext): Promise<UpscaleJobResult> {
  await initBackend();
  const info = chooseUpscaleModel({ scale: params.scale, ...(params.model !== undefined ? { model: params.model } : {}) }, { dataDir: ctx.dataDir });
  const loaded = await loadUpscaleModel(info);
  const modelId = catalogueIdForUpscaleModel(info.id);
  const planned = await planFiles(params.files, loaded, params.tile);
  const result: UpscaleJobResult = { modelId, scale: info.scale, done: [], failed: [], cancelled: [], galleryItemIds: [] };

  let total = planned.reduce((sum, file) => sum + file.tiles, 0);
  let finishedTiles = 0; // tiles of files that are over (done, failed or skipped)
  const report = (done: number, message: string) => ctx.progress({ done: Math.min(done, total), total, unit: 'tile', message });
  report(0, `${planned.length} ${planned.length === 1 ? 'image' : 'images'} with ${info.id}`);

  const outputNames = new Set<string>();
  let gallery: Gallery | null = null;
  try {
    if (params.addToGallery) gallery = openGallery({ dataDir: ctx.dataDir });
    for (const [index, file] of planned.entries()) {
      const position = `(image ${index + 1} of ${planned.length})`;
      if (ctx.signal.aborted) {
        result.cancelled.push(...planned.slice(index).map((f) => f.name));
        break;
      }
      await ctx.waitIfPaused().catch((error: unknown) => {
        if (error instanceof JobCancelledError) return;
        throw error;
      });
      if (ctx.signal.aborted) {
        result.cancelled.push(...planned.slice(index).map((f) => f.name));
        break;
      }
      const output = path.join(params.outputDir, uniqueOutputName(defaultOutputName(file.name, info.scale, file.format), outputNames));
      if (ctx.journal.has(file.name)) {
        finishedTiles += file.tiles;
        continue;
      }
      if (file.problem) {
        result.failed.push({ name: file.name, reason: file.problem });
        ctx.log(file.problem);
        finishedTiles += file.tiles;
        continue;
      }
      try {
        const upscaled = await upscaleFile(file.path, output, {
          scale: info.scale,
          model: info.id,
          folders: { dataDir: ctx.dataDir },
          format: file.format,
          overwrite: true,
          signal: ctx.signal,
          ...(params.tile !== undefined ? { tile: params.tile } : {}),
          onProgress: (progress) => {
            // The synchronous flag: a cancel arrives here even while the worker is busy between awaits.
            ctx.throwIfCancelled();
            if (progress.tilesTotal !== file.tiles) {
              total += progress.tilesTotal - file.tiles;
              file.tiles = progress.tilesTotal;
            }
            report(finishedTiles + progress.tilesDone, `${file.name}: tile ${progress.tilesDone}/${progress.tilesTotal} ${position}`);
          },
        });
        let itemId: number | null = null;
        if (gallery) {
          const item = await gallery.addItem({
            kind: 'upscale',
            title: file.name,
            input: await readFile(file.path),
            output: await readFile(upscaled.output),
            modelId,
            settings: { scale: info.scale, tile: params.tile ?? 'auto', model: info.variant, jobId: ctx.jobId },
            timings: { total: upscaled.ms },
          });
          itemId = item.id;
          result.galleryItemIds.push(item.id);
        }
        result.done.push({ name: file.name, output: upscaled.output, width: upscaled.width, height: upscaled.height, ms: upscaled.ms, itemId });
        ctx.journal.markDone(file.name);
      } catch (error) {
        if (error instanceof JobCancelledError || isAbort(error) || ctx.signal.aborted) {
          result.cancelled.push(...planned.slice(index).map((f) => f.name));
          break;
        }
        const reason = error instanceof Error ? error.message : String(error);
        result.failed.push({ name: file.name, reason: namingFile(file.name, reason) });
        ctx.log(result.failed.at(-1)!.reason);
      }
      finishedTiles += file.tiles;
      report(finishedTiles, `${file.name}: done ${position}`);
    }
  } finally {
    gallery?.close();
  }
  ctx.log(
    `${result.done.length} upscaled ×${info.scale} with ${info.id}, ${result.failed.length} failed` +
      (result.cancelled.length ? `, ${result.cancelled.length} not started (cancelled)` : ''),
  );
  // Returning (rather than throwing) when cancelled keeps the finished files in the result; the worker still marks the job cancelled.
  return result;
}

export const upscaleJob = defineJobKind({
  kind: 'upscale',
  params: UpscaleJobParams,
  run: runUpscaleJob,
});
